"""The keynote pages on the read path: public HTML, the visitor's state, no-JS actions."""

import json
import re

import pytest
import time_machine
from django.test import Client

from chat.rooms import open_room
from keynotes.models import Question, Vote
from tests.factories import UserFactory
from tests.keynotes.factories import AFTER, BEFORE, DURING, OPEN, KeynoteFactory, QuestionFactory
from tests.schedule.factories import at
from tests.schedule.html import parse

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_list_says_each_keynotes_state_in_the_viewers_zone(conference, client):
    KeynoteFactory(slug="early", title="Early one", qa_start=at(2020, 4, 27, 3))
    KeynoteFactory(slug="later", title="Later one", qa_start=at(2020, 4, 27, 10))
    KeynoteFactory(slug="next-day", title="Next day", qa_start=at(2020, 4, 28, 10))
    client.cookies["tz"] = "Asia/Tokyo"
    with time_machine.travel(at(2020, 4, 27, 10, 5), tick=False):
        response = client.get("/keynotes/")
    page = parse(response.content)
    rows = [(r.find(tag="h2").text, r.find("when").text) for r in page.find_all("keynote-row")]
    assert rows == [
        ("Early one", "Live Q&A: Monday 27 April, 12:00–12:45 JST Watch the recording"),
        ("Later one", "Live Q&A: Monday 27 April, 19:00–19:45 JST Live now"),
        ("Next day", "Live Q&A: Tuesday 28 April, 19:00–19:45 JST Upcoming · in 23 h"),
    ]
    # Cached no longer than "live now" lasts (10:45) or the next text change.
    assert response["Cache-Control"] == "public, max-age=10"
    assert response["X-Time-Zone"] == "Asia/Tokyo"


def test_the_keynote_page_is_everyones(keynote, attendee, other):
    question = QuestionFactory(keynote=keynote, body="Why <script>alert(1)</script>?", author=attendee)
    Vote.objects.create(question=question, user=attendee)
    pages = []
    with time_machine.travel(DURING, tick=False):
        for user in (attendee, other):
            response = logged_in(user).get("/keynotes/hopper/")
            assert response.status_code == 200
            assert "Cookie" not in response.get("Vary", "")
            assert response["Cache-Control"].startswith("public, max-age=")
            pages.append(response.content)
    assert pages[0] == pages[1]
    html = pages[0].decode()
    assert "csrfmiddlewaretoken" not in html
    assert "<script>alert(1)</script>" not in html
    assert "Why &lt;script&gt;alert(1)&lt;/script&gt;?" in html
    page = parse(pages[0])
    assert page.find("speaker-name").text == "Grace Hopper, Navy"
    assert page.by_id("keynote-qa").attrs["data-state-key"] == "hopper"
    assert [q.find("question-text").text for q in page.find_all("question")] == ["Why <script>alert(1)</script>?"]


def test_each_question_in_the_viewers_zone_with_its_asker_escaped_or_hidden(keynote, client):
    named = QuestionFactory(
        keynote=keynote,
        body="First line\r\n<b>second</b> & more",
        author=UserFactory(display_name='Eve <img src=x onerror="1">'),
        created_at=at(2020, 4, 27, 9, 30),
        votes=1,
    )
    hidden = QuestionFactory(keynote=keynote, anonymous=True, created_at=at(2020, 4, 27, 9, 45), votes=3)
    client.cookies["tz"] = "Asia/Tokyo"
    with time_machine.travel(DURING, tick=False):
        html = client.get("/keynotes/hopper/?sort=top&x=%22%3E").content.decode()
    page = parse(html.encode())
    items = page.find_all("question")
    assert [i.attrs["data-question"] for i in items] == [str(hidden.pk), str(named.pk)]  # by votes
    assert [i.find("vote-count").text for i in items] == ["3", "1"]
    assert [i.find("vote-count").attrs["aria-label"] for i in items] == ["3 votes", "1 vote"]
    assert [i.find("question-meta").text.split(" On air")[0] for i in items] == [
        "Anonymous · Mon 27 Apr, 18:45 JST",
        'Eve <img src=x onerror="1"> · Mon 27 Apr, 18:30 JST',
    ]
    assert hidden.author.name not in html
    assert "First line<br>&lt;b&gt;second&lt;/b&gt; &amp; more" in html
    assert "Eve &lt;img src=x onerror=&quot;1&quot;&gt;" in html
    assert items[1].find(tag="time").attrs["datetime"] == "2020-04-27T09:30:00+00:00"
    # The page's own address goes back into each vote form, escaped.
    assert 'name="next" value="/keynotes/hopper/?sort=top&amp;x=%22%3E"' in html


