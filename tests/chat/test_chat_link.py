"""chat.link: a process closes its sockets (1012) when it has lost the channel layer,
and only then: one that is merely behind keeps them while Redis answers."""

import asyncio
import contextlib

import pytest

from chat import link
from tests.production import free_port


class Layer:
    """A channel layer whose pings come back `delay` seconds late (an event loop that is behind)."""

    def __init__(self, delay):
        self.delay = delay
        self.pings = asyncio.Queue()

    async def new_channel(self, prefix="specific."):
        return f"{prefix}1"

    async def send(self, channel, message):
        self.pings.put_nowait(message)

    async def receive(self, channel):
        await asyncio.sleep(self.delay)
        return await self.pings.get()


class Socket:
    closed_with = None

    async def close(self, code=None):
        self.closed_with = code


async def codes_after(seconds, layer, redis_url, settings, monkeypatch, patience=None):
    """The close codes of three sockets watched for `seconds`, the layer's Redis at `redis_url`."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [redis_url]}}
    }
    settings.CHAT_LINK_CHECK_SECONDS = 0.1
    monkeypatch.setattr(link, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(link, "LOST_AFTER", 0.3)
    if patience is not None:
        monkeypatch.setattr(link, "PATIENCE", patience, raising=False)
    sockets = [Socket() for _ in range(3)]
    for socket in sockets:
        link.watch(socket)
    check = link._checks[asyncio.get_running_loop()]
    await asyncio.sleep(seconds)
    for socket in sockets:
        link.unwatch(socket)
    check.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await check.task
    return [socket.closed_with for socket in sockets]


@pytest.mark.redis
async def test_a_process_that_hears_its_ping_late_keeps_its_sockets_while_redis_answers(settings, monkeypatch):
    """The keynote bench's server fell 15 s behind and closed 1,631 healthy sockets."""
    codes = await codes_after(1.5, Layer(delay=0.5), settings.REDIS_URL, settings, monkeypatch)
    assert codes == [None, None, None]


@pytest.mark.redis
async def test_a_ping_that_never_comes_closes_the_sockets_although_redis_answers(settings, monkeypatch):
    """Redis is there but this process's subscription is not: its sockets would never hear again."""
    codes = await codes_after(1.2, Layer(delay=3600), settings.REDIS_URL, settings, monkeypatch, patience=2)
    assert codes == [link.SERVICE_RESTART] * 3


async def test_no_ping_and_no_answer_from_redis_closes_the_sockets(settings, monkeypatch):
    codes = await codes_after(1.0, Layer(delay=3600), f"redis://127.0.0.1:{free_port()}/0", settings, monkeypatch)
    assert codes == [link.SERVICE_RESTART] * 3
