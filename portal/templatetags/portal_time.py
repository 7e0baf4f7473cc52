"""Template filters that turn aware UTC instants into the viewer's local time."""

import json
from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html

from portal.public import changes_at, exporting
from portal.timezones import zone_abbreviation, zone_abbreviations

register = template.Library()


@register.filter
def when(instant, fmt="D j M, H:i"):
    """<time> in the viewer's (active) zone with the zone named: 'Mon 27 Apr, 14:00 JST'."""
    if not instant:
        return ""
    return _when(instant, fmt, timezone.get_current_timezone())


def _when(instant, fmt, zone):
    from django.utils.dateformat import format as date_format

    local = instant.astimezone(zone)
    return format_html(
        '<time datetime="{}">{} <abbr class="zone" title="{}">{}</abbr></time>',
        instant.isoformat(),
        date_format(local, fmt),
        str(zone),
        zone_abbreviation(zone, instant),
    )


@register.simple_tag
def zone_abbreviations_json():
    """The viewer's zone's abbreviations by UTC offset, as JSON for a data attribute: the
    scripts that render times (chat.js) label them as `when` does ("14:25 UTC")."""
    zone = timezone.get_current_timezone()
    labels = zone_abbreviations(zone, timezone.now())
    return json.dumps({str(minutes): label for minutes, label in sorted(labels.items())}, separators=(",", ":"))


@register.filter
def local_range(session, fmt="D j M, H:i"):
    """'Mon 27 Apr, 14:00–16:00 JST' for anything with .start and .end."""
    return _range(session.start, session.end, fmt, timezone.get_current_timezone())


def _range(start_utc, end_utc, fmt, zone):
    from django.utils.dateformat import format as date_format

    start, end = start_utc.astimezone(zone), end_utc.astimezone(zone)
    end_fmt = "H:i" if start.date() == end.date() else fmt
    return format_html(
        '<time datetime="{}">{}</time>–<time datetime="{}">{}</time> <abbr class="zone" title="{}">{}</abbr>',
        start_utc.isoformat(),
        date_format(start, fmt),
        end_utc.isoformat(),
        date_format(end, end_fmt),
        str(zone),
        zone_abbreviation(zone, start_utc),
    )


def relative_text(start, end, now):
    """(text, until): 'live now', 'in 3 h', 'in 12 min', 'ended'; and the instant the text
    next changes (None: never), so cached pages know when they go stale."""
    if end and start <= now < end:
        return "live now", end
    if end and now >= end:
        return "ended", None
    delta = start - now
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        return "started", None
    if minutes < 60:
        return f"in {minutes} min", start - timedelta(minutes=minutes)
    hours = minutes // 60
    if hours < 48:
        return f"in {hours} h", start - timedelta(hours=hours)
    return f"in {hours // 24} days", start - timedelta(days=hours // 24)


@register.simple_tag(takes_context=True)
def relative_to_now(context, start, end=None, now=None):
    """'live now', 'in 3 h', 'in 12 min', 'ended' — for sessions."""
    if exporting():
        return ""  # a static copy is read later: "in 3 h" would be wrong by then
    text, until = relative_text(start, end, now or timezone.now())
    changes_at(context.get("request"), until)
    return text
