"""A room's version: it changes whenever what its panel shows changes (a message posted,
edited, deleted, hidden or shown again), so the panel's cached HTML (chat/panel.py) is
stale at once. Only the service layer bumps it, beside the events it sends."""

import time

from django.core.cache import cache
from django.db import transaction


def version_key(room_key):
    return f"chat:room-version:{room_key}"


def bump(room):
    """Stale now, and again when the transaction commits (a panel rendered in between from
    data not yet visible to others must not survive)."""
    key = version_key(room.key)

    def bump_now():
        cache.set(key, time.time_ns(), None)

    bump_now()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump_now)
