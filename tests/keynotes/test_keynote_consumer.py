"""The Q&A socket: the state on connect, every action and refusal, what everyone sees."""

import asyncio
import json

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from keynotes import votecounts
from keynotes.models import Keynote, Question, Vote
from portal.asgi import application
from tests.chat.conftest import ORIGIN, session_cookie
from tests.factories import UserFactory
from tests.keynotes.factories import AFTER, BEFORE, OPEN, KeynoteFactory, QuestionFactory

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


@pytest.fixture(autouse=True)
def _quick_counts(settings):
    settings.KEYNOTES_VOTE_UPDATE_SECONDS = 0.05


@pytest.fixture
def keynote(conference):
    return KeynoteFactory(slug="hopper", title="Compilers for everyone")


async def connect(slug="hopper", user=None, tz=None):
    headers = [ORIGIN]
    cookies = []
    if user is not None:
        cookies.append(f"sessionid={await db(session_cookie)(user)}")
    if tz:
        cookies.append(f"tz={tz}")
    if cookies:
        headers.append((b"cookie", "; ".join(cookies).encode()))
    socket = WebsocketCommunicator(application, f"/ws/keynotes/{slug}/qa/", headers=headers)
    connected, code = await socket.connect(timeout=5)
    if not connected:
        return socket, code
    return socket, await socket.receive_json_from(timeout=5)


async def until(socket, frame_type, limit=10):
    for _ in range(limit):
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == frame_type:
            return frame
    raise AssertionError(f"no {frame_type} frame")


async def test_the_state_on_connect(keynote, attendee):
    question = await db(QuestionFactory)(keynote=keynote, body="First?", anonymous=True, author=attendee)
    await db(QuestionFactory)(keynote=keynote, body="Hidden", status="hidden")
    with time_machine.travel(OPEN):
        socket, state = await connect(user=attendee)
    assert state["type"] == "qa.state"
    assert (state["keynote"], state["phase"], state["open"], state["on_air"]) == ("hopper", "upcoming", True, None)
    assert (state["opens_at"], state["closes_at"]) == ("2020-04-26T14:00:00Z", "2020-04-27T10:45:00Z")
    assert [q["body"] for q in state["questions"]] == ["First?"]
    assert state["questions"][0]["author"] is None
    assert "asker" not in state["questions"][0]
    assert state["me"] == {
        "authenticated": True,
        "can_ask": True,
        "reason": "",
        "detail": "",
        "moderator": False,
        "voted": [],
        "mine": [{"id": question.pk, "status": "visible"}],
    }
    await socket.disconnect()


async def test_a_moderator_sees_askers_and_hidden_questions(keynote, moderator):
    await db(QuestionFactory)(keynote=keynote, body="Hidden", status="hidden", anonymous=True)
    with time_machine.travel(OPEN):
        socket, state = await connect(user=moderator)
    assert [(q["body"], q["status"], q["author"]) for q in state["questions"]] == [("Hidden", "hidden", None)]
    assert state["questions"][0]["asker"]["name"].startswith("Person")
    assert state["me"]["moderator"] is True
    await socket.disconnect()


async def test_refused_handshakes(keynote):
    _socket, code = await connect("no-such-keynote")
    assert code == 4404


async def test_ask_vote_and_everyone_sees_it(keynote, attendee, other):
    with time_machine.travel(OPEN):
        ada, _ = await connect(user=attendee)
        bob, _ = await connect(user=other)
        watcher, state = await connect()
        assert state["me"]["reason"] == "login"
        await ada.send_json_to({"type": "question.ask", "body": "Why <b>now</b>?", "client_id": "a1"})
        new = await until(watcher, "question.new")
        assert (new["question"]["body"], new["question"]["author"], new["question"]["votes"]) == (
            "Why <b>now</b>?",
            "Ada",
            0,
        )
        ack = await until(ada, "question.ack")
        question_id = new["question"]["id"]
        assert ack == {
            "type": "question.ack",
            "action": "ask",
            "client_id": "a1",
            "id": question_id,
            "status": "visible",
        }
        await bob.send_json_to({"type": "question.vote", "id": question_id, "client_id": "b1"})
        assert await until(bob, "question.ack") == {
            "type": "question.ack",
            "action": "vote",
            "client_id": "b1",
            "id": question_id,
            "votes": 1,
            "votes_version": 1,
            "voted": True,
        }
        await bob.send_json_to({"type": "question.vote", "id": question_id})  # twice: nothing changes
        await until(bob, "question.ack")
        votes = await until(watcher, "question.votes")
        assert votes == {"type": "question.votes", "votes": {str(question_id): 1}, "versions": {str(question_id): 1}}
        await bob.send_json_to({"type": "question.unvote", "id": question_id})
        assert (await until(bob, "question.ack"))["votes"] == 0
        assert await until(watcher, "question.votes") == {
            "type": "question.votes",
            "votes": {str(question_id): 0},
            "versions": {str(question_id): 2},
        }
        # A reconnecting client gets the full current state.
        await watcher.disconnect()
        again, state = await connect()
        assert [(q["id"], q["votes"]) for q in state["questions"]] == [(question_id, 0)]
        for socket in (ada, bob, again):
            await socket.disconnect()


