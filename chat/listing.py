"""The room directory behind /rooms/ and its API: search, sort by activity, presence."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.utils import timezone

from chat.models import Room
from chat.services import presence
from schedule import subjects

PER_PAGE = 50
SORTS = {"active": "recent activity", "busy": "busiest in the last hour"}


def room_page(params):
    """(page of rooms, {room key: present}) for query params q, kind, sort, page."""
    rooms = Room.objects.filter(private=False)
    query = (params.get("q") or "").strip()[:100]
    if query:
        rooms = rooms.filter(Q(title__icontains=query) | Q(key__icontains=query))
    kind = (params.get("kind") or "").strip()[:20]
    if kind:
        rooms = rooms.filter(kind=kind)
    if params.get("sort") == "busy":
        since = timezone.now() - timedelta(hours=1)
        rooms = rooms.annotate(recent=Count("messages", filter=Q(messages__created_at__gte=since))).order_by(
            "-recent", "-last_message_at", "key"
        )
    else:
        # Rooms nobody has spoken in yet go last, in key order.
        rooms = rooms.order_by(F("last_message_at").desc(nulls_last=True), "key")
    page = Paginator(rooms, PER_PAGE).get_page(params.get("page"))
    return page, presence.counts([room.key for room in page])


def kinds():
    return list(Room.objects.filter(private=False).order_by("kind").values_list("kind", flat=True).distinct())


def who_has_rooms():
    """ "Every paper has a room", naming only the kinds registered now (keynotes and booths
    once their features register them), or "" when none is."""
    names = subjects.kind_names(rooms=True)
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"Every {listed} has a room"
