"""Workshops (docs/architecture.md: they live in `booths`, on `schedule`'s sessions). A
workshop is a session of kind `workshop` made by the schedule's imports (workshops.yml and
workshop_<code>.ics), its talks the sessions under it; its booth (`Booth.workshop`) runs
all week. `/workshops/`, `/workshops/<code>/` (public pages) and `/workshops/<code>.ics`."""

from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from booths.workshops import talk_rows, workshop_code
from portal.public import changes_at, public_page
from schedule.calendars import calendar_response
from schedule.call_links import opens_at, window
from schedule.importers.ical import WORKSHOP_UID_PREFIX
from schedule.models import Session

MAX_CODE = 255


def _workshops():
    return Session.objects.filter(kind=Session.Kind.WORKSHOP)


def _workshop_or_404(code):
    code = code[:MAX_CODE]
    # A workshop's code is its uid without "workshop:" (the calendar import's); one made in
    # admin or the demo is named by its whole uid.
    workshop = _workshops().select_related("workshop_booth").filter(uid__in=[WORKSHOP_UID_PREFIX + code, code]).first()
    if workshop is None:
        raise Http404("There is no such workshop.")
    return workshop


@public_page(browsing=True)
def workshop_list(request):
    workshops = list(
        _workshops().select_related("workshop_booth").annotate(talk_count=Count("children")).order_by("start", "title")
    )
    for workshop in workshops:
        workshop.code = workshop_code(workshop)
    days = sorted({w.start.astimezone(request.viewer_zone).date() for w in workshops})
    return render(request, "booths/workshop_list.html", {"workshops": workshops, "days": days})


@public_page(browsing=True)
def workshop_detail(request, code):
    workshop = _workshop_or_404(code)
    talks = list(workshop.children.order_by("start", "title"))
    now = timezone.now()
    # Each talk's recording: its player once released, the day it will be before.
    rows = talk_rows(talks, request.user, now)
    changes_at(request, opens_at(workshop), workshop.start, workshop.end, *(row.available_from for row in rows))
    booth = getattr(workshop, "workshop_booth", None)
    context = {
        "workshop": workshop,
        "code": workshop_code(workshop),
        "talks": rows,
        "players": any(row.player for row in rows),
        "booth": booth if booth is not None and booth.is_public else None,
        "call": window(workshop, workshop.call_link, now),
        "call_key": f"session:{workshop.pk}",
        "now": now,
    }
    return render(request, "booths/workshop_detail.html", context)


def workshop_calendar(request, code):
    """The workshop and its talks as iCalendar (schedule's helper: never a call link)."""
    workshop = _workshop_or_404(code)
    sessions = [workshop, *workshop.children.order_by("start", "title")]
    return calendar_response(
        sessions, request=request, name=workshop.title, filename=f"workshop-{workshop_code(workshop)}.ics"
    )
