"""The room socket: every action and every refusal, with the events the services emitted."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chat.models import Mention, Message, Report, Room, Sanction
from portal.models import MODERATORS_GROUP
from tests.chat.conftest import close_all, open_socket, post, receive_until
from tests.chat.factories import AttendeeFactory, MessageFactory, ReportFactory, RoomFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


def make(factory, **kwargs):
    return db(factory)(**kwargs)


async def corridor():
    from chat.rooms import open_room

    return await db(open_room)("corridor")


def message_frame(message_id, room, author, html, *, badge="", reply=None, created_at=None):
    return {
        "id": message_id,
        "room": room.key,
        "author": {"id": author.pk, "name": author.name, "badge": badge},
        "html": html,
        "created_at": created_at,
        "reply_to": reply["id"] if reply else None,
        "reply": reply,
        "edited_at": None,
    }


# --- connecting -------------------------------------------------------------------------


async def test_anonymous_visitor_reads_the_corridor_and_is_told_to_log_in():
    room = await corridor()
    old = await make(MessageFactory, room=room, body="hello *there*")
    socket, state = await open_socket("corridor")
    assert state == {
        "type": "room.state",
        "room": "corridor",
        "title": "The Corridor",
        "present": 1,
        "messages": [
            message_frame(
                old.pk, room, old.author, "<p>hello <em>there</em></p>", created_at=state["messages"][0]["created_at"]
            )
        ],
        "me": {
            "id": None,
            "name": None,
            "can_post": False,
            "reason": "login",
            "detail": "Log in to post in the chat.",
            "moderator": False,
        },
    }
    assert await post(socket, "hi") == {
        "type": "error",
        "code": "forbidden",
        "detail": "Log in to post in the chat.",
        "reason": "login",
        "client_id": "c1",
    }
    await close_all(socket)


@pytest.mark.parametrize("key", ["nowhere", "paper:UNKNOWN", "paper:", "corridor:x", "x" * 130, "CORRIDOR"])
async def test_a_socket_to_a_room_that_does_not_exist_is_refused(key, paper_kind):
    _, code = await open_socket(key)
    assert code == 4404
    assert await db(Room.objects.count)() == 0


async def test_refusal_is_at_the_handshake(paper_kind):
    from channels.testing import WebsocketCommunicator

    from portal.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/rooms/paper:UNKNOWN/", headers=[(b"origin", b"http://x")])
    connected, _ = await communicator.connect()
    assert connected is False
    communicator = WebsocketCommunicator(
        application, "/ws/rooms/paper:UNKNOWN/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, code = await communicator.connect()
    assert (connected, code) == (False, 4404)


async def test_a_paper_room_is_created_on_first_visit_when_the_paper_exists(paper_kind):
    socket, state = await open_socket("paper:P1")
    assert state["title"] == "Attention is all you need, again"
    assert state["engagement"] == {"questions": 0, "answered": 0}
    room = await db(Room.objects.get)(key="paper:P1")
    assert (room.kind, room.title) == ("paper", "Attention is all you need, again")
    await close_all(socket)


async def test_with_public_browsing_off_anonymous_sockets_are_refused(settings):
    settings.PORTAL_PUBLIC_BROWSING = False
    _, code = await open_socket("corridor")
    assert code == 4403
    user = await make(UserFactory)
    socket, state = await open_socket("corridor", user)
    assert state["me"]["reason"] == "not_registered"
    await close_all(socket)


async def test_room_state_holds_the_latest_50_visible_messages_oldest_first():
    room = await corridor()
    author = await make(AttendeeFactory)
    messages = [await make(MessageFactory, room=room, author=author) for _ in range(60)]
    await db(Message.objects.filter(pk=messages[-1].pk).update)(hidden_at=timezone.now())
    await db(Message.objects.filter(pk=messages[-2].pk).update)(deleted_at=timezone.now())
    socket, state = await open_socket("corridor")
    assert [m["id"] for m in state["messages"]] == [m.pk for m in messages[8:58]]
    await close_all(socket)


# --- posting ----------------------------------------------------------------------------


async def test_a_post_is_stored_acknowledged_and_broadcast(captured):
    room = await corridor()
    ada, bob = await make(AttendeeFactory, display_name="Ada"), await make(AttendeeFactory)
    sender, state = await open_socket("corridor", ada)
    assert state["me"] == {
        "id": ada.pk,
        "name": "Ada",
        "can_post": True,
        "reason": "",
        "detail": "",
        "moderator": False,
    }
    listener, _ = await open_socket("corridor", bob)

    ack = await post(sender, "Hello **world**", client_id="abc-1")
    message = await db(Message.objects.get)()
    assert ack == {"type": "message.ack", "action": "post", "client_id": "abc-1", "id": message.pk}
    assert (message.body, message.html, message.client_id, message.author_id) == (
        "Hello **world**",
        "<p>Hello <strong>world</strong></p>",
        "abc-1",
        ada.pk,
    )
    expected = {
        "type": "message.new",
        "message": message_frame(
            message.pk,
            room,
            ada,
            "<p>Hello <strong>world</strong></p>",
            created_at=message.created_at.isoformat().replace("+00:00", "Z"),
        ),
    }
    assert await listener.receive_json_from() == expected
    assert await sender.receive_json_from() == expected
    assert captured == [{"group": f"chat.room.{room.pk}", "frame": expected}]
    room = await db(Room.objects.get)(pk=room.pk)
    assert (room.message_count, room.last_message_at) == (1, message.created_at)
    await close_all(sender, listener)


async def test_posting_the_same_client_id_again_stores_once_and_acks_the_same_id(captured):
    await corridor()
    ada = await make(AttendeeFactory)
    socket, _ = await open_socket("corridor", ada)
    first = await post(socket, "once", client_id="same")
    await receive_until(socket, "message.new")
    again = await post(socket, "once", client_id="same")
    assert again == first
    assert await db(Message.objects.count)() == 1
    assert len(captured) == 1
    assert await socket.receive_nothing(timeout=0.05)
    await close_all(socket)


@pytest.mark.parametrize(
    ("make_user", "reason", "detail"),
    [
        (
            lambda: UserFactory(),
            "not_registered",
            "Only registered attendees can post. You can still read along.",
        ),
        (
            lambda: UserFactory(registered=True),
            "code_of_conduct",
            "Accept the code of conduct before your first post.",
        ),
    ],
)
async def test_who_may_not_post_is_told_why(make_user, reason, detail, captured):
    await corridor()
    user = await db(make_user)()
    socket, state = await open_socket("corridor", user)
    assert (state["me"]["can_post"], state["me"]["reason"]) == (False, reason)
    assert await post(socket, "hi") == {
        "type": "error",
        "code": "forbidden",
        "detail": detail,
        "reason": reason,
        "client_id": "c1",
    }
    assert await db(Message.objects.count)() == 0
    assert captured == []
    await close_all(socket)


async def test_accepting_the_code_of_conduct_lets_an_open_socket_post():
    await corridor()
    user = await make(UserFactory, registered=True)
    socket, _ = await open_socket("corridor", user)
    assert (await post(socket, "hi"))["reason"] == "code_of_conduct"
    await db(type(user).objects.filter(pk=user.pk).update)(code_of_conduct_accepted_at=timezone.now())
    assert (await post(socket, "hi", client_id="c2"))["type"] == "message.ack"
    await close_all(socket)


async def test_muted_and_banned_people_cannot_post():
    room = await corridor()
    other = await make(RoomFactory, key="booth:acme")
    user, moderator = await make(AttendeeFactory), await make(AttendeeFactory)
    socket, _ = await open_socket("corridor", user)
    mute = await db(Sanction.objects.create)(
        kind="mute", user=user, room=room, until=timezone.now() + timedelta(minutes=5), created_by=moderator
    )
    refusal = await post(socket, "hi")
    assert (refusal["code"], refusal["reason"]) == ("forbidden", "muted")
    assert refusal["detail"].startswith("A moderator has muted you in this room until ")
    # A mute in one room leaves the others open.
    elsewhere, _ = await open_socket(other.key, user)
    assert (await post(elsewhere, "hi", client_id="c2"))["type"] == "message.ack"
    # An expired mute no longer holds.
    await db(Sanction.objects.filter(pk=mute.pk).update)(until=timezone.now() - timedelta(seconds=1))
    assert (await post(socket, "back", client_id="c3"))["type"] == "message.ack"
    await db(Sanction.objects.create)(kind="ban", user=user, created_by=moderator)
    await receive_until(socket, "message.new")
    refusal = await post(socket, "hi", client_id="c4")
    assert (refusal["reason"], refusal["detail"]) == ("banned", "A moderator has banned you from the chat.")
    await close_all(socket, elsewhere)


async def test_flooding_hits_the_rate_limit(settings, captured):
    settings.CHAT_RATE_LIMIT_MESSAGES = 3
    settings.CHAT_RATE_LIMIT_SECONDS = 10
    await corridor()
    socket, _ = await open_socket("corridor", await make(AttendeeFactory))
    for n in range(3):
        assert (await post(socket, f"m{n}", client_id=f"c{n}"))["type"] == "message.ack"
        await receive_until(socket, "message.new")
    refusal = await post(socket, "too many", client_id="c9")
    assert refusal == {
        "type": "error",
        "code": "rate_limited",
        "detail": "Slow down: at most 3 messages in 10 seconds.",
        "retry_after": refusal["retry_after"],
        "client_id": "c9",
    }
    assert 1 <= refusal["retry_after"] <= 10
    assert await db(Message.objects.count)() == 3
    assert len(captured) == 3
    await close_all(socket)


@pytest.mark.parametrize(
    ("frame", "detail"),
    [
        ({"type": "message.post", "body": "", "client_id": "x"}, "An empty message cannot be posted."),
        ({"type": "message.post", "body": "   \n ", "client_id": "x"}, "An empty message cannot be posted."),
        ({"type": "message.post", "body": 42, "client_id": "x"}, "A message is text."),
        (
            {"type": "message.post", "body": "a" * 2001, "client_id": "x"},
            "A message is at most 2000 characters (this one has 2001).",
        ),
        ({"type": "message.post", "body": "hi"}, "message.post needs a client_id (a UUID) so it is stored once."),
        ({"type": "message.post", "body": "hi", "client_id": "x", "reply_to": "1"}, "reply_to is the id of a message."),
        (
            {"type": "message.post", "body": "hi", "client_id": "x", "reply_to": 999999},
            "The message you reply to is not in this room any more.",
        ),
        ({"type": "message.fly", "client_id": "x"}, "Unknown action “message.fly”."),
        ({"body": "no type", "client_id": "x"}, "Unknown action “None”."),
    ],
)
async def test_invalid_frames_get_an_error_and_the_connection_stays_healthy(frame, detail, captured):
    await corridor()
    socket, _ = await open_socket("corridor", await make(AttendeeFactory))
    await socket.send_json_to(frame)
    expected = {"type": "error", "code": "invalid", "detail": detail}
    if "client_id" in frame:
        expected["client_id"] = frame["client_id"]
    assert await socket.receive_json_from() == expected
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    assert captured == []
    await close_all(socket)


@pytest.mark.parametrize(
    ("send", "detail"),
    [
        ({"text_data": "{not json"}, "That was not JSON."),
        ({"text_data": "[1, 2]"}, "A frame is a JSON object with a type."),
        ({"text_data": '"text"'}, "A frame is a JSON object with a type."),
        ({"bytes_data": b"\x00\x01binary"}, "Binary frames are not accepted: send JSON text."),
        ({"text_data": "x" * 16_001}, "A frame is at most 16000 characters."),
    ],
)
async def test_malformed_binary_and_oversized_frames_get_an_error(send, detail):
    await corridor()
    socket, _ = await open_socket("corridor", await make(AttendeeFactory))
    await socket.send_to(**send)
    assert await socket.receive_json_from() == {"type": "error", "code": "invalid", "detail": detail}
    assert (await post(socket, "still here"))["type"] == "message.ack"
    await close_all(socket)


async def test_a_flood_of_frames_is_slowed_down():
    await corridor()
    socket, _ = await open_socket("corridor")
    for _ in range(60):
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "rate_limited",
        "detail": "Slow down: too many frames.",
        "retry_after": 10.0,
    }
    await close_all(socket)


async def test_script_html_and_javascript_links_are_neutralised():
    await corridor()
    socket, _ = await open_socket("corridor", await make(AttendeeFactory))
    body = "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) [ok](https://ok.org)"
    await post(socket, body)
    frame = await receive_until(socket, "message.new")
    assert frame["message"]["html"] == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; [x](javascript:alert(3)) "
        '<a href="https://ok.org" rel="nofollow noopener">ok</a></p>'
    )
    await close_all(socket)


async def test_a_reply_names_its_parent():
    room = await corridor()
    ada, bob = await make(AttendeeFactory, display_name="Ada"), await make(AttendeeFactory)
    question = await make(MessageFactory, room=room, author=ada, body="What is the " + "x" * 100)
    socket, _ = await open_socket("corridor", bob)
    await post(socket, "An answer", reply_to=question.pk)
    frame = await receive_until(socket, "message.new")
    assert frame["message"]["reply_to"] == question.pk
    assert frame["message"]["reply"] == {"id": question.pk, "author": "Ada", "excerpt": "What is the " + "x" * 67 + "…"}
    other = await make(MessageFactory, room=await make(RoomFactory))
    refusal = await post(socket, "wrong room", client_id="c2", reply_to=other.pk)
    assert refusal["detail"] == "The message you reply to is not in this room any more."
    await close_all(socket)


# --- editing and deleting one's own ---------------------------------------------------


async def test_edit_and_delete_own_message_within_ten_minutes(captured):
    room = await corridor()
    ada = await make(AttendeeFactory)
    mine = await make(MessageFactory, room=room, author=ada, body="tpyo")
    socket, _ = await open_socket("corridor", ada)
    await socket.send_json_to({"type": "message.edit", "id": mine.pk, "body": "typo", "client_id": "e1"})
    assert await socket.receive_json_from() == {
        "type": "message.ack",
        "action": "edit",
        "client_id": "e1",
        "id": mine.pk,
    }
    edited = await receive_until(socket, "message.edited")
    assert (edited["message"]["id"], edited["message"]["html"]) == (mine.pk, "<p>typo</p>")
    assert edited["message"]["edited_at"] is not None
    await socket.send_json_to({"type": "message.delete", "id": mine.pk, "client_id": "d1"})
    assert (await socket.receive_json_from())["action"] == "delete"
    assert await socket.receive_json_from() == {"type": "message.hidden", "id": mine.pk, "reason": "deleted"}
    assert [e["frame"]["type"] for e in captured] == ["message.edited", "message.hidden"]
    stored = await db(Message.objects.get)(pk=mine.pk)
    assert (stored.body, stored.deleted_at is not None) == ("typo", True)
    await close_all(socket)


async def test_others_messages_and_old_ones_cannot_be_changed(captured):
    room = await corridor()
    ada, bob = await make(AttendeeFactory), await make(AttendeeFactory)
    theirs = await make(MessageFactory, room=room, author=bob)
    old = await make(MessageFactory, room=room, author=ada, created_at=timezone.now() - timedelta(minutes=11))
    socket, _ = await open_socket("corridor", ada)
    await socket.send_json_to({"type": "message.edit", "id": theirs.pk, "body": "mine now", "client_id": "e1"})
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "forbidden",
        "detail": "You can only change your own messages.",
        "reason": "not_yours",
        "client_id": "e1",
    }
    await socket.send_json_to({"type": "message.delete", "id": old.pk, "client_id": "d1"})
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "forbidden",
        "detail": "Messages can be changed for 10 minutes after posting.",
        "reason": "too_late",
        "client_id": "d1",
    }
    await socket.send_json_to({"type": "message.edit", "id": "1", "body": "x", "client_id": "e2"})
    assert (await socket.receive_json_from())["detail"] == "id is the id of a message."
    assert captured == []
    await close_all(socket)


# --- reports and moderators -------------------------------------------------------------


async def test_anyone_logged_in_can_report_once_and_anonymous_cannot():
    room = await corridor()
    message = await make(MessageFactory, room=room)
    reporter = await make(UserFactory)  # not even registered: reporting is open to all
    socket, _ = await open_socket("corridor", reporter)
    frame = {"type": "message.report", "id": message.pk, "reason": "spam", "detail": "ads", "client_id": "r1"}
    await socket.send_json_to(frame)
    assert await socket.receive_json_from() == {
        "type": "message.ack",
        "action": "report",
        "client_id": "r1",
        "id": message.pk,
    }
    await socket.send_json_to(frame)
    assert (await socket.receive_json_from())["type"] == "message.ack"
    report = await db(Report.objects.get)()
    assert (report.reporter_id, report.reason, report.detail) == (reporter.pk, "spam", "ads")
    await socket.send_json_to({**frame, "reason": "because"})
    assert (await socket.receive_json_from())["code"] == "invalid"
    anonymous, _ = await open_socket("corridor")
    await anonymous.send_json_to(frame)
    assert (await anonymous.receive_json_from())["reason"] == "login"
    await close_all(socket, anonymous)


async def test_a_moderator_hides_a_message_and_it_disappears_from_every_client(captured):
    room = await corridor()
    message = await make(MessageFactory, room=room)
    await make(ReportFactory, message=message)
    moderator = await make(AttendeeFactory)
    await db(lambda: moderator.groups.create(name=MODERATORS_GROUP))()
    attendee = await make(AttendeeFactory)
    mod_socket, state = await open_socket("corridor", moderator)
    assert state["me"]["moderator"] is True
    watcher, _ = await open_socket("corridor", attendee)

    await watcher.send_json_to({"type": "message.hide", "id": message.pk, "client_id": "h0"})
    assert (await watcher.receive_json_from())["reason"] == "not_moderator"

    await mod_socket.send_json_to({"type": "message.hide", "id": message.pk, "reason": "spam", "client_id": "h1"})
    assert await mod_socket.receive_json_from() == {
        "type": "message.ack",
        "action": "hide",
        "client_id": "h1",
        "id": message.pk,
    }
    assert await watcher.receive_json_from() == {"type": "message.hidden", "id": message.pk}
    assert await mod_socket.receive_json_from() == {"type": "message.hidden", "id": message.pk}
    assert captured == [{"group": f"chat.room.{room.pk}", "frame": {"type": "message.hidden", "id": message.pk}}]
    stored = await db(Message.objects.get)(pk=message.pk)
    assert (stored.hidden_by_id, stored.hidden_reason) == (moderator.pk, "spam")
    assert await db(lambda: list(Report.objects.values_list("resolution", flat=True)))() == ["hidden"]
    await close_all(mod_socket, watcher)


# --- badges, engagement, mentions, presence --------------------------------------------


async def test_authors_carry_a_badge_and_their_replies_answer_questions(paper_kind, captured):
    author = await make(AttendeeFactory, email="author@example.org", display_name="The Author")
    asker = await make(AttendeeFactory)
    asking, _ = await open_socket("paper:P1", asker)
    answering, _ = await open_socket("paper:P1", author)
    await post(asking, "How does it scale?", client_id="q1")
    question = await receive_until(asking, "message.new")
    assert question["message"]["author"]["badge"] == ""
    assert question["engagement"] == {"questions": 1, "answered": 0}
    await post(answering, "Linearly.", client_id="a1", reply_to=question["message"]["id"])
    answer = await receive_until(answering, "message.new")
    if answer["message"]["id"] == question["message"]["id"]:  # the question reached this socket too
        answer = await receive_until(answering, "message.new")
    assert answer["message"]["author"]["badge"] == "author"
    assert answer["engagement"] == {"questions": 1, "answered": 1}
    await close_all(asking, answering)


async def test_a_mention_notifies_the_person_wherever_they_are(captured):
    room = await corridor()
    ada = await make(AttendeeFactory, display_name="Ada Lovelace")
    bob = await make(AttendeeFactory)
    elsewhere = await make(RoomFactory, key="booth:acme")
    ada_socket, _ = await open_socket(elsewhere.key, ada)
    bob_socket, _ = await open_socket("corridor", bob)
    await post(bob_socket, "@Ada Lovelace have a look")
    mention = await ada_socket.receive_json_from()
    message = await db(Message.objects.get)()
    assert mention["type"] == "mention"
    assert (mention["room"], mention["room_title"], mention["url"]) == ("corridor", "The Corridor", "/corridor/")
    assert mention["message"]["html"] == '<p><span class="mention">@Ada Lovelace</span> have a look</p>'
    assert await db(lambda: list(Mention.objects.values_list("user_id", "message_id")))() == [(ada.pk, message.pk)]
    assert [e["group"] for e in captured] == [f"chat.room.{room.pk}", f"chat.user.{ada.pk}"]
    await close_all(ada_socket, bob_socket)


async def test_presence_counts_are_broadcast_coalesced(settings):
    # Wide enough that a loaded machine still opens the three sockets inside one interval.
    settings.CHAT_PRESENCE_INTERVAL = 0.5

    async def presence_frames_until(first, present):
        frames = []
        while not frames or frames[-1]["present"] != present:
            frames.append(await first.receive_json_from(timeout=5))
        return frames

    await corridor()
    first, state = await open_socket("corridor")
    assert state["present"] == 1
    others = [(await open_socket("corridor"))[0] for _ in range(3)]
    joined = await presence_frames_until(first, 4)
    assert joined[-1] == {"type": "presence", "present": 4}
    assert len(joined) < 3  # three joins, coalesced into fewer broadcasts
    await close_all(*others)
    left = await presence_frames_until(first, 1)
    assert left[-1] == {"type": "presence", "present": 1}
    assert len(left) < 3
    await close_all(first)
