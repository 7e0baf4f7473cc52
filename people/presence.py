"""Hallway presence, "who's around": how many people are online now, and where the people
who share a profile are — the Corridor, a paper's page during its live poster session,
a booth — with their interests, so that people can walk up to each other.

Fed by the chat's room sockets (chat.signals.person_entered / person_left): one row per
person and place, counting their open sockets there. A server process killed without
closing its sockets leaves rows behind; rows not touched for STALE are ignored.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from people.models import Presence
from people.profiles import public_profiles
from posters.models import PosterSlot
from schedule.subjects import subjects_by_key

STALE = timedelta(hours=2)


def entered(sender=None, *, user_id, room_key, now=None, **kwargs):
    now = now or timezone.now()
    if Presence.objects.filter(user_id=user_id, place=room_key).update(connections=F("connections") + 1, seen_at=now):
        return
    try:
        with transaction.atomic():
            Presence.objects.create(user_id=user_id, place=room_key, connections=1, seen_at=now)
    except IntegrityError:
        Presence.objects.filter(user_id=user_id, place=room_key).update(connections=F("connections") + 1, seen_at=now)


def left(sender=None, *, user_id, room_key, now=None, **kwargs):
    now = now or timezone.now()
    # The last socket there: gone. Otherwise one fewer (a row at 2 is never deleted first).
    Presence.objects.filter(user_id=user_id, place=room_key, connections__lte=1).delete()
    Presence.objects.filter(user_id=user_id, place=room_key, connections__gt=1).update(
        connections=F("connections") - 1, seen_at=now
    )


def _fresh(now):
    return Presence.objects.filter(seen_at__gt=now - STALE)


def online_count(now=None):
    """Logged-in people with a page open now (whether or not they share a profile)."""
    now = now or timezone.now()
    return _fresh(now).values("user_id").distinct().count()


def _live_papers(uids, now):
    """The UIDs among these whose poster session is live now (one query)."""
    return set(
        PosterSlot.objects.filter(paper__uid__in=uids, session__start__lte=now, session__end__gt=now).values_list(
            "paper__uid", flat=True
        )
    )


def around(now=None, limit=200):
    """[{"profile", "user", "places": [{"key", "title", "url", "live"}]}] for the people who
    share a profile and are somewhere now: the Corridor first, then poster sessions, then
    booths. A paper's page counts only while its poster session is live; a booth only if
    it is public (its subject resolves for everyone)."""
    now = now or timezone.now()
    rows = list(_fresh(now).filter(user_id__in=public_profiles().values("user_id")).values_list("user_id", "place"))
    places = defaultdict(set)
    for user_id, place in rows:
        places[user_id].add(place)
    keys = {place for _, place in rows}
    live = _live_papers([k.partition(":")[2] for k in keys if k.startswith("paper:")], now)
    subjects = subjects_by_key(sorted(keys))
    shown = {}
    for key in keys:
        kind, _, arg = key.partition(":")
        subject = subjects.get(key)
        if subject is None or subject.private or kind not in ("corridor", "paper", "booth"):
            continue  # a self-organised booth is nobody's business
        if kind == "paper" and arg not in live:
            continue
        shown[key] = {"key": key, "title": subject.title, "url": subject.url, "kind": kind, "live": kind == "paper"}
    order = {"corridor": 0, "paper": 1, "booth": 2}
    profiles = {p.user_id: p for p in public_profiles().filter(user_id__in=list(places))}
    found = []
    for user_id, keys_of in places.items():
        visible = sorted((shown[k] for k in keys_of if k in shown), key=lambda s: (order[s["kind"]], s["title"]))
        if visible and user_id in profiles:
            found.append({"profile": profiles[user_id], "user": profiles[user_id].user, "places": visible})
    found.sort(key=lambda f: (order[f["places"][0]["kind"]], f["user"].display_name.lower(), f["user"].pk))
    return found[:limit]
