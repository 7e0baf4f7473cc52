"""Issue 13, the chat: id probing on moderation URLs (10), parallel posting past the rate
limit (9), and sockets that cannot join the channel layer (3)."""

import logging
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import connections

from chat import services
from chat.models import Message, Sanction
from chat.rooms import open_room
from chat.services.errors import ChatError
from tests.chat.conftest import _no_persistent_connections, open_socket  # noqa: F401  (a fixture)
from tests.chat.factories import AttendeeFactory, MessageFactory
from tests.factories import UserFactory

# --- 10: moderation URLs answer alike whatever the id -------------------------------------

MISSING = 987654321


def moderation_urls():
    """(method, url template) of every moderation URL; {id} is a message, user, sanction or room."""
    return [
        ("post", "/moderation/messages/{message}/hide/"),
        ("post", "/moderation/messages/{message}/unhide/"),
        ("post", "/moderation/messages/{message}/dismiss/"),
        ("post", "/moderation/users/{user}/mute/"),
        ("post", "/moderation/users/{user}/ban/"),
        ("post", "/moderation/sanctions/{sanction}/lift/"),
        ("get", "/rooms/{room}/export.csv"),
        ("get", "/rooms/{room}/export.json"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["anonymous", "attendee"])
@pytest.mark.parametrize(("method", "url"), moderation_urls())
def test_moderation_urls_give_the_same_answer_for_existing_and_missing_ids(client, viewer, method, url):
    message = MessageFactory(room=open_room("corridor"))
    target = AttendeeFactory()
    sanction = Sanction.objects.create(kind=Sanction.Kind.BAN, user=target, created_by=target)
    existing = url.format(message=message.pk, user=target.pk, sanction=sanction.pk, room="corridor")
    missing = url.format(message=MISSING, user=MISSING, sanction=MISSING, room="booth:nobody-here")
    if viewer == "attendee":
        client.force_login(AttendeeFactory())
    answers = []
    for target_url in (existing, missing):
        response = getattr(client, method)(target_url, {"minutes": "10", "reason": "probe"})
        answers.append((response.status_code, response.get("Location", "").split("?")[0]))
    expected = (403, "") if viewer == "attendee" else (302, "/accounts/login/")
    assert answers == [expected, expected]
    assert Message.objects.get().hidden_at is None
    assert Sanction.objects.count() == 1


# --- 9: the post rate limit holds under parallel posts -----------------------------------


def post_in_thread(room, author, n, barrier, results):
    try:
        barrier.wait(10)
        services.post_message(room=room, author=author, body=f"parallel {n}", client_id=f"par-{n}")
    except ChatError as refusal:
        results.append(refusal.code)
    else:
        results.append("stored")
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_posts_of_one_person_store_exactly_the_limit(settings):
    settings.CHAT_RATE_LIMIT_MESSAGES, settings.CHAT_RATE_LIMIT_SECONDS = 5, 10
    room = open_room("corridor")
    author = AttendeeFactory()
    results, threads = [], 24
    barrier = threading.Barrier(threads)
    workers = [
        threading.Thread(target=post_in_thread, args=(room, author, n, barrier, results)) for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(results) == ["rate_limited"] * (threads - 5) + ["stored"] * 5
    assert Message.objects.filter(author=author).count() == 5


@pytest.mark.postgres  # SQLite's in-memory test database refuses concurrent writers at once
@pytest.mark.django_db(transaction=True)
async def test_parallel_socket_posts_of_one_person_store_exactly_the_limit(settings):
    """The consumer's posts run on a pool of threads: 8 sockets at once, as the probe did."""
    settings.CHAT_RATE_LIMIT_MESSAGES, settings.CHAT_RATE_LIMIT_SECONDS = 5, 10
    settings.CHAT_DB_THREADS = 4
    await database_sync_to_async(open_room)("corridor")
    author = await database_sync_to_async(AttendeeFactory)()
    sockets = [(await open_socket("corridor", author))[0] for _ in range(8)]
    for n, socket in enumerate(sockets):
        await socket.send_json_to({"type": "message.post", "body": f"socket {n}", "client_id": f"sock-{n}"})
    answers = []
    for socket in sockets:
        while True:
            frame = await socket.receive_json_from(timeout=10)
            if frame["type"] in {"message.ack", "error"}:
                answers.append(frame.get("code", "ack"))
                break
    assert sorted(answers) == ["ack"] * 5 + ["rate_limited"] * 3
    assert await database_sync_to_async(Message.objects.count)() == 5
    for socket in sockets:
        await socket.disconnect()


# --- 3: a socket that cannot join the channel layer -------------------------------------

DEAD_REDIS = "redis://127.0.0.1:1/0"
LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
SOCKETS = ["/ws/rooms/corridor/", "/ws/announcements/", "/ws/health/"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", sorted(LAYERS))
@pytest.mark.parametrize("path", SOCKETS)
async def test_a_socket_that_cannot_join_the_layer_is_told_to_try_again_later(settings, caplog, backend, path):
    """Accepted, then closed with 1013 ("try again later"): the browser sees the code and
    backs off. Before, the pubsub layer raised in the handshake (HTTP 500)."""
    from channels.testing import WebsocketCommunicator

    from portal.asgi import application
    from tests.chat.conftest import ORIGIN

    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": LAYERS[backend], "CONFIG": {"hosts": [DEAD_REDIS], "prefix": "dead"}}
    }
    await database_sync_to_async(open_room)("corridor")
    user = await database_sync_to_async(UserFactory)()
    from tests.chat.conftest import session_cookie

    cookie = await database_sync_to_async(session_cookie)(user)
    headers = [ORIGIN, (b"cookie", f"sessionid={cookie}".encode())]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    with caplog.at_level(logging.INFO):
        connected, _ = await communicator.connect(timeout=10)
        closed = await communicator.receive_output(timeout=10)
    assert (connected, closed) == (True, {"type": "websocket.close", "code": 1013, "reason": "try again later"})
    assert [r.exc_info for r in caplog.records if r.exc_info] == []
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith(("chat", "portal"))] == [
        ("WARNING", f"websocket {path}: channel layer unavailable (ConnectionError), closed with 1013")
    ]
    await database_sync_to_async(connections.close_all)()


@pytest.mark.postgres
@pytest.mark.redis
def test_through_uvicorn_a_socket_without_redis_is_closed_with_1013_not_a_500(production):
    """The probe's case: the ws server (uvicorn, PubSub layer) with its Redis gone."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    open_room("corridor")
    stack = production(roles=("ws",), env={"REDIS_URL": DEAD_REDIS})
    url = f"ws://127.0.0.1:{stack.ports['ws']}"
    for path in SOCKETS:
        # Opening is the handshake accepted (an HTTP 500 raised InvalidStatus here).
        with (
            connect(url + path, origin="http://127.0.0.1", open_timeout=10) as socket,
            pytest.raises(ConnectionClosed) as closed,
        ):
            socket.recv(timeout=10)
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1013, "try again later")
    log = stack.log("ws")
    assert "Traceback" not in log
    assert [line[line.index("websocket /ws/") :] for line in log.splitlines() if "websocket /ws/" in line] == [
        f"websocket {path}: channel layer unavailable (ConnectionError), closed with 1013" for path in SOCKETS
    ]
