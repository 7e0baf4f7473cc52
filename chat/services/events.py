"""The one place that sends realtime events (the Zulip habit).

Every event is a JSON frame of the room protocol, encoded once here and sent to a channel
group as {"type": "chat.frame", "text": ...}: the consumers only forward the text, so a
message to 1,000 listeners is serialised once, not 1,000 times. Tests wrap an action in
`capture()` and assert exactly what was emitted.
"""

import json
import logging
from contextlib import contextmanager

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

_captures = []


def room_group(room):
    return room.group_name


def user_group(user_id):
    return f"chat.user.{user_id}"


@contextmanager
def capture():
    """Collect every event emitted inside the block as {"group": ..., "frame": {...}}."""
    events = []
    _captures.append(events)
    try:
        yield events
    finally:
        _captures.remove(events)


def encode(frame):
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


async def abroadcast(group, frame):
    """Send a frame to a group; False (logged) when the channel layer is down.

    A failure here never undoes what was stored: clients that missed the event catch up
    from the history API by id when they reconnect.
    """
    for events in _captures:
        events.append({"group": group, "frame": frame})
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        await layer.group_send(group, {"type": "chat.frame", "text": encode(frame)})
    except Exception:
        logger.warning("chat: could not broadcast %s to %s", frame.get("type"), group, exc_info=True)
        return False
    return True


def broadcast(group, frame):
    """The same from synchronous code (views, tasks, admin)."""
    return async_to_sync(abroadcast)(group, frame)
