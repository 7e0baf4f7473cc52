"""What `/booths/` and the API list: public booths, grouped by kind, open ones first.

Only `Booth.objects.public()` is ever read here: a self-organised booth, a proposal or a
declined one is never listed.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse

from booths import calls
from booths.models import SLOT_KINDS, Booth
from chat.services import presence
from portal.public import changes_at
from schedule.models import Session

# "Open in my healthy hours": a slot that runs for some time between 08:00 and 22:00 in the
# viewer's zone (the seed's healthy hours; posters count a poster session the same way).
HEALTHY_START = time(8)
HEALTHY_END = time(22)
MAX_QUERY = 100


@dataclass(frozen=True)
class Slot:
    """A booth's slot as a list needs it (a session's id and times: no model to build)."""

    pk: int
    start: datetime
    end: datetime


def listed_booths(filters=None):
    """Public booths matching `filters`, by name, each with `slot_list` of Slots: two plain
    queries, no related-model prefetch (at 300 booths and 900 slots the prefetch was half
    the page's time)."""
    booths = Booth.objects.public().defer("links", "host_emails", "proposed_slots", "decision_message")
    if filters is not None and filters.kind:
        booths = booths.filter(kind=filters.kind)
    if filters is not None and filters.q:
        booths = booths.filter(Q(name__icontains=filters.q) | Q(description__icontains=filters.q))
    booths = list(booths.order_by("name", "slug"))
    by_booth = {b.pk: b for b in booths}
    for booth in booths:
        booth.slot_list = []
    rows = (
        # Plain ids: a list of 300 model instances took longer to turn into SQL than to run.
        Booth.slots.through.objects.filter(booth_id__in=list(by_booth), session__kind__in=SLOT_KINDS)
        .order_by("session__start", "session__end")
        .values_list("booth_id", "session_id", "session__start", "session__end")
    )
    for booth_id, session_id, start, end in rows:
        by_booth[booth_id].slot_list.append(Slot(session_id, start, end))
    return booths


def public_booths():
    slots = Session.objects.filter(kind__in=SLOT_KINDS).order_by("start", "end").only("start", "end", "title")
    return Booth.objects.public().prefetch_related(Prefetch("slots", queryset=slots, to_attr="slot_list"))


def in_healthy_hours(session, zone):
    """Whether the slot runs for some time between HEALTHY_START and HEALTHY_END, local."""
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    day = start.date()
    while day <= end.date():
        lo, hi = datetime.combine(day, HEALTHY_START, zone), datetime.combine(day, HEALTHY_END, zone)
        if start < hi and end > lo:
            return True
        day += timedelta(days=1)
    return False


@dataclass
class Filters:
    q: str = ""
    kind: str = ""
    healthy: bool = False
    problems: list = field(default_factory=list)

    @property
    def active(self):
        return bool(self.q or self.kind or self.healthy)


def read_filters(params):
    q = (params.get("q") or "").strip()[:MAX_QUERY]
    kind = (params.get("kind") or "").strip()
    problems = []
    if kind and kind not in Booth.PUBLIC_KINDS:
        problems.append(f"“{kind[:40]}” is not a kind of booth; showing every kind.")
        kind = ""
    return Filters(q=q, kind=kind, healthy=params.get("healthy") in ("1", "on", "true"), problems=problems)


def booth_list(filters, now, zone_name="UTC"):
    """Public booths matching `filters`, each with `slot_list`, `is_open` and `present`."""
    booths = listed_booths(filters)
    if filters.healthy:
        zone = ZoneInfo(zone_name)
        booths = [b for b in booths if b.all_day or any(in_healthy_hours(s, zone) for s in b.slot_list)]
    present = presence.counts([b.room_key for b in booths])
    base = reverse("booths:index")
    for booth in booths:
        booth.url = f"{base}{booth.slug}/"
        booth.is_open = calls.is_open_now(booth, booth.slot_list, now)
        booth.present = present.get(booth.room_key, 0)
        booth.next_slot = next((s for s in booth.slot_list if s.end > now), None)
    return booths


def grouped(booths):
    """[(kind label, kind, booths)] in the kinds' order, open booths first in each."""
    labels = dict(Booth.Kind.choices)
    groups = []
    for kind in Booth.PUBLIC_KINDS:
        members = sorted((b for b in booths if b.kind == kind), key=lambda b: (not b.is_open, b.name.lower()))
        if members:
            groups.append((labels[kind], kind, members))
    return groups


def changes(booths, now):
    """Instants after `now` where a listed booth opens or closes."""
    instants = []
    for booth in booths:
        instants += calls.changes(booth, booth.slot_list, now)
    return instants


def open_now_context(request, now, limit=8):
    """The public booths open now, busiest first (home page, /live/); the page's lifetime
    ends when a listed booth opens or closes."""
    booths = booth_list(Filters(), now)
    changes_at(request, *changes(booths, now))
    open_now = sorted((b for b in booths if b.is_open), key=lambda b: (-b.present, b.name.lower()))
    return {"booths": open_now[:limit], "more": max(0, len(open_now) - limit)}


def open_now_html(request, *, now, **context):
    """The same as a block of /live/ (portal/page_parts.py, place "live")."""
    return render_to_string("booths/_open_now.html", open_now_context(request, now), request=request)
