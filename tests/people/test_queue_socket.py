"""The queue socket, /ws/people/queue/: join, match, skip, reconnect; the services' frames."""

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction
from django.db.models import F
from django.test import Client

from people.models import Match, QueueEntry
from portal.asgi import application
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async
ORIGIN = (b"origin", b"http://127.0.0.1")


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def connect(user=None):
    headers = [ORIGIN]
    if user is not None:
        cookie = await db(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    socket = WebsocketCommunicator(application, "/ws/people/queue/", headers=headers)
    connected, code = await socket.connect(timeout=5)
    if not connected:
        return socket, code
    return socket, json.loads((await socket.receive_output(timeout=5))["text"])


async def next_state(socket, status=None, limit=5):
    for _ in range(limit):
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == "queue.state" and (status is None or frame["status"] == status):
            return frame
    raise AssertionError(f"no queue.state {status}")


IDLE = {"type": "queue.state", "status": "idle", "waiting": None, "offer": None, "room": None}


async def test_anonymous_visitors_are_refused_at_the_handshake():
    _, code = await connect()
    assert code == 4403


async def test_join_match_and_skip_over_sockets():
    ada = await db(PersonFactory)(display_name="Ada", interests="engines")
    bob = await db(PersonFactory)(display_name="Bob", interests="Engines, looms")
    ada_socket, state = await connect(ada)
    assert state == IDLE
    bob_socket, state = await connect(bob)
    assert state == IDLE

    await ada_socket.send_json_to({"type": "queue.join", "topic": "difference engines", "group_size": 2})
    waiting = await next_state(ada_socket)
    assert waiting["status"] == "waiting"
    assert (waiting["waiting"]["topic"], waiting["waiting"]["group_size"], waiting["waiting"]["ahead"]) == (
        "difference engines",
        2,
        0,
    )

    await bob_socket.send_json_to({"type": "queue.join"})
    offer_to_ada = await next_state(ada_socket, "offered")
    offer_to_bob = await next_state(bob_socket, "offered")
    match = await db(Match.objects.get)()
    assert offer_to_ada["offer"]["match"] == offer_to_bob["offer"]["match"] == match.pk
    assert [p["name"] for p in offer_to_ada["offer"]["people"]] == ["Bob"]
    assert [p["name"] for p in offer_to_bob["offer"]["people"]] == ["Ada"]
    assert offer_to_bob["offer"]["shared"] == "engines"
    assert offer_to_bob["offer"]["seconds_left"] in (59, 60)

    # A reconnecting client gets the whole state at once.
    await ada_socket.disconnect()
    ada_socket, state = await connect(ada)
    assert state["status"] == "offered" and state["offer"]["match"] == match.pk

    # bob skips: ada goes back to the front of the queue; bob leaves it.
    await bob_socket.send_json_to({"type": "match.skip", "match": match.pk})
    assert (await next_state(bob_socket))["status"] == "idle"
    back = await next_state(ada_socket, "waiting")
    assert back["waiting"]["topic"] == "difference engines"
    assert await db(lambda: list(QueueEntry.objects.values_list("user_id", flat=True)))() == [ada.pk]
    await ada_socket.disconnect()
    await bob_socket.disconnect()


async def test_refusals_and_bad_frames_are_error_frames_and_the_socket_stays_open():
    ada = await db(PersonFactory)(profile__suggestible=False)
    socket, _ = await connect(ada)
    await socket.send_json_to({"type": "queue.join"})
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "forbidden",
        "reason": "not_suggestible",
        "detail": "Turn on “suggest me to others” in your people settings first.",
    }
    await socket.send_to(text_data="{not json")
    frame = await socket.receive_json_from()
    assert (frame["type"], frame["code"]) == ("error", "invalid")
    await socket.send_json_to({"type": "match.accept", "match": 12345})
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "forbidden",
        "reason": "not_yours",
        "detail": "That match was not offered to you.",
    }
    await socket.send_json_to({"type": "dance"})
    assert (await socket.receive_json_from())["code"] == "invalid"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


