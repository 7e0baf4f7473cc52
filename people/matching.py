"""“Meet someone now”: the queue and the matching service.

An opted-in registered attendee joins the queue (one entry a person, by the database)
saying what they'd like to talk about and whether they want to meet one person or two.
`run_matching` takes the waiting people in queue order — the person waiting longest
first, so no one waits forever while later people are matched — and gives each the best
compatible partner(s) waiting now: most shared interests (their profile's and the topic
they typed) and bookmarked papers, then the longest waiting. Never paired: people who
were offered each other in the last PEOPLE_MATCH_REPEAT_HOURS, people who are introduced
(accepted) in that time, and people with a block between them.

A match is offered to its 2 or 3 people; each accepts or skips within
PEOPLE_MATCH_ANSWER_SECONDS. When all accept, their private room opens. A skip ends the
match: the others go back to the front of the queue, the skipper leaves it. An offer not
answered in time expires: those who accepted go back to the front, the others leave.
One open seat a person (a partial unique constraint) keeps anyone from two offers at once.

Every change is told to the people concerned as a `queue.state` frame (people.events):
the same frame a socket gets on connect (`queue_state`), so a client only ever replaces
its state.
"""

import contextlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from people import events, rooms
from people.models import Introduction, Match, Profile, QueueEntry, Seat
from people.safety import MeetError, blocked_pairs, check_may_meet
from portal.visitor_input import BadInput, check_text
from posters.models import Bookmark

logger = logging.getLogger(__name__)

MAX_TOPIC = 200
# One advisory lock id for the matcher on PostgreSQL: matchings run one at a time.
MATCHER_LOCK = 18_0001


def answer_seconds():
    return settings.PEOPLE_MATCH_ANSWER_SECONDS


def repeat_window():
    return timedelta(hours=settings.PEOPLE_MATCH_REPEAT_HOURS)


def terms(text):
    """Lower-case topics from comma-separated text ("Fairness, RL" -> {"fairness", "rl"})."""
    return {" ".join(t.split()).lower() for t in (text or "").split(",") if t.strip()}


