"""Noticing that this process has lost the channel layer, so no open socket is left deaf.

With `RedisPubSubChannelLayer` (the production choice, docs/realtime.md) a socket that is
already open does not notice when Redis goes away: its consumer waits on a local queue,
and the broadcasts it misses are simply never delivered. The core layer's consumers die
with their Redis connection instead, which the browser notices.

So each server process with open room sockets checks its link every
`CHAT_LINK_CHECK_SECONDS`: it sends a ping to a channel of its own through the layer and
waits for it to come back. When that fails, every room socket of the process is closed
with 1012 ("service restart"); the browser client reconnects with back-off (refused while
the layer is down) and then fetches what it missed by id, so nothing is lost for good and
nobody reads a conversation that has silently stopped. The check stops when the
process's last socket closes. 0 turns it off (the embedded default's in-memory layer
cannot fail).
"""

import asyncio
import logging
import weakref

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

SERVICE_RESTART = 1012
LOST_AFTER = 15.0  # seconds without an answer from the layer

_checks: dict[asyncio.AbstractEventLoop, "LinkCheck"] = {}


class LinkCheck:
    def __init__(self, interval):
        self.interval = interval
        # A lost Redis fails at once (connection refused). Waiting is only for a Redis that
        # stopped answering; it must not be a process merely busy (a burst of 1,000 connects
        # took 4 s): closing every socket then would bring them all back at once.
        self.timeout = max(LOST_AFTER, interval)
        self.sockets = weakref.WeakSet()
        self.loop = asyncio.get_running_loop()
        self.task = self.loop.create_task(self.run())

    async def run(self):
        layer = get_channel_layer()
        channel = None
        try:
            while self.sockets:
                try:
                    if channel is None:
                        channel = await asyncio.wait_for(layer.new_channel("chat-link."), self.timeout)
                    await asyncio.wait_for(layer.send(channel, {"type": "link.ping"}), self.timeout)
                    await asyncio.wait_for(layer.receive(channel), self.timeout)
                except Exception:  # noqa: BLE001  (any failure of the layer is a lost link)
                    logger.warning("chat: channel layer link lost; closing %d room sockets", len(self.sockets))
                    channel = None
                    await self.close_all()
                await asyncio.sleep(self.interval)
        finally:
            if _checks.get(self.loop) is self:
                del _checks[self.loop]

    async def close_all(self):
        for consumer in list(self.sockets):
            self.sockets.discard(consumer)
            try:
                await consumer.close(code=SERVICE_RESTART)
            except Exception:  # already closing: nothing more to do
                logger.debug("chat: socket already closed", exc_info=True)


def watch(consumer):
    """Check this process's link while `consumer` is open."""
    interval = getattr(settings, "CHAT_LINK_CHECK_SECONDS", 0)
    if not interval:
        return
    loop = asyncio.get_running_loop()
    check = _checks.get(loop)
    if check is None or check.task.done():
        check = _checks[loop] = LinkCheck(interval)
    check.sockets.add(consumer)


def unwatch(consumer):
    check = _checks.get(asyncio.get_running_loop())
    if check is not None:
        check.sockets.discard(consumer)
