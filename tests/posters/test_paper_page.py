"""The paper page, its calendar file, the author page and the styled 404."""

import re
from datetime import UTC, datetime

import icalendar
import pytest
import time_machine

from chat.models import Room
from chat.rooms import open_room
from posters.models import Bookmark, SimilarPaper
from tests.factories import PaperFactory, SessionFactory, UserFactory
from tests.posters.factories import paper_in_sessions


@pytest.fixture
def paper(conference):
    sessions = [
        SessionFactory(
            title="Mon Session 1", start=datetime(2020, 4, 27, 5, tzinfo=UTC), end=datetime(2020, 4, 27, 7, tzinfo=UTC)
        ),
        SessionFactory(
            title="Mon Session 4",
            start=datetime(2020, 4, 27, 17, tzinfo=UTC),
            end=datetime(2020, 4, 27, 19, tzinfo=UTC),
        ),
    ]
    return paper_in_sessions(
        sessions,
        uid="B1e9Y2NYvS",
        title="On Robustness of Neural ODEs",
        abstract="Neural ODEs are robust.",
        tldr="ODEs resist perturbations.",
        forum_url="https://openreview.net/forum?id=B1e9Y2NYvS",
        pdf_url="https://openreview.net/pdf?id=B1e9Y2NYvS",
        code_url="https://github.com/example/odes",
        author_names=["Hanshu Yan", "Jiawei Du", "Vincent Tan"],
        keyword_names=["robustness", "neural ODE"],
    )


def test_paper_page_shows_everything_in_order(client, paper):
    client.cookies["tz"] = "America/Los_Angeles"
    with time_machine.travel(datetime(2020, 4, 27, 3, 0, tzinfo=UTC), tick=False):
        html = client.get("/papers/B1e9Y2NYvS/").content.decode()
    authors = re.findall(r'<a href="/authors/([^/]+)/">([^<]+)</a>', html)
    assert authors == [("hanshu-yan", "Hanshu Yan"), ("jiawei-du", "Jiawei Du"), ("vincent-tan", "Vincent Tan")]
    assert re.findall(r'<a class="chip" href="/papers/\?keyword=([^"]+)">', html) == ["robustness", "neural-ODE"]
    assert "ODEs resist perturbations." in html
    assert "Neural ODEs are robust." in html
    assert 'href="https://openreview.net/forum?id=B1e9Y2NYvS"' in html
    assert 'href="https://openreview.net/pdf?id=B1e9Y2NYvS"' in html
    assert 'href="https://github.com/example/odes"' in html
    # Both sessions in Pacific time, the zone named, with relative times.
    assert re.findall(r'class="session-time">(.*?)</span>', html) == [
        '<time datetime="2020-04-27T05:00:00+00:00">Sunday 26 April, 22:00</time>–<time '
        'datetime="2020-04-27T07:00:00+00:00">Monday 27 April, 00:00</time> '
        '<abbr class="zone" title="America/Los_Angeles">PDT</abbr>',
        '<time datetime="2020-04-27T17:00:00+00:00">Monday 27 April, 10:00</time>–<time '
        'datetime="2020-04-27T19:00:00+00:00">12:00</time> <abbr class="zone" title="America/Los_Angeles">PDT</abbr>',
    ]
    assert re.findall(r'<span class="badge(?: live)?">([^<]+)</span>', html) == ["in 2 h", "in 14 h"]
    assert 'id="paper-media"' in html
    assert 'data-room-key="paper:B1e9Y2NYvS"' in html
    assert 'href="/papers/B1e9Y2NYvS/calendar.ics"' in html


def test_google_scholar_meta_tags(client, paper):
    html = client.get("/papers/B1e9Y2NYvS/").content.decode()
    assert re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', html)[:7] == [
        ("citation_title", "On Robustness of Neural ODEs"),
        ("citation_author", "Hanshu Yan"),
        ("citation_author", "Jiawei Du"),
        ("citation_author", "Vincent Tan"),
        ("citation_publication_date", "2020/04/26"),
        ("citation_conference_title", "Virtual Conference"),
        ("citation_pdf_url", "https://openreview.net/pdf?id=B1e9Y2NYvS"),
    ]


def test_live_session_is_marked_live(client, paper):
    with time_machine.travel(datetime(2020, 4, 27, 6, 0, tzinfo=UTC), tick=False):
        html = client.get("/papers/B1e9Y2NYvS/").content.decode()
    assert '<span class="badge live">live now</span>' in html


