"""Chat test helpers: sockets with a logged-in session, captured events, a paper subject kind."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from chat.services import events, presence
from portal.asgi import application
from schedule.subjects import Subject
from tests.subjects import subject_kind

ORIGIN = (b"origin", b"http://127.0.0.1")

# Stands in for the papers app, which registers the real "paper" kind from its AppConfig.
PAPERS = {
    "P1": {"title": "Attention is all you need, again", "authors": ["author@example.org"]},
    "P2": {"title": "A second paper", "authors": []},
}


@pytest.fixture(autouse=True, scope="session")
def _no_persistent_connections():
    """Sockets run ORM calls in worker threads; a persistent connection left in one would
    keep the PostgreSQL test database open at teardown (it then cannot be dropped)."""
    from django.db import connections

    saved = {alias: connections.settings[alias].get("CONN_MAX_AGE", 0) for alias in connections.settings}
    for alias in connections.settings:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    yield
    for alias, value in saved.items():
        connections.settings[alias]["CONN_MAX_AGE"] = value


@pytest.fixture(autouse=True)
def _chat_settings(settings):
    # Presence frames come a long time after the test's frames unless a test asks.
    settings.CHAT_PRESENCE_INTERVAL = 30
    yield
    for task in presence._pending.values():
        task.cancel()
    presence._pending.clear()


def _papers(uids):
    return [
        Subject(
            f"paper:{uid}", PAPERS[uid]["title"], url=f"/papers/{uid}/", author_emails=frozenset(PAPERS[uid]["authors"])
        )
        for uid in uids
        if uid in PAPERS
    ]


@pytest.fixture
def paper_kind():
    with subject_kind(
        "paper",
        _papers,
        is_author=lambda uid, user: user.email in PAPERS.get(uid, {}).get("authors", []),
        authored_by=lambda user: [uid for uid, p in PAPERS.items() if user.email in p["authors"]],
    ):
        yield PAPERS


@pytest.fixture
def captured():
    """Every event the services emit during the test, as {"group", "frame"}."""
    with events.capture() as emitted:
        yield emitted


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_socket(key, user=None, *, expect_state=True):
    """(communicator, room.state frame) for a socket to /ws/rooms/<key>/ as `user`;
    (communicator, close code) when it is refused or closed before its state."""
    headers = [ORIGIN]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, f"/ws/rooms/{key}/", headers=headers)
    connected, code = await communicator.connect(timeout=5)
    if not connected:
        return communicator, code
    if not expect_state:
        return communicator, None
    first = await communicator.receive_output()
    if first["type"] == "websocket.close":  # accepted, then told to try again later
        return communicator, first["code"]
    return communicator, json.loads(first["text"])


async def post(communicator, body, client_id="c1", **extra):
    await communicator.send_json_to({"type": "message.post", "body": body, "client_id": client_id, **extra})
    return await communicator.receive_json_from()


async def receive_until(communicator, frame_type, limit=10):
    """Skip frames until one of `frame_type` arrives (e.g. past a broadcast to the sender)."""
    for _ in range(limit):
        frame = await communicator.receive_json_from()
        if frame["type"] == frame_type:
            return frame
    raise AssertionError(f"no {frame_type} frame")


async def close_all(*communicators):
    for communicator in communicators:
        await communicator.disconnect()
    await asyncio.sleep(0)
