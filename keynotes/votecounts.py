"""Vote counts, sent coalesced: at most one `question.votes` frame per keynote (so per
question) per KEYNOTES_VOTE_UPDATE_SECONDS (0.25 s), carrying every count that moved in
that window. A burst of votes is not a burst of frames: at 100 votes/s over a hundred
questions a client gets four frames a second, not a hundred.

Each stored vote notes its question in the keynote's pending set, then tries to claim the
keynote's window (a key that lives for the window). The voter who claims it schedules one
send just after the window ends; that send takes the pending set (read and emptied at
once) and reads those questions' counts from the database. A vote is noted only once it
is committed, and whoever notes it either claims a window or finds one open, whose send
comes after: so every vote reaches a frame, and the last frame of each question is its
final count. With Redis the set and the claim are shared by every server process; without
it (the embedded default, one process) they live in the process.

On PostgreSQL a vote (or unvote) is stored and counted in one statement (`count_vote`):
at 100 votes/s the ORM's six round trips per vote, each waiting for the event loop to
hand back the GIL, queued the votes for seconds (docs/benchmarks.md).
"""

import asyncio
import logging
import threading
from collections import defaultdict

from django.conf import settings
from django.db import connections

from chat.services import events
from chat.services.db import in_pool

logger = logging.getLogger(__name__)

# Sent this long after the window's end, so the claim has expired everywhere first.
MARGIN = 0.01
PENDING_TTL = 60  # seconds: a pending set nobody sends (a process killed) does not linger
_timers: dict[int, tuple[threading.Timer, object]] = {}
_lock = threading.Lock()
_local_pending = defaultdict(set)
_local_claims = {}


# One round trip: lock the question, insert the vote (or delete it) when the question is
# visible, and move its count and version when a row changed. Sub-statements of a WITH
# share one snapshot, so the count is read back from the UPDATE; the question's row lock
# (FOR UPDATE) orders this against moderation (hide, merge) as the ORM path does.
_COUNT_SQL = """
WITH q AS (
    SELECT id, status, merged_into_id, votes, votes_version FROM {{question}}
    WHERE id = %(question)s AND keynote_id = %(keynote)s FOR UPDATE
), changed AS (
    {change}
    RETURNING question_id
), moved AS (
    UPDATE {{question}} SET votes = votes {sign} 1, votes_version = votes_version + 1
    WHERE id IN (SELECT question_id FROM changed)
    RETURNING votes, votes_version
)
SELECT q.status, q.merged_into_id, COALESCE(moved.votes, q.votes), COALESCE(moved.votes_version, q.votes_version),
       moved.votes IS NOT NULL
FROM q LEFT JOIN moved ON TRUE
"""
_VOTE_SQL = _COUNT_SQL.format(
    change="""INSERT INTO {vote} (question_id, user_id, created_at)
    SELECT id, %(user)s, %(now)s FROM q WHERE status = %(visible)s
    ON CONFLICT (question_id, user_id) DO NOTHING""",
    sign="+",
)
_UNVOTE_SQL = _COUNT_SQL.format(
    change="""DELETE FROM {vote}
    WHERE question_id IN (SELECT id FROM q WHERE status = %(visible)s) AND user_id = %(user)s""",
    sign="-",
)


def in_one_statement():
    """Whether votes are stored by `count_vote` (PostgreSQL) rather than the ORM (SQLite)."""
    return connections["default"].vendor == "postgresql"


def count_vote(keynote_id, question_id, user_id, on, now):
    """Store (or take back) one person's vote on PostgreSQL, in one statement.

    Returns (status, merged_into_id, votes, votes_version, changed), or None when the
    keynote has no such question. Nothing is stored unless the question is visible.
    """
    from keynotes.models import Question, Vote

    sql = (_VOTE_SQL if on else _UNVOTE_SQL).format(
        question=connections["default"].ops.quote_name(Question._meta.db_table),
        vote=connections["default"].ops.quote_name(Vote._meta.db_table),
    )
    params = {
        "question": question_id,
        "keynote": keynote_id,
        "user": user_id,
        "now": now,
        "visible": Question.Status.VISIBLE,
    }
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def interval():
    return settings.KEYNOTES_VOTE_UPDATE_SECONDS