async def test_leaving_the_queue(settings):
    ada = await db(PersonFactory)()
    socket, _ = await connect(ada)
    await socket.send_json_to({"type": "queue.join", "topic": "x"})
    assert (await next_state(socket))["status"] == "waiting"
    await socket.send_json_to({"type": "queue.leave"})
    assert await next_state(socket) == IDLE
    assert await db(QueueEntry.objects.count)() == 0
    await socket.disconnect()


async def an_offer_only_ada_accepted(settings):
    """ada and bob offered to each other, answering within 1 s; ada accepted, bob is silent.
    Returns both sockets and the match's id."""
    settings.PEOPLE_MATCH_ANSWER_SECONDS = 1
    ada, bob = await db(PersonFactory)(), await db(PersonFactory)()
    ada_socket, _ = await connect(ada)
    bob_socket, _ = await connect(bob)
    await ada_socket.send_json_to({"type": "queue.join"})
    await next_state(ada_socket, "waiting")
    await bob_socket.send_json_to({"type": "queue.join"})
    offer = await next_state(ada_socket, "offered")
    await ada_socket.send_json_to({"type": "match.accept", "match": offer["offer"]["match"]})
    accepted = await next_state(ada_socket, "offered")
    assert accepted["offer"]["accepted"] == [ada.pk]
    return ada_socket, bob_socket, offer["offer"]["match"]


async def the_offer_expired(ada_socket, bob_socket):
    """ada (who accepted) waits again, first in the queue; bob (silent) left it."""
    assert (await next_state(ada_socket, "waiting"))["waiting"]["ahead"] == 0
    assert (await next_state(bob_socket, "idle"))["offer"] is None
    assert (await db(Match.objects.get)()).status == Match.Status.EXPIRED
    await ada_socket.disconnect()
    await bob_socket.disconnect()


async def test_an_unanswered_offer_ends_on_time_without_the_beat(settings):
    ada_socket, bob_socket, _ = await an_offer_only_ada_accepted(settings)
    # Nobody else answers: after the second the offer expires; ada (who accepted) waits again, bob left.
    await the_offer_expired(ada_socket, bob_socket)


async def test_an_offer_still_ends_when_the_database_is_busy_at_its_time(settings):
    """Both people's timers end the offer at once, and another writer may hold the table
    just then: SQLite refuses at once ("database table is locked"), PostgreSQL waits. The
    timer tries again rather than leaving the offer to the beat."""
    ada_socket, bob_socket, match_id = await an_offer_only_ada_accepted(settings)
    held, release = threading.Event(), threading.Event()

    def hold_the_matches():
        try:
            with transaction.atomic():
                Match.objects.filter(pk=match_id).update(answer_by=F("answer_by"))
                held.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_matches)
    holder.start()
    assert await asyncio.to_thread(held.wait, 5)
    await asyncio.sleep(1.3)  # past answer_by (1 s) and the timers' 0.2 s: they met the lock
    release.set()
    await asyncio.to_thread(holder.join, 10)
    await the_offer_expired(ada_socket, bob_socket)


async def test_both_accept_and_both_are_shown_their_private_room():
    ada = await db(PersonFactory)(display_name="Ada")
    bob = await db(PersonFactory)(display_name="Bob")
    ada_socket, _ = await connect(ada)
    bob_socket, _ = await connect(bob)
    await ada_socket.send_json_to({"type": "queue.join"})
    await next_state(ada_socket, "waiting")
    await bob_socket.send_json_to({"type": "queue.join"})
    match_id = (await next_state(ada_socket, "offered"))["offer"]["match"]
    await next_state(bob_socket, "offered")
    await ada_socket.send_json_to({"type": "match.accept", "match": match_id})
    assert (await next_state(bob_socket, "offered"))["offer"]["accepted"] == [ada.pk]
    await bob_socket.send_json_to({"type": "match.accept", "match": match_id})
    for socket, other in ((ada_socket, "Bob"), (bob_socket, "Ada")):
        matched = await next_state(socket, "matched")
        assert matched["room"]["key"].startswith("booth:private-")
        assert matched["room"]["url"] == f"/booths/{matched['room']['key'].partition(':')[2]}/"
        assert [p["name"] for p in matched["room"]["people"]] == [other]
    await ada_socket.disconnect()
    await bob_socket.disconnect()