def test_the_state_gives_the_visitors_votes_and_permissions(keynote, attendee):
    mine = QuestionFactory(keynote=keynote, author=attendee)
    theirs = QuestionFactory(keynote=keynote)
    Vote.objects.create(question=theirs, user=attendee)
    with time_machine.travel(OPEN, tick=False):
        state = logged_in(attendee).get("/me/state.json?qa=hopper").json()["qa"]
        anonymous = Client().get("/me/state.json?qa=hopper").json()["qa"]
    assert state == {
        "hopper": {
            "can_ask": True,
            "can_vote": True,
            "reason": "",
            "detail": "",
            "moderator": False,
            "voted": [theirs.pk],
            "mine": [{"id": mine.pk, "status": "visible"}],
            "uploader": False,
        }
    }
    assert anonymous["hopper"]["reason"] == "login"
    assert Client().get("/me/state.json?qa=no%20such").status_code == 400


def test_before_the_release_the_page_says_when_questions_open(keynote, client):
    client.cookies["tz"] = "Europe/Berlin"
    with time_machine.travel(BEFORE, tick=False):
        response = client.get("/keynotes/hopper/")
    page = parse(response.content)
    assert page.find("qa-status").text == "Questions open at Sunday 26 April, 16:00 CEST, when the talk is released."
    assert page.find("recording-pending").text == (
        "The video and slides will be available from Sunday 26 April 2020, 16:00 CEST."
    )
    assert page.find("ask-link") is None
    # The release is 3,600 s away: the page is not cached past it (at most the default).
    assert response["Cache-Control"] == "public, max-age=10"


def test_after_the_session_the_qa_is_read_only(keynote, client):
    QuestionFactory(keynote=keynote, body="Answered one", answered_at=DURING)
    with time_machine.travel(AFTER, tick=False):
        page = parse(client.get("/keynotes/hopper/").content)
    assert page.find("qa-status").text == (
        "The Q&A has ended; it is kept here, read-only, with the 1 answered question marked."
    )
    assert page.find("ask-link") is None
    assert page.find("vote-form") is None
    assert page.find("answered-badge").text == "Answered"


def test_ask_without_javascript(keynote, attendee):
    client = logged_in(attendee)
    with time_machine.travel(OPEN, tick=False):
        form = client.get("/keynotes/hopper/ask/?next=/keynotes/hopper/")
        assert b'name="csrfmiddlewaretoken"' in form.content
        response = client.post("/keynotes/hopper/ask/", {"body": "Is it <b>bold</b>?", "next": "/keynotes/hopper/"})
    question = Question.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/keynotes/hopper/#question-{question.pk}")
    assert question.body == "Is it <b>bold</b>?"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("", 400, "The question is empty: write what you want to ask."),
        ("x" * 501, 400, "A question is at most 500 characters; this one has 501."),
    ],
)
def test_a_bad_question_is_refused_on_the_form(keynote, attendee, body, status, error):
    with time_machine.travel(OPEN, tick=False):
        response = logged_in(attendee).post("/keynotes/hopper/ask/", {"body": body})
    assert response.status_code == status
    assert parse(response.content).by_id("ask-error").text == error
    assert Question.objects.count() == 0


def test_asking_refusals_name_the_reason(keynote, attendee, client, settings):
    settings.KEYNOTES_QUESTIONS_PER_WINDOW = 1
    unregistered = logged_in(UserFactory(registered=False))
    with time_machine.travel(OPEN, tick=False):
        assert client.get("/keynotes/hopper/ask/")["Location"].startswith("/accounts/login/?next=")
        refused = unregistered.post("/keynotes/hopper/ask/", {"body": "Me?"})
        assert refused.status_code == 403
        assert "Only registered attendees may ask a question" in parse(refused.content).by_id("ask-error").text
        ada = logged_in(attendee)
        ada.post("/keynotes/hopper/ask/", {"body": "One"})
        slow = ada.post("/keynotes/hopper/ask/", {"body": "Two"})
    assert slow.status_code == 429
    assert parse(slow.content).by_id("ask-error").text.startswith("Slow down: at most 1 questions in 60 seconds")
    with time_machine.travel(AFTER, tick=False):
        late = ada.get("/keynotes/hopper/ask/")
    assert late.status_code == 403
    assert parse(late.content).by_id("ask-error").text.startswith("The Q&A closed at Mon 27 Apr, 10:45 UTC (UTC)")


def test_vote_without_javascript(keynote, attendee):
    question = QuestionFactory(keynote=keynote)
    client = logged_in(attendee)
    with time_machine.travel(OPEN, tick=False):
        confirm = client.get(f"/keynotes/hopper/questions/{question.pk}/vote/?next=/keynotes/hopper/")
        assert parse(confirm.content).find(tag="h1").text == f"Vote for “{question.body}”?"
        response = client.post(
            f"/keynotes/hopper/questions/{question.pk}/vote/", {"on": "1", "next": "/keynotes/hopper/"}
        )
        assert response.status_code == 302
        client.post(f"/keynotes/hopper/questions/{question.pk}/vote/", {"on": "1"})
        assert Question.objects.get().votes == 1
        client.post(f"/keynotes/hopper/questions/{question.pk}/vote/", {"on": "0"})
    assert Question.objects.get().votes == 0


