"""chat.fanout: a server process is one member of a group however many of its sockets are
in it, and hands each of the group's messages to every one of them."""

import asyncio
import uuid

import pytest
from channels.layers import get_channel_layer

from chat import fanout
from tests.chat.test_chat_redis import layer_settings

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


class Socket(fanout.Member):
    def __init__(self):
        self.frames = []

    async def chat_frame(self, event):
        self.frames.append(event["text"])


async def until(condition, seconds=5.0):
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def started(n, group):
    sockets = [Socket() for _ in range(n)]
    for socket in sockets:
        await socket.join_group(group)
        await socket.start_delivery()
    return sockets


async def send(group, text):
    await get_channel_layer().group_send(group, {"type": "chat.frame", "text": text})


async def test_every_local_socket_gets_each_frame_once_through_one_membership(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY
    group = "chat.room.fanout"
    ada, bob, cy = await started(3, group)
    assert len(get_channel_layer().groups[group]) == 1  # one channel for the process, not three
    await send(group, "one")
    await until(lambda: all(s.frames == ["one"] for s in (ada, bob, cy)))

    await bob.leave_groups()
    assert fanout.members(group) == {ada, cy}
    await send(group, "two")
    await until(lambda: ada.frames == cy.frames == ["one", "two"])
    await asyncio.sleep(0.05)
    assert bob.frames == ["one"]

    await ada.leave_groups()
    await cy.leave_groups()
    assert fanout.members(group) == set()
    assert not get_channel_layer().groups.get(group)  # the process left the layer's group with its last socket


async def test_frames_wait_for_the_state_frame_and_keep_their_order(settings):
    """A socket joins before it reads the state it sends first: what comes meanwhile is held."""
    settings.CHANNEL_LAYERS = IN_MEMORY
    group = "chat.room.held"
    (watching,) = await started(1, group)
    arriving = Socket()
    await arriving.join_group(group)
    for text in ("a", "b", "c"):
        await send(group, text)
    await until(lambda: watching.frames == ["a", "b", "c"])
    assert arriving.frames == []
    arriving.frames.append("state")
    await arriving.start_delivery()
    await send(group, "d")
    await until(lambda: arriving.frames == ["state", "a", "b", "c", "d"])
    for socket in (watching, arriving):
        await socket.leave_groups()


class SlowSocket(Socket):
    """A socket whose client reads slowly: each send waits until `reading` is set."""

    def __init__(self):
        super().__init__()
        self.reading = asyncio.Event()

    async def chat_frame(self, event):
        await self.reading.wait()
        self.frames.append(event["text"])


async def test_a_slow_socket_holds_up_only_its_own_frames(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY
    group = "chat.room.slow"
    slow = SlowSocket()
    await slow.join_group(group)
    slow.reading.set()
    await slow.start_delivery()
    slow.reading.clear()
    (fast,) = await started(1, group)
    for text in ("a", "b", "c"):
        await send(group, text)
    await until(lambda: fast.frames == ["a", "b", "c"])
    assert slow.frames == []
    slow.reading.set()
    await until(lambda: slow.frames == ["a", "b", "c"])
    await send(group, "d")
    await until(lambda: slow.frames == fast.frames == ["a", "b", "c", "d"])
    for socket in (slow, fast):
        await socket.leave_groups()


@pytest.mark.redis
@pytest.mark.parametrize("backend", ["core", "pubsub"])
async def test_through_redis_the_group_reaches_each_process_socket(settings, backend):
    settings.CHANNEL_LAYERS = layer_settings(backend, settings.REDIS_URL)
    group = f"chat.room.{uuid.uuid4().hex[:8]}"
    sockets = await started(50, group)
    await send(group, "through redis")
    await until(lambda: all(s.frames == ["through redis"] for s in sockets))
    for socket in sockets:
        await socket.leave_groups()
    await get_channel_layer().flush()