async def test_refusals_on_the_socket(keynote, attendee):
    unregistered = await db(UserFactory)(registered=False)
    hidden = await db(QuestionFactory)(keynote=keynote, status="hidden")
    with time_machine.travel(OPEN):
        anonymous, _ = await connect()
        await anonymous.send_json_to({"type": "question.ask", "body": "Hi", "client_id": "x"})
        refusal = await anonymous.receive_json_from()
        assert (refusal["code"], refusal["reason"], refusal["detail"]) == (
            "forbidden",
            "login",
            "Log in as a registered attendee to ask a question.",
        )
        stranger, _ = await connect(user=unregistered)
        await stranger.send_json_to({"type": "question.vote", "id": hidden.pk})
        assert (await stranger.receive_json_from())["reason"] == "not_registered"
        ada, _ = await connect(user=attendee)
        cases = [
            (
                {"type": "question.vote", "id": hidden.pk},
                "forbidden",
                "This question was hidden by a moderator; you cannot vote.",
            ),
            (
                {"type": "question.ask", "body": "", "client_id": "e"},
                "invalid",
                "The question is empty: write what you want to ask.",
            ),
            (
                {"type": "question.ask", "body": "x" * 501},
                "invalid",
                "A question is at most 500 characters; this one has 501.",
            ),
            ({"type": "question.ask", "body": 5}, "invalid", "A question is text."),
            (
                {"type": "question.hide", "id": hidden.pk},
                "forbidden",
                "Only moderators, organisers and this keynote's chairs may do that.",
            ),
            ({"type": "question.vote", "id": "7"}, "invalid", "Name the question by its id (a number)."),
            ({"type": "nonsense"}, "invalid", "Unknown action “nonsense”."),
        ]
        for frame, code, detail in cases:
            await ada.send_json_to(frame)
            answer = await ada.receive_json_from()
            assert (answer["code"], answer["detail"]) == (code, detail), frame
        await ada.send_to(bytes_data=b"\x00\x01")
        assert (await ada.receive_json_from())["detail"] == "Binary frames are not accepted: send JSON text."
        await ada.send_to(text_data="{not json")
        assert (await ada.receive_json_from())["code"] == "invalid"
        for socket in (anonymous, stranger, ada):
            await socket.disconnect()
    assert await db(Question.objects.filter(status="visible").count)() == 0


async def test_asking_before_it_opens_names_the_time_in_the_visitors_zone(keynote, attendee):
    with time_machine.travel(BEFORE):
        socket, state = await connect(user=attendee, tz="Asia/Tokyo")
        assert (state["open"], state["me"]["reason"]) == (False, "not_open")
        await socket.send_json_to({"type": "question.ask", "body": "Early?"})
        refusal = await socket.receive_json_from()
    assert refusal["detail"] == (
        "The Q&A opens at Sun 26 Apr, 23:00 JST (Asia/Tokyo), when the talk is released; you cannot ask a question yet."
    )
    await socket.disconnect()


async def test_after_the_session_it_is_read_only(keynote, attendee):
    question = await db(QuestionFactory)(keynote=keynote)
    with time_machine.travel(AFTER):
        socket, state = await connect(user=attendee)
        assert (state["phase"], state["open"], state["me"]["reason"]) == ("ended", False, "closed")
        await socket.send_json_to({"type": "question.vote", "id": question.pk})
        assert (await socket.receive_json_from())["reason"] == "closed"
    await socket.disconnect()
    assert await db(Vote.objects.count)() == 0


