"""Times of sessions in the viewer's zone (the conference's beside where it differs), and
the "add to my agenda" button any page may show:

    {% load schedule_tags %}
    {% session_times session %}                     10:30–12:30 IST · 08:00–10:00 EAT at the conference
    {% agenda_button session %}                      the session itself
    {% agenda_button slot.session subject_key="paper:"|add:paper.uid label=paper.title %}
"""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape as escape
from django.utils.html import format_html, json_script
from django.utils.safestring import mark_safe

from portal.models import Conference
from portal.public import is_public
from portal.timezones import zone_abbreviation
from schedule.agenda import agenda_keys
from schedule.days import same_day
from schedule.reminders import active_notices

register = template.Library()


def _zone_label(zone, instant):
    return _abbr(zone.key, zone_abbreviation(zone, instant))


@lru_cache(maxsize=512)
def _abbr(key, abbreviation):
    # A day page labels every row with one of a few zones: built once each.
    return format_html('<abbr class="zone" title="{}">{}</abbr>', key, abbreviation)


def _local(moment, named_day):
    # "H:i" spelled out (most rows); the named day keeps Django's (translated) names.
    return date_format(moment, "D j M, H:i") if named_day else f"{moment:%H:%M}"


def _range(session, zone, day=None, full=False):
    """(start text, end text) in a zone: the day is named when it is not the day shown."""
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    named_day = full or (day is not None and start.date() != day)
    return _local(start, named_day), _local(end, not same_day(start, end))


def differs(zone, other, instant):
    return other is not None and other.key != zone.key and zone.utcoffset(instant) != other.utcoffset(instant)


@register.simple_tag(takes_context=True)
def session_times(context, session, day=None, full=False):
    """'10:30–12:30 IST' in the viewer's zone, with the conference's time beside where it differs."""
    zone = timezone.get_current_timezone()
    start_text, end_text = _range(session, zone, day, full)
    html = format_html(
        '<span class="when"><time datetime="{}">{}</time>–<time datetime="{}">{}</time> {}</span>',
        session.start.isoformat(),
        start_text,
        session.end.isoformat(),
        end_text,
        _zone_label(zone, session.start),
    )
    conference = context.get("conference")
    conference_zone = conference.zone if conference else None
    if differs(zone, conference_zone, session.start):
        c_start, c_end = _range(session, conference_zone, day=day, full=full)
        html += format_html(
            ' <span class="conference-time">· {}–{} {} at the conference</span>',
            c_start,
            c_end,
            _zone_label(conference_zone, session.start),
        )
    return html


@register.simple_tag
def local_time(instant, fmt="H:i"):
    """One instant in the viewer's zone, zone named."""
    zone = timezone.get_current_timezone()
    return format_html(
        '<time datetime="{}">{}</time> {}',
        instant.isoformat(),
        date_format(instant.astimezone(zone), fmt),
        _zone_label(zone, instant),
    )


@register.simple_tag(takes_context=True)
def schedule_assets(context):
    """The schedule's stylesheet and script, once per page (buttons on any app's page)."""
    request = context.get("request")
    if request is not None:
        if getattr(request, "_schedule_assets", False):
            return mark_safe("")
        request._schedule_assets = True
    return format_html(
        '<link rel="stylesheet" href="{}">{}<script src="{}" defer></script>',
        static("css/schedule.css"),
        json_script({"mergeUrl": reverse("api-agenda-merge")}, "schedule-config"),
        static("js/schedule.js"),
    )


ADD = "+ Add to my agenda"
IN = "✓ In my agenda"
IN_REMOVE = "✓ In my agenda · remove"


def button(*, action_url, session_pk, subject_key, label, title, compact, in_agenda, next_url):
    """The add/remove form. It asks (GET) the private page that confirms the change with a
    CSRF token, so it works without JavaScript on pages cached for everyone; with it,
    schedule.js posts it (static/js/state.js marks what is in the visitor's agenda).

    One escaped f-string rather than format_html: a day page has a hundred of these.
    """
    action_url, session_pk, subject_key, label, next_url, title = map(
        escape, (action_url, session_pk, subject_key, label, next_url, title)
    )
    state = (IN if compact else IN_REMOVE) if in_agenda else ADD
    return mark_safe(
        f'<form class="agenda-toggle" method="get" action="{action_url}" data-key="{session_pk}|{subject_key}"'
        f' data-session="{session_pk}" data-subject="{subject_key}" data-label="{label}">'
        f'<input type="hidden" name="session" value="{session_pk}">'
        f'<input type="hidden" name="subject" value="{subject_key}">'
        f'<input type="hidden" name="label" value="{label}">'
        f'<input type="hidden" name="action" value="{"remove" if in_agenda else "add"}">'
        f'<input type="hidden" name="next" value="{next_url}">'
        f'<button type="submit" class="agenda-button{" compact" if compact else ""}"'
        f' aria-pressed="{"true" if in_agenda else "false"}"><span class="agenda-state">{state}</span>'
        f'<span class="visually-hidden">: {title}</span></button></form>'
    )


def request_agenda_keys(request):
    """The viewer's agenda keys ("<session id>|<subject key>"), read once per request (none
    on a public page: the page is nobody's)."""
    if request is None or is_public(request):
        return set()
    keys = getattr(request, "_schedule_agenda_keys", None)
    if keys is None:
        keys = agenda_keys(request.user)
        request._schedule_agenda_keys = keys
    return keys


@register.simple_tag(takes_context=True)
def agenda_button(context, session, subject_key="", label="", compact=False):
    """A form that adds to / removes from my agenda; the script keeps anonymous visitors' in the browser."""
    request = context.get("request")
    return format_html(
        "{}{}",
        schedule_assets(context),
        button(
            action_url=reverse("schedule:agenda_item"),
            session_pk=session.pk,
            subject_key=subject_key,
            label=label,
            title=label or session.title,
            compact=compact,
            in_agenda=f"{session.pk}|{subject_key}" in request_agenda_keys(request),
            # The programme's pages say where to come back to (their path and filters).
            next_url=context.get("return_path") or (request.get_full_path() if request is not None else ""),
        ),
    )


@register.simple_tag(takes_context=True)
def reminder_notices(context):
    """The on-site reminders of the logged-in viewer (what starts soon in their agenda); on
    a public page, the place static/js/state.js puts them (`reminders_html` of the state)."""
    request = context.get("request")
    if is_public(request):
        return mark_safe("<div data-reminder-notices></div>")
    return notices_html(request)


def notices_html(request):
    user, now = getattr(request, "user", None), timezone.now()
    if Conference.get().is_archived(now):
        return ""  # nothing starts soon in the archive
    notices = active_notices(user, now) if user is not None and user.is_authenticated else []
    if not notices:
        return ""
    return render_to_string(
        "schedule/_notices.html",
        {"notices": notices, "conference": Conference.get()},
        request=request,
    )
