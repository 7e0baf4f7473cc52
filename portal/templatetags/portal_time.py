"""Template filters that turn aware UTC instants into the viewer's local time.

On a page rendered for every zone (portal.page_cache, `zone_free`), `when` and
`local_range` leave a hole holding the instants and the format; `fill_local` writes them
in the viewer's zone per request.
"""

import base64
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal import page_cache
from portal.timezones import zone_abbreviation

register = template.Library()


LOCAL_HOLE = "local"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(instant):
    return (instant - _EPOCH) // timedelta(microseconds=1)


def _local_hole(kind, fmt, *instants):
    code = base64.urlsafe_b64encode(fmt.encode()).decode().rstrip("=")
    return page_cache.placeholder(LOCAL_HOLE, "~".join([kind, code, *(str(_micros(i)) for i in instants)]))


def fill_local(request, arg):
    """portal.page_cache filler for the hole "local": `when` or `local_range` in this viewer's zone."""
    zone = getattr(request, "viewer_zone", None) or UTC
    return _local_text(arg, zone, get_language())


@lru_cache(maxsize=4096)
def _local_text(arg, zone, language):
    # The same instants, format, zone and language always read the same (a session's
    # times on every page hit): written once per process.
    try:
        kind, code, *micros = arg.split("~")
        fmt = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4)).decode()
        instants = [_EPOCH + timedelta(microseconds=int(m)) for m in micros]
    except ValueError:
        return ""
    if kind == "when" and len(instants) == 1:
        return _when(instants[0], fmt, zone)
    if kind == "range" and len(instants) == 2:
        return _range(*instants, fmt, zone)
    return ""


@register.filter
def when(instant, fmt="D j M, H:i"):
    """<time> in the viewer's (active) zone with the zone named: 'Mon 27 Apr, 14:00 JST'."""
    if not instant:
        return ""
    if page_cache.zone_free():
        return mark_safe(_local_hole("when", fmt, instant))
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


@register.filter
def local_range(session, fmt="D j M, H:i"):
    """'Mon 27 Apr, 14:00–16:00 JST' for anything with .start and .end."""
    if page_cache.zone_free():
        return mark_safe(_local_hole("range", fmt, session.start, session.end))
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
    text, until = relative_text(start, end, now or timezone.now())
    page_cache.changes_at(context.get("request"), until)
    return text