async def test_rate_limit_says_slow_down(keynote, attendee, settings):
    settings.KEYNOTES_QUESTIONS_PER_WINDOW = 1
    with time_machine.travel(OPEN):
        socket, _ = await connect(user=attendee)
        await socket.send_json_to({"type": "question.ask", "body": "One"})
        await until(socket, "question.ack")
        await socket.send_json_to({"type": "question.ask", "body": "Two"})
        refusal = await until(socket, "error")
    assert (refusal["code"], refusal["detail"][:10], refusal["retry_after"] > 0) == ("rate_limited", "Slow down:", True)
    await socket.disconnect()


async def test_moderation_over_the_socket(keynote, moderator, attendee):
    keynote.pre_moderated = True
    await db(keynote.save)()
    one = await db(QuestionFactory)(keynote=keynote, body="One", status="pending")
    two = await db(QuestionFactory)(keynote=keynote, body="Two", votes=0)
    with time_machine.travel(OPEN):
        chair, _ = await connect(user=moderator)
        watcher, _ = await connect(user=attendee)
        await chair.send_json_to({"type": "question.approve", "id": one.pk})
        assert (await until(watcher, "question.new"))["question"]["body"] == "One"
        await chair.send_json_to({"type": "question.on_air", "id": one.pk})
        assert await until(watcher, "qa.on_air") == {"type": "qa.on_air", "id": one.pk}
        await chair.send_json_to({"type": "question.answered", "id": one.pk})
        updated = await until(watcher, "question.updated")
        assert (updated["question"]["id"], updated["question"]["answered"]) == (one.pk, True)
        assert await until(watcher, "qa.on_air") == {"type": "qa.on_air", "id": None}
        await chair.send_json_to({"type": "question.merge", "id": two.pk, "into": one.pk})
        assert await until(watcher, "question.removed") == {
            "type": "question.removed",
            "id": two.pk,
            "reason": "merged",
            "merged_into": one.pk,
        }
        await chair.send_json_to({"type": "question.next"})
        # The chair has not read its frames yet: 10 come before the error, each action's
        # ack and then its moderators' frames. (Channels' own dispatch took the socket's
        # next client frame before its queued group frames, so some came after the error;
        # chat.fanout hands them over as soon as the action's handler is done.)
        assert (await until(chair, "error", limit=11))["detail"] == "No unanswered question is waiting."
        await chair.send_json_to({"type": "question.hide", "id": one.pk})
        assert await until(watcher, "question.removed") == {
            "type": "question.removed",
            "id": one.pk,
            "reason": "hidden",
        }
        for socket in (chair, watcher):
            await socket.disconnect()


async def test_a_burst_of_votes_is_coalesced(keynote, settings):
    settings.KEYNOTES_VOTE_UPDATE_SECONDS = 0.25
    question = await db(QuestionFactory)(keynote=keynote)
    voters = [await db(UserFactory)(registered=True) for _ in range(6)]
    with time_machine.travel(OPEN):
        watcher, _ = await connect()
        sockets = [(await connect(user=voter))[0] for voter in voters]
        for socket in sockets:  # one after another: SQLite's test database takes one writer
            await socket.send_json_to({"type": "question.vote", "id": question.pk})
            await until(socket, "question.ack")
        await asyncio.sleep(0.6)
        frames = []
        while not await watcher.receive_nothing(timeout=0.1):
            frames.append(await watcher.receive_json_from())
    counts = [f["votes"][str(question.pk)] for f in frames if f["type"] == "question.votes"]
    assert counts[-1] == 6
    # Six votes in about a window: at most one frame per window, not six.
    assert len(counts) <= 2
    for socket in (watcher, *sockets):
        await socket.disconnect()
    votecounts.flush_now()


async def test_peak_watchers(keynote):
    with time_machine.travel(OPEN):
        sockets = [(await connect())[0] for _ in range(3)]
    assert (await db(Keynote.objects.get)(pk=keynote.pk)).peak_watchers == 3
    for socket in sockets:
        await socket.disconnect()
    assert json.dumps([]) == "[]"