def test_unknown_uid_is_a_styled_404(client, conference):
    for uid in ("nope", "x" * 500, "%F0%9F%98%80"):
        response = client.get(f"/papers/{uid}/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "Page not found" in html
        assert 'class="site-header' in html  # the portal's own layout


def test_calendar_has_both_sessions_and_no_call_links(client, paper):
    response = client.get("/papers/B1e9Y2NYvS/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in events] == [
        ("Poster: On Robustness of Neural ODEs", datetime(2020, 4, 27, 5, tzinfo=UTC)),
        ("Poster: On Robustness of Neural ODEs", datetime(2020, 4, 27, 17, tzinfo=UTC)),
    ]
    assert b"secret" not in response.content
    assert client.get("/papers/nope/calendar.ics").status_code == 404


def test_similar_papers_are_listed_in_order(client, paper):
    others = [PaperFactory(title=f"Neighbour {n}") for n in range(6)]
    for position, other in enumerate(others[:5]):
        SimilarPaper.objects.create(paper=paper, similar=other, position=position, score=1 - position / 10)
    html = client.get("/papers/B1e9Y2NYvS/").content.decode()
    section = html.split('id="similar-heading"')[1]
    assert re.findall(r'<li><a href="/papers/[^/]+/">([^<]+)</a></li>', section) == [
        "Neighbour 0",
        "Neighbour 1",
        "Neighbour 2",
        "Neighbour 3",
        "Neighbour 4",
    ]


@pytest.mark.parametrize("authors", [1, 50])
def test_paper_page_query_count(client, conference, django_assert_num_queries, authors):
    sessions = [SessionFactory() for _ in range(2)]
    paper_in_sessions(sessions, uid="p1", author_names=[f"Author {n}" for n in range(authors)], keyword_names=["k"])
    # cold: conference (call-link policy; read once per request), paper, authors, keywords,
    # similar, slots, the paper's recording
    # + the chat room, not stored yet, so shown empty and not written: room, the paper (its
    #   subject: exists, title) (no message yet: no history, no engagement)
    # + the authors who share a profile (people, through portal.page_parts)
    with django_assert_num_queries(10):
        assert client.get("/papers/p1/").status_code == 200
    assert not Room.objects.exists()  # a page view writes nothing
    # again (nginx keeps the page for everyone; Django renders it each time): paper,
    # authors, keywords, similar, slots, recording, room, authors' profiles (the conference
    # is this process's); once a socket or a post stored the room, its subject is not read
    open_room("paper:p1")
    with django_assert_num_queries(8):
        assert client.get("/papers/p1/").status_code == 200


def test_a_room_nobody_opened_is_shown_empty_and_stored_by_the_first_post(client, conference):
    from tests.chat.factories import AttendeeFactory

    paper_in_sessions([SessionFactory()], uid="p1", title="Owls")
    html = client.get("/papers/p1/").content.decode()
    assert 'data-chat-room="paper:p1"' in html and 'id="chat-title-paperp1"' in html
    assert not Room.objects.exists()
    client.force_login(AttendeeFactory())
    # The page's state request, before any socket: the composer is offered for it.
    state = client.get("/me/state.json?rooms=paper:p1").json()
    assert state["rooms"]["paper:p1"]["can_post"] is True
    assert not Room.objects.exists()
    response = client.post("/rooms/paper:p1/post/", {"body": "Lovely owls"})
    assert response.status_code in (200, 302)
    room = Room.objects.get(key="paper:p1")
    assert (room.title, room.message_count) == ("Owls", 1)


@pytest.mark.parametrize("messages", [1, 50])
def test_paper_page_query_count_does_not_grow_with_the_chat(client, conference, django_assert_num_queries, messages):
    from chat.rooms import open_room
    from tests.chat.factories import AttendeeFactory, MessageFactory

    paper_in_sessions([SessionFactory()], uid="p1")
    room = open_room("paper:p1")
    people = [AttendeeFactory() for _ in range(3)]
    first = MessageFactory(room=room, author=people[0], is_question=True)
    for n in range(1, messages):
        MessageFactory(room=room, author=people[n % 3], reply_to=first if n % 2 else None)
    user = UserFactory(registered=True)
    client.force_login(user)
    client.get("/papers/p1/")
    # the page (as for anyone: the user is not read) + the chat's messages and engagement
    with django_assert_num_queries(10):
        html = client.get("/papers/p1/").content.decode()
    assert len(re.findall(r'<li class="chat-message\b', html)) == messages


def test_paper_page_query_count_logged_in(client, conference, django_assert_num_queries):
    paper = paper_in_sessions([SessionFactory()], uid="p1")
    user = UserFactory(registered=True)
    client.force_login(user)
    Bookmark.objects.create(user=user, paper=paper)
    client.get("/papers/p1/")
    open_room("paper:p1")  # as the page's chat socket does
    # The page is everyone's (the user is not read); the star comes with the visitor's state.
    with django_assert_num_queries(8):
        html = client.get("/papers/p1/").content.decode()
    assert re.findall(r'data-uid="([^"]+)" aria-pressed="true"', html) == []
    assert client.get("/me/state.json?rooms=paper:p1").json()["stars"] == ["p1"]