def test_the_chair_view_and_its_forms(keynote, moderator, attendee):
    top = QuestionFactory(keynote=keynote, votes=3, body="Top one")
    QuestionFactory(keynote=keynote, votes=1, body="Second one")
    assert logged_in(attendee).get("/keynotes/hopper/chair/").status_code == 403
    chair = logged_in(moderator)
    with time_machine.travel(DURING, tick=False):
        page = parse(chair.get("/keynotes/hopper/chair/").content)
        assert [q.find("chair-question-text").text for q in page.find_all("chair-question")] == [
            "Top one",
            "Second one",
        ]
        chair.post("/keynotes/hopper/moderate/", {"action": "next", "next": "/keynotes/hopper/chair/"})
        keynote.refresh_from_db()
        assert keynote.on_air_id == top.pk
        public = parse(Client().get("/keynotes/hopper/").content)
    assert public.find("on-air").text == "On air now: Top one"
    assert "on-air" in public.by_id(f"question-{top.pk}").classes
    refused = logged_in(attendee).post("/keynotes/hopper/moderate/", {"action": "hide", "question": top.pk})
    assert refused.status_code == 403


def test_the_summary_for_organisers(keynote, moderator, attendee):
    question = QuestionFactory(keynote=keynote, answered_at=DURING)
    QuestionFactory(keynote=keynote, status="hidden")
    Vote.objects.create(question=question, user=attendee)
    assert logged_in(attendee).get("/keynotes/hopper/summary/").status_code == 403
    page = parse(logged_in(moderator).get("/keynotes/hopper/summary/").content)
    cells = {row.find(tag="th").text: row.find(tag="td").text for row in page.find_all(tag="tr")}
    assert (cells["Questions asked"], cells["Answered"], cells["Hidden"], cells["Votes"]) == ("2", "1", "1", "1")


@pytest.mark.parametrize("n", (1, 50))
def test_keynote_list_query_count(conference, client, django_assert_num_queries, n):
    for number in range(n):
        KeynoteFactory(qa_start=at(2020, 4, 27, 3) + number * (at(2020, 4, 27, 4) - at(2020, 4, 27, 3)))
    with time_machine.travel(OPEN, tick=False), django_assert_num_queries(4):
        assert client.get("/keynotes/").status_code == 200


@pytest.mark.parametrize("n", (1, 50))
def test_keynote_page_query_count(keynote, client, django_assert_num_queries, n):
    QuestionFactory.create_batch(n, keynote=keynote)
    open_room("keynote:hopper")  # its first visit opens the chat room (4 queries more)
    with time_machine.travel(OPEN, tick=False), django_assert_num_queries(6):
        assert client.get("/keynotes/hopper/").status_code == 200


def test_ids_in_the_page_are_unique(keynote):
    QuestionFactory.create_batch(3, keynote=keynote)
    with time_machine.travel(OPEN, tick=False):
        html = Client().get("/keynotes/hopper/").content.decode()
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert json.loads("[]") == []


def test_home_shows_todays_keynotes_and_which_is_live(conference, client):
    KeynoteFactory(slug="today", title="Today's talk", qa_start=at(2020, 4, 27, 10))
    KeynoteFactory(slug="tomorrow", title="Tomorrow's talk", qa_start=at(2020, 4, 28, 10))
    client.cookies["tz"] = "Europe/Berlin"
    with time_machine.travel(DURING, tick=False):
        page = parse(client.get("/").content)
    cards = page.by_id("todays-keynotes").find_all("session-card")
    assert [card.text for card in cards] == [
        "Keynote Live now Today's talk Grace Hopper Live Q&A 12:00–12:45 CEST · ask and vote"
    ]


def test_keynotes_are_in_the_navigation_the_programme_and_the_feeds(keynote, client):
    with time_machine.travel(DURING, tick=False):
        home = client.get("/").content.decode()
        live = parse(client.get("/live/").content)
        feed = client.get("/calendar.ics").content.decode()
        day = client.get("/schedule/2020-04-27/").content.decode()
    assert '<a href="/keynotes/">Keynotes</a>' in home
    assert [row.find("title").text for row in live.by_id("live").find_all("session-row")] == [
        "Live Q&A: Compilers for everyone"
    ]
    assert "SUMMARY:Live Q&A: Compilers for everyone" in feed
    assert "Live Q&amp;A: Compilers for everyone" in day
