"""Calendar files: the whole programme, one session, and my agenda.

`/me/agenda.ics?token=…` is a subscription feed found by its secret token alone (calendar
programs send no cookies); an unknown or replaced token is a 404. Without a token,
`?items=…` turns the agenda kept in a visitor's browser into a one-off download.
"""

from django.core.cache import cache
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from portal.models import Conference
from portal.timezones import zone_or_none
from schedule.agenda import AgendaError, appointment_lines, lines_for_browser_items, parse_browser_items
from schedule.calendars import (
    FEED_FIELDS,
    PROGRAMME_DESCRIPTION_LIMIT,
    CalendarEntry,
    calendar_for_sessions,
    calendar_response,
    render_calendar,
    session_page_urls,
)
from schedule.fragments import programme_state, version_of
from schedule.models import AgendaItem, AgendaSettings, Session

PROGRAMME_CACHE_SECONDS = 3600
REFRESH_HOURS = 1


@require_GET
def programme_calendar(request):
    """/calendar.ics: every session of the public programme."""
    conference = Conference.get()
    zone = request.viewer_zone
    version = version_of(programme_state(), conference)
    key = f"schedule:ics:programme:{version}:{zone.key}:{request.get_host()}:{request.scheme}"
    body = cache.get(key)
    if body is None:
        sessions = Session.objects.select_related("parent").only(*FEED_FIELDS).order_by("start", "end", "title")
        body = calendar_for_sessions(
            sessions,
            request=request,
            name=conference.name,
            zone_name=zone.key,
            conference=conference,
            description_limit=PROGRAMME_DESCRIPTION_LIMIT,
        )
        cache.set(key, body, PROGRAMME_CACHE_SECONDS)
    slug = (conference.short_name or "conference").replace(" ", "-")
    return calendar_response(body=body, filename=f"{slug}.ics", attachment=False)


@require_GET
def session_calendar(request, pk):
    session = get_object_or_404(Session.objects.select_related("parent"), pk=pk)
    return calendar_response(
        [session],
        request=request,
        name=session.title,
        filename=f"session-{session.pk}.ics",
        attachment=True,
        conference=Conference.get(),
    )


def _entries(request, lines):
    url_of = session_page_urls(request)
    return [
        CalendarEntry(line.session, subject_key=line.subject_key, label=line.label, page_url=url_of(line.session.pk))
        for line in lines
    ]


@require_GET
def agenda_calendar(request):
    """/me/agenda.ics?token=… (subscription) or ?items=… (the browser's agenda, downloaded)."""
    conference = Conference.get()
    token = request.GET.get("token")
    if token is not None:
        settings = (
            AgendaSettings.objects.select_related("user").filter(feed_token=token, user__is_active=True).first()
            if 16 <= len(token) <= 64
            else None
        )
        if settings is None:
            raise Http404("No agenda has this calendar link (it may have been replaced).")
        user = settings.user
        items = (
            AgendaItem.objects.filter(user=user)
            .select_related("session", "session__parent")
            .only("session", "subject_key", "label", *(f"session__{field}" for field in FEED_FIELDS))
        )
        lines = [*items, *appointment_lines(user)]
        zone = zone_or_none(user.time_zone) or conference.zone
        body = render_calendar(
            _entries(request, lines),
            name=f"My agenda · {conference.short_name or conference.name}",
            zone=zone,
            conference_zone=conference.zone,
            refresh_hours=REFRESH_HOURS,
        )
        response = calendar_response(body=body, filename="my-agenda.ics", attachment=False)
        response["Cache-Control"] = "private, max-age=300"
        return response
    if "items" not in request.GET:
        raise Http404("A calendar link needs its token.")
    try:
        items = parse_browser_items(request.GET["items"])
    except AgendaError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    body = render_calendar(
        _entries(request, lines_for_browser_items(items)),
        name=f"My agenda · {conference.short_name or conference.name}",
        zone=request.viewer_zone,
        conference_zone=conference.zone,
    )
    return calendar_response(body=body, filename="my-agenda.ics", attachment=True)
