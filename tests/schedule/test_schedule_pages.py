"""The session page, on now, the livestream, organisers' admin, and the query counts of the lists."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from portal.models import Conference
from schedule.models import Session
from schedule.views import embed_for
from tests.factories import UserFactory
from tests.schedule.factories import admin_session_form, at, session
from tests.schedule.html import messages_of, parse, rows, titles

pytestmark = pytest.mark.django_db

ZOOM = "https://zoom.us/j/42"


@pytest.fixture
def poster(conference):
    return session(Session.Kind.POSTER, at(2020, 4, 27, 12), title="Poster session 3", call_link=ZOOM)


@pytest.mark.parametrize(
    ("instant", "registered", "shown", "later"),
    [
        (at(2020, 4, 27, 11, 44), True, False, True),  # 16 minutes before: not yet
        (at(2020, 4, 27, 11, 45), True, True, False),  # 15 minutes before: open
        (at(2020, 4, 27, 13, 59), True, True, False),
        (at(2020, 4, 27, 14, 0), True, False, False),  # ended
        (at(2020, 4, 27, 12, 30), False, False, False),  # not registered: never
    ],
)
def test_the_call_link_only_for_the_allowed_in_its_window(poster, client, instant, registered, shown, later):
    client.force_login(UserFactory(registered=registered))
    with time_machine.travel(instant, tick=False):
        html = client.get(f"/schedule/sessions/{poster.pk}/").content.decode()
        state = client.get(f"/me/state.json?calls=session:{poster.pk}").content.decode()
    # The page is everyone's: the link only ever comes with the visitor's state.
    assert (ZOOM in html, ZOOM in state, "The video-call link appears here at" in html) == (False, shown, later)


def test_the_session_page(poster, client):
    client.cookies["tz"] = "Asia/Kolkata"
    talk = session(Session.Kind.WORKSHOP_TALK, at(2020, 4, 27, 12), hours=1, title="A talk", parent=poster)
    with time_machine.travel(at(2020, 4, 27, 9), tick=False):
        page = parse(client.get(f"/schedule/sessions/{poster.pk}/").content)
    assert page.find("when-line").text == (
        "Mon 27 Apr, 17:30–19:30 IST · Mon 27 Apr, 15:00–17:00 EAT at the conference · in 3 h"
    )
    assert [row.find("title").text for row in page.find_all("session-row")] == [talk.title]
    assert client.get("/schedule/sessions/999999/").status_code == 404


def test_on_now_and_next(conference, client):
    session(Session.Kind.POSTER, at(2020, 4, 27, 12), title="Live poster")
    session(Session.Kind.KEYNOTE, at(2020, 4, 27, 14), hours=0.5, title="Soon keynote")
    session(Session.Kind.SOCIAL, at(2020, 4, 27, 19), title="Evening social")
    client.cookies["tz"] = "Europe/Berlin"
    with time_machine.travel(at(2020, 4, 27, 13), tick=False):
        page = parse(client.get("/now/").content)
    assert [r.find("title").text for r in page.by_id("live").find_all("session-row")] == ["Live poster"]
    assert [(r.find("title").text, r.find("relative").text) for r in page.by_id("next").find_all("session-row")] == [
        ("Soon keynote", "in 1 h")
    ]
    with time_machine.travel(at(2020, 4, 27, 15), tick=False):  # nothing within 3 h: the next start
        page = parse(client.get("/now/").content)
    assert [r.find("title").text for r in page.by_id("next").find_all("session-row")] == ["Evening social"]


def test_the_livestream_page(conference, client):
    conference.livestream_url = "https://www.youtube.com/watch?v=abc123"
    conference.save()
    session(Session.Kind.LIVESTREAM, at(2020, 4, 27, 12), title="Opening stream")
    session(Session.Kind.POSTER, at(2020, 4, 27, 12), title="Not on the stream")
    session(Session.Kind.KEYNOTE, at(2020, 4, 27, 14), hours=0.5, title="Keynote")
    with time_machine.travel(at(2020, 4, 27, 13), tick=False):
        page = parse(client.get("/live/").content)
    assert page.find(tag="iframe").attrs["src"] == "https://www.youtube-nocookie.com/embed/abc123"
    assert [r.find("title").text for r in page.by_id("live").find_all("session-row")] == ["Opening stream"]
    assert [r.find("title").text for r in page.by_id("next").find_all("session-row")] == ["Keynote"]


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("", (None, "")),
        ("https://youtu.be/abc", ("iframe", "https://www.youtube-nocookie.com/embed/abc")),
        ("https://www.youtube.com/live/xyz?si=1", ("iframe", "https://www.youtube-nocookie.com/embed/xyz")),
        ("https://vimeo.com/123", ("iframe", "https://player.vimeo.com/video/123")),
        ("https://cdn.example.org/live/stream.m3u8", ("video", "https://cdn.example.org/live/stream.m3u8")),
        ("https://stream.example.org/player", ("iframe", "https://stream.example.org/player")),
    ],
)
def test_livestream_embeds(url, embed):
    assert embed_for(url) == embed


def test_admin_shows_and_takes_times_in_the_conferences_zone(conference, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, time_zone="Pacific/Auckland"))
    client.cookies["tz"] = "Pacific/Auckland"
    keynote = session(Session.Kind.KEYNOTE, at(2020, 4, 27, 14), hours=0.5, title="Keynote")
    form = parse(client.get(f"/admin/schedule/session/{keynote.pk}/change/").content)
    fields = {e.attrs["name"]: e.attrs.get("value") for e in form.iter() if e.tag == "input" and "name" in e.attrs}
    assert (fields["start_0"], fields["start_1"]) == ("27/04/2020", "17:00:00")  # 14:00 UTC in Addis Ababa
    changelist = parse(client.get("/admin/schedule/session/").content)
    assert changelist.find("field-conference_start").text == "Mon 27 Apr 2020, 17:00 EAT"
    data = admin_session_form(
        title="Keynote", kind="keynote", start_0="2020-04-27", start_1="18:00:00", end_0="2020-04-27", end_1="18:30:00"
    )
    response = client.post(f"/admin/schedule/session/{keynote.pk}/change/", data)
    assert response.status_code == 302
    keynote.refresh_from_db()
    assert (keynote.start, keynote.end, keynote.sequence) == (at(2020, 4, 27, 15), at(2020, 4, 27, 15, 30), 1)


def test_admin_refuses_a_short_keynote_qa(conference, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {
        "title": "Live Q&A",
        "kind": "keynote_qa",
        "start_0": "2020-04-27",
        "start_1": "18:00:00",
        "end_0": "2020-04-27",
        "end_1": "18:10:00",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/schedule/session/add/", data)
    assert response.status_code == 200
    assert [e.text for e in parse(response.content).find_all("errorlist")] == [
        "A keynote's live Q&A lasts at least 15 minutes."
    ]


def test_admin_imports_a_calendar(conference, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@b\r\nDTSTART:20200427T050000Z\r\n"
        b"DTEND:20200427T070000Z\r\nSUMMARY:Poster Day 1 Session 1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    response = client.post(
        "/admin/schedule/session/import-calendar/", {"file": SimpleUploadedFile("p.ics", body)}, follow=True
    )
    assert [m.message for m in response.context["messages"]] == ["p.ics: sessions 1 created, 0 updated, 0 unchanged."]
    broken = client.post("/admin/schedule/session/import-calendar/", {"file": SimpleUploadedFile("x.ics", b"nope")})
    assert [e.text for e in parse(broken.content).find_all("errorlist")] == [
        "x.ics: not a readable iCalendar file "
        "(Content line could not be parsed into parts: 'nope': Invalid content line)."
    ]


def many(n):
    for i in range(n):
        session(Session.Kind.POSTER, at(2020, 4, 27, 5) + timedelta(minutes=20 * i), hours=1, title=f"S{i:02d}")


# Queries: the conference (read once per request), then the page's own.
@pytest.mark.parametrize("n", [1, 50])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/schedule/", 3),  # + span, sessions
        ("/schedule/2020-04-27/", 3),  # + span, sessions
        ("/now/", 3),  # + live, next
        (
            "/live/",
            6,
        ),  # + live, next, the next start (nothing streamed within 3 h), booths open now, the running order (people)
        ("/calendar.ics", 3),  # + version, sessions
    ],
)
def test_list_page_query_counts(conference, client, django_assert_num_queries, n, url, queries):
    many(n)
    with time_machine.travel(at(2020, 4, 27, 4), tick=False), django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_a_logged_in_day_page_reads_the_agenda_once(conference, client, django_assert_num_queries, n):
    many(n)
    client.force_login(UserFactory())
    with django_assert_num_queries(3):  # as for anyone: the agenda comes with the visitor's state
        assert len(rows(client.get("/schedule/2020-04-27/"))) == n


def test_the_week_shows_workshops_not_their_talks(conference, client):
    workshop = session(Session.Kind.WORKSHOP, at(2020, 4, 26, 9), hours=8, title="Workshop")
    session(Session.Kind.WORKSHOP_TALK, at(2020, 4, 26, 10), hours=1, title="Talk", parent=workshop)
    page = parse(client.get("/schedule/").content)
    assert [(i.find("title").text, i.find("talks").text) for i in page.find_all("week-item")] == [
        ("Workshop", "1 talk")
    ]
    assert titles(client.get("/schedule/?kind=workshop_talk"), "week-item") == ["Talk"]


@override_settings(PORTAL_PUBLIC_BROWSING=True)
def test_anonymous_pages_hold_no_agenda_state(conference, client):
    many(1)
    page = parse(client.get("/schedule/2020-04-27/").content)
    assert [f.find(tag="button").attrs["aria-pressed"] for f in page.find_all("agenda-toggle")] == ["false"]
    assert Conference.objects.count() == 1


def test_a_message_is_shown_even_where_the_page_is_cached(conference, client):
    many(1)
    client.get("/schedule/2020-04-27/")  # cached now
    response = client.get("/schedule/2020-02-30/", follow=True)
    assert messages_of(response)[0].startswith("“2020-02-30” is not a date")


def pressed(response):
    """{session title: aria-pressed} of the agenda buttons on a day page."""
    return {
        row.find("title").text: row.find("agenda-toggle").find(tag="button").attrs["aria-pressed"]
        for row in parse(response.content).find_all("session-row")
    }


def test_a_session_moved_to_another_day_shows_at_once_on_cached_day_pages(conference, client):
    many(2)
    client.force_login(UserFactory(time_zone="UTC"))
    with time_machine.travel(at(2020, 4, 27, 4), tick=False):
        assert titles(client.get("/schedule/2020-04-27/")) == ["S00", "S01"]
        assert titles(client.get("/schedule/2020-04-28/")) == []
        moved = Session.objects.get(title="S01")
        moved.start, moved.end = moved.start + timedelta(days=1), moved.end + timedelta(days=1)
        moved.save()
        assert titles(client.get("/schedule/2020-04-27/")) == ["S00"]
        assert titles(client.get("/schedule/2020-04-28/")) == ["S01"]


def test_the_now_line_moves_with_the_minute(conference, client, django_assert_num_queries):
    session(Session.Kind.POSTER, at(2020, 4, 27, 12), hours=1, title="Poster")
    client.cookies["tz"] = "UTC"

    def now_and_live():
        page = parse(client.get("/schedule/2020-04-27/").content)
        return (
            page.by_id("now-line").text,
            page.find("now-text").text,
            [r.find("title").text for r in page.find_all("is-live")],
        )

    with time_machine.travel(at(2020, 4, 27, 11, 58, 10), tick=False):
        assert now_and_live() == ("Now · 11:58 UTC", "Now: 11:58 UTC", [])
    with time_machine.travel(at(2020, 4, 27, 11, 58, 59), tick=False):
        response = client.get("/schedule/2020-04-27/")
    # A shared cache keeps it until the next minute at most (the "Now: 11:58" changes then).
    assert response["Cache-Control"] == "public, max-age=1"
    with time_machine.travel(at(2020, 4, 27, 11, 59), tick=False):
        assert now_and_live() == ("Now · 11:59 UTC", "Now: 11:59 UTC", [])
    with time_machine.travel(at(2020, 4, 27, 12), tick=False):
        assert now_and_live() == ("Now · 12:00 UTC", "Now: 12:00 UTC", ["Poster"])
    with time_machine.travel(at(2020, 4, 27, 13), tick=False):
        assert now_and_live() == ("Now · 13:00 UTC", "Now: 13:00 UTC", [])


def test_a_live_badge_on_yesterdays_page_ends_with_its_session(conference, client):
    session(Session.Kind.SOCIAL, at(2020, 4, 26, 23), hours=2, title="Late social")
    client.cookies["tz"] = "UTC"
    with time_machine.travel(at(2020, 4, 27, 0, 59, 30), tick=False):
        assert titles(client.get("/schedule/2020-04-26/"), "is-live") == ["Late social"]
    with time_machine.travel(at(2020, 4, 27, 1), tick=False):
        assert titles(client.get("/schedule/2020-04-26/"), "is-live") == []
