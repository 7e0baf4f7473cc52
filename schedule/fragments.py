"""The programme's version: the calendar feeds keep their files under it
(schedule/feeds.py), and the programme's pages read its span from it.

GENERATION_KEY moves on whenever a session is saved or deleted (`programme_changed`).
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Min

STATE_SECONDS = 60
GENERATION_KEY = "schedule:programme-generation"


def programme_state():
    """What identifies this version of the programme, and its span: one query, then the cache.

    Every page of the programme needs it, so it is kept under a generation that
    `programme_changed` moves on (after commit) whenever a session is saved or deleted: a
    reader that saw the new generation also sees the committed change. Writes that send
    no signal (a queryset update) show within STATE_SECONDS.
    """
    from schedule.models import Session

    generation = cache.get(GENERATION_KEY, 0)
    key = f"schedule:programme-state:{generation}"
    state = cache.get(key)
    if state is None:
        state = Session.objects.aggregate(
            count=Count("id"), changed=Max("updated_at"), first=Min("start"), last=Max("end")
        )
        cache.set(key, state, STATE_SECONDS)
    return state


def programme_changed(**kwargs):
    """Receiver of Session's post_save and post_delete: the next request reads the state afresh.

    Moved on now (this transaction's own next read) and again after commit: a reader in
    between may have cached the state without the change under the first new generation.
    """
    _next_generation()
    transaction.on_commit(_next_generation, robust=True)


def _next_generation():
    # A new generation each time, even when the cache was emptied (incr needs the key).
    cache.set(GENERATION_KEY, time.time_ns(), None)


def version_of(state, conference):
    changed = state["changed"].timestamp() if state["changed"] else 0
    return f"{state['count']}.{changed}.{conference.updated_at.timestamp()}"
