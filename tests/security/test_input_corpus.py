"""Issue 13, item 8: hostile input gets a clear refusal, never a 500, a dropped socket or a
logged traceback. The payloads the probes sent, at every entry point they reached."""

import contextlib
import json
import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.db import connections
from django.test import Client

from chat.models import Message
from chat.rooms import open_room
from portal.asgi import application
from tests.chat.conftest import ORIGIN, _no_persistent_connections, open_socket  # noqa: F401  (a fixture)
from tests.chat.factories import AttendeeFactory, MessageFactory
from tests.factories import PaperFactory, SessionFactory
from tests.production import free_port

DEEP = "[" * 5000 + "]" * 5000
SURROGATE = "\ud800"
SURROGATE_PROBLEM = "contains half of a surrogate pair (U+D800) at position 1; send plain text."


def tracebacks(caplog):
    """What was logged with a traceback (nothing should be)."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info]


# --- the room socket ------------------------------------------------------------------


def invalid(detail, client_id=None):
    frame = {"type": "error", "code": "invalid", "detail": detail}
    return frame | ({"client_id": client_id} if client_id else {})


ROOM_FRAMES = [
    (DEEP, invalid("That JSON is nested too deeply.")),
    ("{not json", invalid("That was not JSON.")),
    (
        json.dumps({"type": "message.post", "body": SURROGATE, "client_id": "s1"}),
        invalid(f"The message {SURROGATE_PROBLEM}", "s1"),
    ),
    (
        json.dumps({"type": "message.post", "body": f"bell{chr(7)}", "client_id": "s2"}),
        invalid(
            "The message contains a control character (U+0007) at position 5; send plain text.",
            "s2",
        ),
    ),
    (
        json.dumps({"type": "message.post", "body": f"ok {SURROGATE}", "client_id": "s3", "reply_to": None}),
        invalid(
            "The message contains half of a surrogate pair (U+D800) at position 4; send plain text.",
            "s3",
        ),
    ),
    (
        json.dumps({"type": "message.report", "id": "REPORTED", "reason": "spam", "detail": SURROGATE}),
        invalid(f"The details of a report {SURROGATE_PROBLEM}"),
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("text", "expected"), ROOM_FRAMES, ids=range(len(ROOM_FRAMES)))
async def test_bad_room_frames_get_an_error_frame_and_the_socket_stays_open(caplog, text, expected):
    room = await database_sync_to_async(open_room)("corridor")
    reported = await database_sync_to_async(MessageFactory)(room=room)
    author = await database_sync_to_async(AttendeeFactory)()
    socket, state = await open_socket("corridor", author)
    assert state["type"] == "room.state"
    with caplog.at_level(logging.INFO):
        await socket.send_to(text_data=text.replace('"REPORTED"', str(reported.pk)))
        answer = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "ping"})
        pong = await socket.receive_json_from(timeout=5)
    assert (answer, pong) == (expected, {"type": "pong"})
    assert tracebacks(caplog) == []
    assert await database_sync_to_async(Message.objects.count)() == 1
    await socket.disconnect()
    await database_sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", [f"/ws/rooms/{'x' * 131}/", f"/ws/rooms/paper:{'A' * 200}/", "/ws/nowhere/"])
async def test_a_socket_to_no_room_is_refused_with_4404(caplog, path):
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN])
    with caplog.at_level(logging.INFO):
        assert await communicator.connect(timeout=5) == (False, 4404)
    assert tracebacks(caplog) == []
    await database_sync_to_async(connections.close_all)()


# --- the announcements socket ------------------------------------------------------------

ANNOUNCEMENT_FRAMES = [
    ("{not json", invalid("That was not JSON.")),
    (DEEP, invalid("That JSON is nested too deeply.")),
    (json.dumps({"type": "hello", "text": SURROGATE}), invalid("This stream only announces.")),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("text", "expected"), ANNOUNCEMENT_FRAMES, ids=range(len(ANNOUNCEMENT_FRAMES)))
async def test_bad_frames_on_the_announcements_socket_get_an_error_frame(caplog, text, expected):
    communicator = WebsocketCommunicator(application, "/ws/announcements/", headers=[ORIGIN])
    assert (await communicator.connect(timeout=5))[0] is True
    with caplog.at_level(logging.INFO):
        await communicator.send_to(text_data=text)
        first = await communicator.receive_json_from(timeout=5)
        await communicator.send_to(text_data="{}")
        second = await communicator.receive_json_from(timeout=5)
    assert (first, second) == (expected, invalid("This stream only announces."))
    assert tracebacks(caplog) == []
    await communicator.disconnect()
    await database_sync_to_async(connections.close_all)()


# --- HTTP: agenda, bookmarks, the merge API, chat posts -----------------------------------


def send(client, method, url, payload):
    if method == "get":
        return client.get(url, payload)
    return client.post(url, payload, content_type="application/json")


def items(*entries):
    return json.dumps(list(entries))


def http_cases():
    """(name, method, url, payload, expected status, expected body or its start)."""
    label = f"A label {SURROGATE_PROBLEM}"
    return [
        ("ics-deep", "get", "/me/agenda.ics", {"items": DEEP}, 400, b"The agenda kept in this browser is nested"),
        ("ics-surrogate", "get", "/me/agenda.ics", {"items": items({"session": 1, "label": SURROGATE})}, 400, label),
        (
            "ics-subject-control",
            "get",
            "/me/agenda.ics",
            {"items": items({"session": 1, "subject": f"paper:{chr(1)}"})},
            400,
            "A subject key contains a control character (U+0001) at position 7; send plain text.",
        ),
        ("browser-deep", "get", "/me/agenda/browser/", {"items": DEEP}, 400, b"nested too deeply to be read."),
        (
            "browser-surrogate",
            "get",
            "/me/agenda/browser/",
            {"items": items({"session": 1, "label": SURROGATE})},
            400,
            b"A label contains half of a surrogate pair",
        ),
        ("bookmarks-deep", "post", "/me/papers/bookmarks", DEEP, 400, {"detail": "That JSON is nested too deeply."}),
        (
            "bookmarks-surrogate",
            "post",
            "/me/papers/bookmarks",
            json.dumps({"uids": ["paper00001", SURROGATE]}),
            400,
            {"detail": f"A paper UID {SURROGATE_PROBLEM}"},
        ),
        (
            "merge-deep",
            "post",
            "/api/v1/me/agenda/merge/",
            DEEP,
            400,
            {"detail": "JSON parse error - nested too deeply."},
        ),
        (
            "merge-surrogate",
            "post",
            "/api/v1/me/agenda/merge/",
            json.dumps({"items": [{"session": 1, "label": SURROGATE}]}),
            400,
            {"items": label},
        ),
        ("merge-not-json", "post", "/api/v1/me/agenda/merge/", "{not json", 400, None),
        (
            "chat-deep",
            "post",
            "/api/v1/rooms/corridor/messages/",
            DEEP,
            400,
            {"detail": "JSON parse error - nested too deeply."},
        ),
        (
            "chat-surrogate",
            "post",
            "/api/v1/rooms/corridor/messages/",
            json.dumps({"body": SURROGATE, "client_id": "h1"}),
            400,
            {"body": ["Surrogate characters are not allowed: U+D800."]},
        ),
        (
            "chat-control",
            "post",
            "/api/v1/rooms/corridor/messages/",
            json.dumps({"body": f"hi{chr(27)}[31m", "client_id": "h2"}),
            400,
            {
                "type": "error",
                "code": "invalid",
                "detail": "The message contains a control character (U+001B) at position 3; send plain text.",
                "client_id": "h2",
            },
        ),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "payload", "status", "expected"),
    [case[1:] for case in http_cases()],
    ids=[case[0] for case in http_cases()],
)
def test_bad_input_over_http_is_a_400_that_says_why(caplog, method, url, payload, status, expected):
    SessionFactory(pk=1)
    PaperFactory(uid="paper00001")
    open_room("corridor")
    client = Client(raise_request_exception=False)
    client.force_login(AttendeeFactory())
    with caplog.at_level(logging.INFO):
        response = send(client, method, url, payload)
    assert response.status_code == status
    if isinstance(expected, dict):
        assert response.json() == expected
    elif isinstance(expected, str):
        assert response.content.decode() == expected
    elif isinstance(expected, bytes):
        assert expected in response.content
    assert tracebacks(caplog) == []
    assert [r.levelname for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert Message.objects.count() == 0


# --- PostgreSQL down --------------------------------------------------------------------


@contextlib.contextmanager
def database_unreachable():
    """This process's connection points at a port nobody listens on (PostgreSQL itself keeps
    running for everyone else); restored after."""
    connection = connections["default"]
    saved = connection.settings_dict["PORT"], connection.settings_dict["HOST"]
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", free_port()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"], connection.settings_dict["HOST"] = saved


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("method", "url", "payload", "expected"),
    [
        ("get", "/healthz", None, None),
        ("post", "/api/v1/rooms/corridor/messages/", {"body": "hello", "client_id": "db-1"}, "unavailable"),
        ("get", "/corridor/", None, b'<h1 id="error-heading">The database is not answering</h1>'),
    ],
)
@pytest.mark.parametrize("cache_state", ["warm", "cold"])
def test_with_postgresql_down_a_logged_in_visitor_gets_503_not_500(caplog, method, url, payload, expected, cache_state):
    open_room("corridor")
    client = Client(raise_request_exception=False)
    client.force_login(AttendeeFactory())
    assert client.get("/corridor/").status_code == 200  # the session and the user are cached
    if cache_state == "cold":
        cache.clear()  # e.g. Redis restarted: the session and the user come from the database
    with caplog.at_level(logging.INFO), database_unreachable():
        response = send(client, method, url, payload)
    assert response.status_code == 503
    if isinstance(expected, bytes):
        assert expected in response.content
    elif expected is not None:
        assert response.json()["code"] == expected
    assert tracebacks(caplog) == []