def _lock():
    """Matchers, answers and expiries change the queue one at a time (PostgreSQL: an
    advisory lock for the transaction; SQLite: its write transactions are serial)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MATCHER_LOCK])


# --- the queue ------------------------------------------------------------------------


def join_queue(user, *, topic="", group_size=2, now=None):
    """Put `user` in the queue (or update what they want, keeping their place), then match."""
    check_may_meet(user)
    if group_size not in (2, 3):
        raise MeetError("Meet one person (2) or two people (3).")
    if not isinstance(topic, str) or len(topic) > MAX_TOPIC:
        raise MeetError(f"What you'd like to talk about is text of at most {MAX_TOPIC} characters.")
    try:
        topic = " ".join(check_text(topic, "What you'd like to talk about").split())
    except BadInput as problem:
        raise MeetError(str(problem)) from None
    given = now
    with transaction.atomic():
        _lock()
        # The clock is read once the lock is held: an instant read before it could be
        # older than a change made by the transaction that held it.
        now = given or timezone.now()
        if Seat.objects.filter(user=user, open=True).exists():
            raise MeetError("You have a match waiting for your answer: accept or skip it first.", "offered")
        entry = QueueEntry.objects.filter(user=user).first()
        if entry is None:
            try:
                with transaction.atomic():
                    QueueEntry.objects.create(
                        user=user, topic=topic, group_size=group_size, position=now, joined_at=now
                    )
            except IntegrityError:
                # Another tab joined at the same moment: one entry a person.
                QueueEntry.objects.filter(user=user).update(topic=topic, group_size=group_size)
        else:
            entry.topic, entry.group_size = topic, group_size
            entry.save(update_fields=["topic", "group_size"])
        events.send_after_commit([(user.pk, queue_state(user, now))])
    return run_matching(now=given)


def leave_queue(user, now=None):
    with transaction.atomic():
        _lock()
        deleted, _ = QueueEntry.objects.filter(user=user).delete()
        if deleted:
            events.send_after_commit([(user.pk, queue_state(user, now))])
    return bool(deleted)


def withdraw(user, now=None):
    """`user` no longer wants to be matched (opted out, blocked, banned): leave the queue
    and skip any offer waiting for them."""
    leave_queue(user, now)
    for seat in Seat.objects.filter(user=user, open=True):
        with contextlib.suppress(MeetError):
            answer(user, seat.match_id, accept=False, now=now)


# --- matching -------------------------------------------------------------------------


class _Waiting:
    __slots__ = ("entry", "index", "interests", "papers")

    def __init__(self, entry, index, papers):
        self.entry = entry
        self.index = index
        self.interests = terms(entry.user.interests) | terms(entry.topic)
        self.papers = papers


def _score(a, b):
    """Shared interests count twice a shared bookmarked paper."""
    return 2 * len(a.interests & b.interests) + len(a.papers & b.papers)


def _shared(people):
    common = set.intersection(*(p.interests for p in people))
    return ", ".join(sorted(common))[:500]


def _met_pairs(user_ids, now):
    """Pairs of these people who were offered each other, or introduced, recently."""
    since = now - repeat_window()
    by_match = {}
    rows = Seat.objects.filter(user_id__in=user_ids, match__created_at__gte=since).values_list("match_id", "user_id")
    for match_id, user_id in rows:
        by_match.setdefault(match_id, []).append(user_id)
    pairs = set()
    for members in by_match.values():
        pairs.update((a, b) for a in members for b in members if a != b)
    introduced = Introduction.objects.filter(
        Q(requester_id__in=user_ids) | Q(recipient_id__in=user_ids),
        status=Introduction.Status.ACCEPTED,
        answered_at__gte=since,
    ).values_list("requester_id", "recipient_id")
    for a, b in introduced:
        pairs.update({(a, b), (b, a)})
    return pairs


def _choose(waiting, excluded):
    """Groups to offer, from the waiting people in queue order; `excluded` holds the pairs
    (a, b) of user ids never to put together (a pure function)."""
    used = set()
    groups = []

    def fits(a, b):
        return (a.entry.user_id, b.entry.user_id) not in excluded

    for head in waiting:
        if head.entry.user_id in used:
            continue
        size = head.entry.group_size
        candidates = [
            w
            for w in waiting
            if w is not head and w.entry.user_id not in used and w.entry.group_size == size and fits(head, w)
        ]
        if len(candidates) < size - 1:
            continue
        # Best first: most in common with the head, then the longest waiting.
        candidates.sort(key=lambda w: (-_score(head, w), w.index))
        if size == 2:
            group = [head, candidates[0]]
        else:
            group = None
            for i, second in enumerate(candidates):
                thirds = [w for w in candidates[i + 1 :] if fits(second, w)]
                if thirds:
                    third = max(thirds, key=lambda w: (_score(head, w) + _score(second, w), -w.index))
                    group = [head, second, third]
                    break
            if group is None:
                continue
        used.update(w.entry.user_id for w in group)
        groups.append(group)
    return groups


def run_matching(now=None):
    """Offer matches to the people waiting now; returns the new matches."""
    given = now
    expire_due(given)
    with transaction.atomic():
        _lock()
        now = given or timezone.now()
        entries = list(QueueEntry.objects.select_related("user").order_by("position", "id"))
        if len(entries) < 2:
            return []
        user_ids = [e.user_id for e in entries]
        papers = {}
        for user_id, paper_id in Bookmark.objects.filter(user_id__in=user_ids).values_list("user_id", "paper_id"):
            papers.setdefault(user_id, set()).add(paper_id)
        waiting = [_Waiting(e, i, papers.get(e.user_id, set())) for i, e in enumerate(entries)]
        groups = _choose(waiting, blocked_pairs(user_ids) | _met_pairs(user_ids, now))
        matches, frames = [], []
        for group in groups:
            match = Match.objects.create(
                created_at=now, answer_by=now + timedelta(seconds=answer_seconds()), shared=_shared(group)
            )
            Seat.objects.bulk_create(
                Seat(
                    match=match,
                    user=w.entry.user,
                    position=w.entry.position,
                    topic=w.entry.topic,
                    group_size=w.entry.group_size,
                )
                for w in group
            )
            QueueEntry.objects.filter(pk__in=[w.entry.pk for w in group]).delete()
            matches.append(match)
        for match in matches:
            for seat in match.seats.select_related("user"):
                frames.append((seat.user_id, queue_state(seat.user, now)))
        events.send_after_commit(frames)
    return matches


# --- answers --------------------------------------------------------------------------


def _front_of_queue():
    first = QueueEntry.objects.order_by("position").values_list("position", flat=True).first()
    return first


def _return_to_front(seats, now):
    """Put these people back in the queue ahead of everyone waiting."""
    front = _front_of_queue()
    for offset, seat in enumerate(sorted(seats, key=lambda s: s.position)):
        position = seat.position
        if front is not None and position >= front:
            position = front - timedelta(microseconds=len(seats) - offset)
        QueueEntry.objects.update_or_create(
            user_id=seat.user_id,
            defaults={"topic": seat.topic, "group_size": seat.group_size, "position": position, "joined_at": now},
        )


def _close(match, status, now):
    match.status = status
    match.closed_at = now
    match.save(update_fields=["status", "closed_at", "room_key"])
    Seat.objects.filter(match=match).update(open=False)


def answer(user, match_id, *, accept, now=None):
    """Accept or skip a match offered to `user`. Returns the match."""
    given = now
    if not isinstance(match_id, int) or isinstance(match_id, bool):
        raise MeetError("match is the id of a match offered to you.")
    requeue = False
    with transaction.atomic():
        _lock()
        now = given or timezone.now()
        seat = Seat.objects.filter(match_id=match_id, user=user).select_related("match").first()
        if seat is None:
            raise MeetError("That match was not offered to you.", "not_yours")
        match = seat.match
        if match.status != Match.Status.OFFERED:
            raise MeetError(f"This match is over ({match.get_status_display()}).", "over")
        seats = list(match.seats.select_related("user"))
        late = now > match.answer_by
        if late:
            # Ended for everyone (and kept): the refusal is raised after the commit.
            _expire(match, seats, now)
        elif accept:
            seat.accepted_at = now
            seat.save(update_fields=["accepted_at"])
            if all(s.accepted_at or s.pk == seat.pk for s in seats):
                match.room_key = rooms.open_room_for(
                    [s.user for s in seats],
                    name="Met in the Corridor",
                    topic=match.shared or seats[0].topic,
                )
                _close(match, Match.Status.ACCEPTED, now)
        else:
            seat.skipped_at = now
            seat.save(update_fields=["skipped_at"])
            _close(match, Match.Status.SKIPPED, now)
            _return_to_front([s for s in seats if s.pk != seat.pk], now)
            requeue = True
        if not late:
            events.send_after_commit([(s.user_id, queue_state(s.user, now)) for s in seats])
    if late:
        run_matching(now=given)
        raise MeetError(f"The {answer_seconds()} seconds to answer have passed.", "expired")
    if requeue:
        run_matching(now=given)
    return match


def _expire(match, seats, now):
    _close(match, Match.Status.EXPIRED, now)
    _return_to_front([s for s in seats if s.accepted_at], now)
    events.send_after_commit([(s.user_id, queue_state(s.user, now)) for s in seats])


def expire_due(now=None):
    """End the offers nobody answered in time (beat every 10 s; sockets on time)."""
    given = now
    now = given or timezone.now()
    due = list(Match.objects.filter(status=Match.Status.OFFERED, answer_by__lt=now).values_list("pk", flat=True))
    if not due:
        return 0
    with transaction.atomic():
        _lock()
        now = given or timezone.now()
        matches = Match.objects.filter(pk__in=due, status=Match.Status.OFFERED)
        count = 0
        for match in matches:
            _expire(match, list(match.seats.select_related("user")), now)
            count += 1
    if count:
        run_matching(now=given)
    return count


def end_matches_between(a, b, now=None):
    """A block ends any offer that holds both."""
    now = now or timezone.now()
    shared = Seat.objects.filter(user=a, open=True, match__seats__user=b).values_list("match_id", flat=True)
    for match_id in list(shared):
        with contextlib.suppress(MeetError):
            answer(a, match_id, accept=False, now=now)


# --- the state a person sees --------------------------------------------------------------


def queue_state(user, now=None):
    """The full state of `user`'s "meet someone now": what a socket sends on connect and on
    every change.

    {"type": "queue.state", "status": "idle" | "waiting" | "offered" | "matched",
     "waiting": {"since", "topic", "group_size", "ahead": n} | null,
     "offer": {"match", "answer_by", "seconds_left", "shared", "people": [{id, name, affiliation,
               interests, url}], "accepted": [ids]} | null,
     "room": {"match", "key", "url", "people": […]} | null (their last match, accepted in the last hour)}
    """
    now = now or timezone.now()
    state = {"type": "queue.state", "status": "idle", "waiting": None, "offer": None, "room": None}
    entry = QueueEntry.objects.filter(user=user).first()
    if entry is not None:
        ahead = QueueEntry.objects.filter(position__lt=entry.position).count()
        state["status"] = "waiting"
        state["waiting"] = {
            "since": entry.joined_at.isoformat(),
            "topic": entry.topic,
            "group_size": entry.group_size,
            "ahead": ahead,
        }
    seat = Seat.objects.filter(user=user, open=True).select_related("match").first()
    if seat is not None:
        match = seat.match
        others = list(match.seats.exclude(user=user).select_related("user"))
        state["status"] = "offered"
        state["offer"] = {
            "match": match.pk,
            "answer_by": match.answer_by.isoformat(),
            "seconds_left": max(0, int((match.answer_by - now).total_seconds())),
            "shared": match.shared,
            "people": _people(others),
            "accepted": [s.user_id for s in match.seats.all() if s.accepted_at],
        }
    elif entry is None:
        recent = (
            Seat.objects.filter(
                user=user, match__status=Match.Status.ACCEPTED, match__closed_at__gte=now - timedelta(hours=1)
            )
            .select_related("match")
            .order_by("-match__closed_at")
            .first()
        )
        if recent is not None:
            match = recent.match
            others = list(match.seats.exclude(user=user).select_related("user"))
            state["status"] = "matched"
            state["room"] = {
                "match": match.pk,
                "key": match.room_key,
                "url": rooms.url_for(match.room_key),
                "people": _people(others),
            }
    return state


def _people(seats):
    """The others in a match, as shown to a person: only those who still share a profile
    (opting out removes a person everywhere at once, offers and rooms included)."""
    sharing = set(
        Profile.objects.filter(user_id__in=[s.user_id for s in seats], public=True).values_list("user_id", flat=True)
    )
    return [_person(s.user) for s in seats if s.user_id in sharing]


def _person(user):
    from django.urls import reverse

    return {
        "id": user.pk,
        "name": user.display_name,
        "affiliation": user.affiliation,
        "interests": user.interest_list,
        "url": reverse("people:profile", args=[user.pk]),
    }
