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

A ping that has not come back after `LOST_AFTER` seconds is not proof on its own: a
process whose event loop is behind (the keynote bench, 2,000 sockets and 100 votes/s on
two cores) hears its ping late although Redis is fine, and closing its sockets then
brings them all back at once onto the same busy process (the bench lost 1,631 clients
that way). So the check then asks Redis itself (a PING on a connection of its own,
`PING_TIMEOUT` seconds at most): when Redis does not answer, the link is lost; when it
does, the check keeps waiting for the same ping, which a process that is merely behind
hears in the end, up to `PATIENCE` times. A ping that never comes although Redis answers
(the layer's subscription lost) is a lost link too.
"""

import asyncio
import contextlib
import logging
import weakref

from channels.layers import get_channel_layer
from django.conf import settings
from redis import asyncio as aioredis

logger = logging.getLogger(__name__)

SERVICE_RESTART = 1012
LOST_AFTER = 15.0  # seconds without an answer from the layer before asking Redis directly
PING_TIMEOUT = 2.0  # seconds for Redis to answer that PING
PATIENCE = 4  # times LOST_AFTER a process that Redis answers may take to hear its ping

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
        self.channel = None
        try:
            while self.sockets:
                lost = await self.check(layer)
                if lost:
                    logger.warning("chat: channel layer link lost (%s); closing %d sockets", lost, len(self.sockets))
                    await self.close_all()
                await asyncio.sleep(self.interval)
        finally:
            if _checks.get(self.loop) is self:
                del _checks[self.loop]

    async def check(self, layer):
        """None when this process hears its own ping through the layer, else why not."""
        try:
            if self.channel is None:
                self.channel = await asyncio.wait_for(layer.new_channel("chat-link."), self.timeout)
            await asyncio.wait_for(layer.send(self.channel, {"type": "link.ping"}), self.timeout)
        except Exception as exc:  # noqa: BLE001  (any failure of the layer is a lost link)
            self.channel = None
            return type(exc).__name__
        # Not wait_for: cancelling a PubSub receive unsubscribes its channel, and a late
        # ping must still be heard on it.
        answer = asyncio.ensure_future(layer.receive(self.channel))
        try:
            for _ in range(PATIENCE):
                done, _ = await asyncio.wait({answer}, timeout=self.timeout)
                if done:
                    return None if answer.exception() is None else type(answer.exception()).__name__
                if not await redis_answers():
                    return f"no ping back in {self.timeout:.0f} s and no answer from Redis"
                logger.warning(
                    "chat: no link ping back in %.0f s but Redis answers: this process is behind", self.timeout
                )
            return f"no ping back in {PATIENCE * self.timeout:.0f} s although Redis answers"
        finally:
            if not answer.done():
                answer.cancel()
                self.channel = None
            elif answer.cancelled() or answer.exception() is not None:
                self.channel = None

    async def close_all(self):
        for consumer in list(self.sockets):
            self.sockets.discard(consumer)
            try:
                await consumer.close(code=SERVICE_RESTART)
            except Exception:  # already closing: nothing more to do
                logger.debug("chat: socket already closed", exc_info=True)


def redis_address():
    """The channel layer's Redis (its first host), or None for a layer without one."""
    hosts = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts") or [None]
    return hosts[0].get("address") if isinstance(hosts[0], dict) else hosts[0]


async def redis_answers(timeout=None):
    """Whether the channel layer's Redis answers a PING within `timeout` seconds."""
    timeout = PING_TIMEOUT if timeout is None else timeout
    address = redis_address()
    if not isinstance(address, str):
        return False
    client = aioredis.from_url(address, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(await asyncio.wait_for(client.ping(), timeout))
    except Exception:  # noqa: BLE001  (no answer of any kind is no answer)
        return False
    finally:
        with contextlib.suppress(Exception):
            await client.aclose()


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