def _redis():
    """The cache's Redis client, or None (the embedded default's local-memory cache)."""
    if not settings.REDIS_URL:
        return None
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except (ImportError, NotImplementedError):
        return None


def _keys(keynote_id):
    return f"keynotes:votes:pending:{keynote_id}", f"keynotes:votes:claim:{keynote_id}"


def note(keynote_id, question_ids):
    """Note these questions' counts as moved; True when this caller is to send them."""
    client = _redis()
    if client is not None:
        pending, claim = _keys(keynote_id)
        try:
            pipe = client.pipeline(transaction=False)
            pipe.sadd(pending, *question_ids)
            pipe.expire(pending, PENDING_TTL)
            pipe.set(claim, 1, nx=True, px=max(1, int(interval() * 1000)))
            return bool(pipe.execute()[-1])
        except Exception:  # Redis gone: coalesce in this process
            logger.warning("keynotes: vote coalescing through Redis unavailable", exc_info=True)
    import time

    now = time.monotonic()
    with _lock:
        _local_pending[keynote_id].update(question_ids)
        if _local_claims.get(keynote_id, 0) > now:
            return False
        _local_claims[keynote_id] = now + interval()
        return True


def take(keynote_id):
    """The questions noted since the last send (emptied)."""
    client = _redis()
    taken = set()
    if client is not None:
        pending, _ = _keys(keynote_id)
        try:
            pipe = client.pipeline(transaction=True)
            pipe.smembers(pending)
            pipe.delete(pending)
            taken = {int(member) for member in pipe.execute()[0]}
        except Exception:  # Redis gone: what this process noted is still sent
            logger.warning("keynotes: vote coalescing through Redis unavailable", exc_info=True)
    with _lock:
        taken |= _local_pending.pop(keynote_id, set())
    return taken


def counts_frame(keynote):
    """The frame for what moved since the last send, or None when nothing did."""
    from keynotes.models import Question

    question_ids = take(keynote.pk)
    if not question_ids:
        return None
    rows = sorted(Question.objects.filter(pk__in=question_ids).values_list("pk", "votes", "votes_version"))
    return {
        "type": "question.votes",
        "votes": {str(pk): n for pk, n, _ in rows},
        # Frames from different server processes may cross: a client keeps the highest version.
        "versions": {str(pk): version for pk, _, version in rows},
    }


def _groups(keynote):
    from keynotes.services import moderator_group, public_group

    return public_group(keynote), moderator_group(keynote)


def send_counts(keynote):
    frame = counts_frame(keynote)
    if frame is not None:
        for group in _groups(keynote):
            events.broadcast(group, frame)


async def asend_counts(keynote):
    frame = await in_pool(counts_frame)(keynote)
    if frame is not None:
        for group in _groups(keynote):
            await events.abroadcast(group, frame)


def send_later(keynote):
    """From synchronous code (a page's form): a thread sends after the window."""

    def send():
        with _lock:
            _timers.pop(keynote.pk, None)
        try:
            send_counts(keynote)
        except Exception:  # the layer is gone: clients get the counts with the state when they reconnect
            logger.warning("keynotes: could not send the vote counts of %s", keynote.slug, exc_info=True)

    def in_thread():
        try:
            send()
        finally:
            # The timer's thread opened its own connection: close it with the thread.
            connections.close_all()

    timer = threading.Timer(interval() + MARGIN, in_thread)
    timer.daemon = True
    with _lock:
        _timers[keynote.pk] = (timer, send)
    timer.start()


def asend_later(keynote):
    """From the socket's event loop: the loop sends after the window."""
    loop = asyncio.get_running_loop()
    loop.call_later(interval() + MARGIN, lambda: loop.create_task(_asend(keynote)))


async def _asend(keynote):
    try:
        await asend_counts(keynote)
    except Exception:  # as above
        logger.warning("keynotes: could not send the vote counts of %s", keynote.slug, exc_info=True)


def flush_now():
    """Send every count a thread is waiting to send, now (tests, shutdown)."""
    with _lock:
        pending = list(_timers.values())
        _timers.clear()
        _local_claims.clear()  # the windows these timers were closing are closed now
    for timer, send in pending:
        timer.cancel()
        send()
