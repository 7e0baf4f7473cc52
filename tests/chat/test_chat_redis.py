"""The chat over real Redis channel layers, and what happens when Redis goes away."""

import asyncio
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from channels.db import database_sync_to_async
from django.test import AsyncClient

from chat.models import Message
from chat.rooms import open_room
from tests.chat.conftest import close_all, open_socket, post, receive_until
from tests.chat.factories import AttendeeFactory
from tests.conftest import skip_or_fail
from tests.production import free_port

pytestmark = pytest.mark.django_db(transaction=True)

LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}


def layer_settings(backend, url):
    # A fresh prefix per test, so groups left in Redis by an earlier test never match.
    config = {"hosts": [{"address": url, "max_connections": 200}], "prefix": f"test-{uuid.uuid4().hex[:8]}"}
    return {"default": {"BACKEND": LAYERS[backend], "CONFIG": config}}


@pytest.mark.redis
@pytest.mark.parametrize("backend", sorted(LAYERS))
async def test_posts_reach_every_listener_through_real_redis(settings, backend):
    settings.CHANNEL_LAYERS = layer_settings(backend, settings.REDIS_URL)
    await database_sync_to_async(open_room)("corridor")
    ada = await database_sync_to_async(AttendeeFactory)()
    bob = await database_sync_to_async(AttendeeFactory)()
    sender, _ = await open_socket("corridor", ada)
    listeners = [(await open_socket("corridor", bob))[0] for _ in range(3)]
    ack = await post(sender, "through redis")
    assert ack["type"] == "message.ack"
    for listener in listeners:
        frame = await receive_until(listener, "message.new")
        assert (frame["message"]["id"], frame["message"]["html"]) == (ack["id"], "<p>through redis</p>")
    await sender.send_json_to({"type": "message.delete", "id": ack["id"], "client_id": "d"})
    for listener in listeners:
        assert await receive_until(listener, "message.hidden") == {
            "type": "message.hidden",
            "id": ack["id"],
            "reason": "deleted",
        }
    await close_all(sender, *listeners)


class PrivateRedis:
    """A redis-server of this test's own on a free loopback port, to stop and start at will."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603  (a fixed local binary, no shell)
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


async def reconnect(key, user, attempts=20):
    """Like the browser client: retry with a pause until the layer's pool has reconnected."""
    for _ in range(attempts):
        communicator, state = await open_socket(key, user)
        if isinstance(state, dict):
            return communicator, state
        await asyncio.sleep(0.25)
    raise AssertionError(f"no socket to {key} after {attempts} attempts")


@pytest.fixture
def private_redis():
    if not shutil.which("redis-server"):
        skip_or_fail("the degradation test needs the redis-server binary")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.mark.redis
async def test_with_redis_stopped_pages_render_posts_are_stored_and_clients_catch_up(settings, private_redis):
    settings.CHANNEL_LAYERS = layer_settings("core", private_redis.url)
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    await database_sync_to_async(open_room)("corridor")
    ada = await database_sync_to_async(AttendeeFactory)()
    client = AsyncClient()
    await client.aforce_login(ada)

    before, state = await open_socket("corridor", ada)
    assert state["present"] == 1
    await before.disconnect()

    private_redis.stop()
    assert (await client.get("/corridor/")).status_code == 200
    assert (await client.get("/rooms/")).status_code == 200
    response = await client.post(
        "/api/v1/rooms/corridor/messages/",
        {"body": "posted while redis was down", "client_id": "down-1"},
        content_type="application/json",
    )
    stored = await database_sync_to_async(Message.objects.get)()
    assert (response.status_code, response.json()["id"]) == (201, stored.pk)
    # A socket cannot join its room's group: it is told to try again later, and the client retries.
    refused, code = await open_socket("corridor", ada)
    assert refused is not None and code == 1013

    private_redis.start()
    after, state = await reconnect("corridor", ada)
    assert [m["id"] for m in state["messages"]] == [stored.pk]
    assert (await post(after, "and after", client_id="up-1"))["type"] == "message.ack"
    await close_all(after)


@pytest.mark.redis
@pytest.mark.parametrize("backend", sorted(LAYERS))
async def test_open_sockets_are_closed_when_the_layer_is_lost_and_catch_up_after(settings, private_redis, backend):
    """PubSub consumers would otherwise wait on a local queue and never hear of the
    outage: chat.link closes them (1012) so the client reconnects and fetches by id."""
    settings.CHANNEL_LAYERS = layer_settings(backend, private_redis.url)
    settings.CHAT_LINK_CHECK_SECONDS = 0.3
    await database_sync_to_async(open_room)("corridor")
    ada = await database_sync_to_async(AttendeeFactory)()
    listener, state = await open_socket("corridor", ada)
    assert state["type"] == "room.state"

    private_redis.stop()
    closed = None
    for _ in range(30):
        output = await listener.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            closed = output
            break
    assert closed == {"type": "websocket.close", "code": 1012}
    client = AsyncClient()
    await client.aforce_login(ada)
    response = await client.post(
        "/api/v1/rooms/corridor/messages/",
        {"body": "said while the layer was down", "client_id": "gap-1"},
        content_type="application/json",
    )
    assert response.status_code == 201

    private_redis.start()
    after, state = await reconnect("corridor", ada)
    assert [m["html"] for m in state["messages"]] == ["<p>said while the layer was down</p>"]
    await close_all(after)
