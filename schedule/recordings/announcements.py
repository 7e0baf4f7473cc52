"""Realtime announcements of released videos, sent to the "announcements" group.

Only this module emits them (the chat's services own the chat's events); tests capture
what was sent with `captured()`.
"""

import contextlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

GROUP = "announcements"
_captures = []


@contextlib.contextmanager
def captured():
    events = []
    _captures.append(events)
    try:
        yield events
    finally:
        _captures.remove(events)


def announce_release(day, count):
    """Tell connected browsers that `count` videos of `day` are out; False if the layer is down."""
    from schedule.recordings.release import announcement_text

    event = {"type": "videos.released", "day": day.isoformat(), "count": count, "text": announcement_text(count)}
    for events in _captures:
        events.append({"group": GROUP, "event": event})
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(GROUP, event)
    except Exception:
        logger.warning("recordings: could not announce the release of %s", day, exc_info=True)
        return False
    return True
