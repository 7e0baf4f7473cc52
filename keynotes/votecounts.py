"""Vote counts, sent coalesced: at most one `question.votes` frame per question per
KEYNOTES_VOTE_UPDATE_SECONDS (0.25 s), so a burst of votes is not a burst of frames.

The first vote on a question in a window claims the window (a cache key that lives for
the window: shared by every server process through Redis, per process without it) and
schedules one send just after the window ends; votes inside the window only store. The
send reads the count from the database then, so it includes every vote stored before
the window closed (each vote is committed before it looks at the claim), and the next
vote after it claims a new window: nothing is lost, the last frame is the final count.
"""

import asyncio
import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from chat.services import events
from chat.services.db import in_pool

logger = logging.getLogger(__name__)

# Sent this long after the window's end, so the claim has expired everywhere first.
MARGIN = 0.01
_timers: dict[int, tuple[threading.Timer, object]] = {}
_lock = threading.Lock()


def interval():
    return settings.KEYNOTES_VOTE_UPDATE_SECONDS


def _claim(question_id):
    try:
        return bool(cache.add(f"keynotes:votes:{question_id}", 1, timeout=interval()))
    except Exception:
        logger.warning("keynotes: vote coalescing unavailable", exc_info=True)
        return True


def counts_frame(keynote, question_ids):
    from keynotes.models import Question

    counts = dict(Question.objects.filter(pk__in=question_ids).values_list("pk", "votes"))
    return {"type": "question.votes", "votes": {str(pk): n for pk, n in sorted(counts.items())}}


def _groups(keynote):
    from keynotes.services import moderator_group, public_group

    return public_group(keynote), moderator_group(keynote)


def send_counts(keynote, question_ids):
    frame = counts_frame(keynote, question_ids)
    for group in _groups(keynote):
        events.broadcast(group, frame)


async def asend_counts(keynote, question_ids):
    frame = await in_pool(counts_frame)(keynote, question_ids)
    for group in _groups(keynote):
        await events.abroadcast(group, frame)


def claim(question_ids):
    """The questions whose count this caller is to send (the first vote of a window)."""
    return [question_id for question_id in question_ids if _claim(question_id)]


def send_later(keynote, question_ids):
    """From synchronous code (a page's form): a thread sends after the window."""
    for question_id in question_ids:

        def send(question_id=question_id):
            with _lock:
                _timers.pop(question_id, None)
            try:
                send_counts(keynote, [question_id])
            except Exception:
                logger.warning("keynotes: could not send the vote count of %s", question_id, exc_info=True)

        def in_thread(send=send):
            try:
                send()
            finally:
                # The timer's thread opened its own connection: close it with the thread.
                connections.close_all()

        timer = threading.Timer(interval() + MARGIN, in_thread)
        timer.daemon = True
        with _lock:
            _timers[question_id] = (timer, send)
        timer.start()


def asend_later(keynote, question_ids):
    """From the socket's event loop: the loop sends after the window."""
    loop = asyncio.get_running_loop()
    for question_id in question_ids:
        loop.call_later(interval() + MARGIN, lambda q=question_id: loop.create_task(_asend(keynote, q)))


async def _asend(keynote, question_id):
    try:
        await asend_counts(keynote, [question_id])
    except Exception:
        logger.warning("keynotes: could not send the vote count of %s", question_id, exc_info=True)


def flush_now():
    """Send every count a thread is waiting to send, now (tests, shutdown)."""
    with _lock:
        pending = list(_timers.values())
        _timers.clear()
    for timer, send in pending:
        timer.cancel()
        send()
