"""A paper's chat room ("paper:<uid>"), as the posters app registers it: the room exists
for real papers only, the paper's authors carry the "author" badge, the paper page
embeds the room and the author page lists the questions waiting for an answer."""

import re

import pytest
from channels.db import database_sync_to_async

from chat import rooms
from chat.models import Message, Room
from posters.models import Author
from schedule import subjects
from tests.chat.conftest import (  # noqa: F401  (fixtures: sockets in worker threads, presence tasks)
    _chat_settings,
    _no_persistent_connections,
    close_all,
    open_socket,
    post,
    receive_until,
)
from tests.chat.factories import AttendeeFactory, MessageFactory
from tests.factories import PaperFactory

db = database_sync_to_async


def paper_by(email, **kwargs):
    """A paper whose first author's e-mail is `email`."""
    paper = PaperFactory(author_names=["Grace Hopper", "Alan Turing"], **kwargs)
    Author.objects.filter(name="Grace Hopper").update(email=email)
    return paper


def test_the_paper_kind_is_registered_by_the_posters_app():
    paper_kind = subjects.subject_kind("paper")
    assert paper_kind is not None
    assert paper_kind.resolve.__module__ == "posters.subjects"


@pytest.mark.django_db
def test_the_kind_answers_from_the_papers_and_their_authors():
    paper = paper_by("Grace@Example.org", uid="R00M1", title="Chatting about papers")
    other = PaperFactory(uid="R00M2")
    grace = AttendeeFactory(email="grace@example.org")
    assert subjects.subject("paper:R00M1") == subjects.Subject(
        key="paper:R00M1",
        title="Chatting about papers",
        url="/papers/R00M1/",
        upload_url="/me/papers/R00M1/recording/",
        author_emails=frozenset({"grace@example.org"}),
    )
    assert subjects.subject("paper:NOPE") is None
    assert subjects.subject("paper:R00M2").author_emails == frozenset()
    assert subjects.authored_by(grace) == ["paper:R00M1"]
    assert (subjects.is_author("paper:R00M1", grace), subjects.is_author("paper:R00M2", grace)) == (True, False)
    room = rooms.open_room(paper.chat_room_key)
    assert (room.key, room.kind, room.title) == ("paper:R00M1", "paper", "Chatting about papers")
    assert (rooms.author_emails(room), rooms.url_for(room)) == ({"grace@example.org"}, "/papers/R00M1/")
    assert rooms.rooms_authored_by(grace) == ["paper:R00M1"]
    assert rooms.find_room("paper:NOPE") is None
    assert other.chat_room_key == "paper:R00M2"


@pytest.mark.django_db(transaction=True)
async def test_a_paper_room_opens_for_a_real_paper_and_is_refused_for_an_unknown_uid():
    await db(PaperFactory)(uid="B1xSperKvH", title="A paper worth discussing")
    socket, state = await open_socket("paper:B1xSperKvH")
    assert (state["type"], state["room"], state["title"]) == (
        "room.state",
        "paper:B1xSperKvH",
        "A paper worth discussing",
    )
    assert state["engagement"] == {"questions": 0, "answered": 0}
    await close_all(socket)

    _, code = await open_socket("paper:NoSuchPaper")
    assert code == 4404
    assert await db(lambda: list(Room.objects.values_list("key", flat=True)))() == ["paper:B1xSperKvH"]


@pytest.mark.django_db(transaction=True)
async def test_the_papers_author_gets_the_author_badge_and_answers_questions():
    await db(paper_by)("grace@example.org", uid="B1xSperKvH")
    grace = await db(AttendeeFactory)(email="Grace@example.org", display_name="Grace")
    asker = await db(AttendeeFactory)(display_name="Bob")
    asking, _ = await open_socket("paper:B1xSperKvH", asker)
    answering, _ = await open_socket("paper:B1xSperKvH", grace)

    await post(asking, "Does it work on graphs?", client_id="q1")
    question = await receive_until(asking, "message.new")
    assert question["message"]["author"]["badge"] == ""
    assert question["engagement"] == {"questions": 1, "answered": 0}

    await post(answering, "Yes, see section 4.", client_id="a1", reply_to=question["message"]["id"])
    answer = await receive_until(answering, "message.new")
    assert answer["message"]["author"]["badge"] == "author"
    assert answer["engagement"] == {"questions": 1, "answered": 1}
    await close_all(asking, answering)


@pytest.mark.django_db
def test_the_paper_page_embeds_the_papers_room(client):
    paper = PaperFactory(uid="B1xSperKvH")
    room = rooms.open_room(paper.chat_room_key)
    MessageFactory(room=room, body="Great talk!")
    html = client.get("/papers/B1xSperKvH/").content.decode()

    head, body = html.split("</head>", 1)
    assert re.search(r'<script src="[^"]*/js/chat\.js"', head)
    section = re.search(r'<section id="paper-chat".*?</section>\s*</section>', body, re.S).group(0)
    assert 'data-chat-room="paper:B1xSperKvH"' in section
    assert 'data-ws="/ws/rooms/paper:B1xSperKvH/"' in section
    assert "Great talk!" in section
    assert "Log in</a> to take part" in section  # anonymous visitors read along


@pytest.mark.django_db
def test_an_author_sees_the_unanswered_questions_on_their_papers(client):
    paper = paper_by("grace@example.org", uid="B1xSperKvH", title="Graphs, again")
    elsewhere = PaperFactory(uid="Elsewhere")
    room = rooms.open_room(paper.chat_room_key)
    MessageFactory(room=room, body="Does it work on graphs?", is_question=True)
    MessageFactory(room=room, body="Already answered", is_question=True, answered_at=room.created_at)
    MessageFactory(room=rooms.open_room(elsewhere.chat_room_key), body="Not your paper", is_question=True)
    client.force_login(AttendeeFactory(email="grace@example.org"))

    html = client.get("/me/papers/authored/").content.decode()
    assert "Questions waiting for you" in html
    assert "Does it work on graphs?" in html
    assert f'href="/rooms/paper:B1xSperKvH/#msg-{Message.objects.get(body__startswith="Does it").pk}"' in html
    assert "Already answered" not in html
    assert "Not your paper" not in html
