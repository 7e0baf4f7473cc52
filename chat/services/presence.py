"""How many people are in a room now, shared across server processes through the cache.

Counts are incremented on connect and decremented on disconnect. Broadcasts are
coalesced (DESIGN.md): a burst of 1,000 connects sends each room at most one `presence`
frame per CHAT_PRESENCE_INTERVAL seconds from each process, not one per connect. Counts are
kept under the room's key (hashed: `token`). With the cache down
the count is unknown (None) and nothing else breaks. A process killed without running
its disconnects leaves its counts behind until PRESENCE_TTL passes with no change.
"""

import asyncio
import hashlib
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache

from chat.services import events

logger = logging.getLogger(__name__)

PRESENCE_TTL = 24 * 3600

_pending: dict[int, asyncio.Task] = {}


def token(room_key):
    """A short stand-in for the room's key."""
    return hashlib.sha1(room_key.encode(), usedforsecurity=False).hexdigest()[:20]


def token_cache_key(room_token):
    return f"chat:present:{room_token}"


def cache_key(room_key):
    return token_cache_key(token(room_key))


def _change(room_key, delta):
    key = cache_key(room_key)
    try:
        cache.add(key, 0, timeout=PRESENCE_TTL)
        value = cache.incr(key, delta)
        if value is None:  # django-redis swallowing a connection error
            return None
        if value < 0:
            cache.set(key, 0, timeout=PRESENCE_TTL)
            return 0
        cache.touch(key, PRESENCE_TTL)
        return value
    except ValueError:  # the key expired between add and incr
        cache.set(key, max(delta, 0), timeout=PRESENCE_TTL)
        return max(delta, 0)
    except Exception:
        logger.warning("chat: presence count unavailable", exc_info=True)
        return None


def counts(room_keys):
    """{room key: people present} for many rooms in one cache round trip (0 when unknown)."""
    keys = {cache_key(room_key): room_key for room_key in room_keys}
    try:
        found = cache.get_many(list(keys))
    except Exception:  # noqa: BLE001
        found = {}
    return {room_key: int(found.get(key) or 0) for key, room_key in keys.items()}


def count(room_key):
    return counts([room_key])[room_key]


async def join(room):
    present = await sync_to_async(_change, thread_sensitive=False)(room.key, 1)
    _schedule(room)
    return present


async def leave(room):
    await sync_to_async(_change, thread_sensitive=False)(room.key, -1)
    _schedule(room)


def _schedule(room):
    loop = asyncio.get_running_loop()
    task = _pending.get(room.pk)
    if task is not None and not task.done() and task.get_loop() is loop:
        return
    _pending[room.pk] = loop.create_task(_flush_later(room))


async def _flush_later(room):
    try:
        await asyncio.sleep(getattr(settings, "CHAT_PRESENCE_INTERVAL", 1.0))
        present = await sync_to_async(count, thread_sensitive=False)(room.key)
    finally:
        if _pending.get(room.pk) is asyncio.current_task():
            del _pending[room.pk]
    await events.abroadcast(events.room_group(room), {"type": "presence", "present": present})
