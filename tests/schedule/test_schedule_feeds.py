"""iCalendar feeds, read back with an independent parser (vobject)."""

import json
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
import vobject
from django.test import RequestFactory

from portal.models import Conference
from schedule.agenda import add_to_agenda, agenda_settings_for, regenerate_feed_token
from schedule.calendars import (
    CalendarEntry,
    calendar_for_sessions,
    event_component,
    vevent_bytes,
    without_call_links,
)
from schedule.models import Session
from tests.factories import UserFactory
from tests.schedule.factories import at, session

pytestmark = pytest.mark.django_db

ZOOM = "https://zoom.us/j/123456789?pwd=secret"


def events(response_or_bytes):
    body = getattr(response_or_bytes, "content", response_or_bytes)
    calendar = vobject.readOne(body.decode("utf-8"))
    return calendar, sorted(calendar.contents.get("vevent", []), key=lambda e: (e.dtstart.value, e.uid.value))


def summary_of(event):
    return (event.uid.value, event.dtstart.value, event.dtend.value, event.summary.value, int(event.sequence.value))


def assert_rfc5545_lines(body):
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"VERSION:2.0\r\n" in body and b"PRODID:" in body


@pytest.fixture
def programme(conference):
    keynote = session(Session.Kind.KEYNOTE, at(2020, 4, 27, 14), hours=0.5, title="Keynote, with; punctuation")
    poster = session(
        Session.Kind.POSTER,
        at(2020, 4, 27, 12),
        title="Poster session 3",
        call_link=ZOOM,
        description=f"Join at {ZOOM}\nPassword: hunter2\nBring questions.",
    )
    social = session(Session.Kind.SOCIAL, at(2020, 4, 27, 23), title="Late social", location=ZOOM)
    return keynote, poster, social


def test_the_programme_feed_holds_every_session_in_utc(programme, client):
    keynote, poster, social = programme
    response = client.get("/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert_rfc5545_lines(response.content)
    calendar, found = events(response)
    assert [summary_of(e) for e in found] == [
        (poster.uid, at(2020, 4, 27, 12), at(2020, 4, 27, 14), "Poster session 3", 0),
        (keynote.uid, at(2020, 4, 27, 14), at(2020, 4, 27, 14, 30), "Keynote, with; punctuation", 0),
        (social.uid, at(2020, 4, 27, 23), at(2020, 4, 28, 1), "Late social", 0),
    ]
    assert [e.dtstamp.value for e in found] == [
        s.updated_at.astimezone(UTC).replace(microsecond=0) for s in (poster, keynote, social)
    ]
    assert [e.url.value for e in found] == [
        f"http://testserver/schedule/sessions/{s.pk}/" for s in (poster, keynote, social)
    ]
    assert calendar.contents["x-wr-calname"][0].value == "ICLR 2020"


def test_no_call_link_or_password_ever_reaches_a_feed(programme, client):
    body = client.get("/calendar.ics").content + client.get(f"/schedule/sessions/{programme[1].pk}.ics").content
    assert (b"zoom" in body.lower(), b"hunter2" in body, b"pwd" in body) == (False, False, False)
    _, found = events(client.get(f"/schedule/sessions/{programme[1].pk}.ics"))
    assert found[0].description.value.splitlines()[-3:] == [
        "Bring questions.",
        "",
        f"http://testserver/schedule/sessions/{programme[1].pk}/",
    ]


def test_descriptions_name_the_local_and_the_conference_time(programme, client):
    client.cookies["tz"] = "Asia/Kolkata"
    _, found = events(client.get(f"/schedule/sessions/{programme[0].pk}.ics"))
    assert found[0].description.value.splitlines()[:2] == [
        "Keynote talk · Mon 27 Apr 2020, 19:30–20:00 IST (Asia/Kolkata)",
        "Conference time: Mon 27 Apr 2020, 17:00–17:30 EAT (Africa/Addis_Ababa)",
    ]


def test_moving_a_session_raises_its_sequence_and_dtstamp(programme, client):
    keynote = programme[0]
    _, before = events(client.get(f"/schedule/sessions/{keynote.pk}.ics"))
    with time_machine.travel(keynote.updated_at + timedelta(minutes=5), tick=False):
        keynote.start, keynote.end = keynote.start + timedelta(hours=1), keynote.end + timedelta(hours=1)
        keynote.save()
        keynote.title = "Renamed"  # a change that is not a move keeps the sequence
        keynote.save()
    _, after = events(client.get(f"/schedule/sessions/{keynote.pk}.ics"))
    assert (before[0].uid.value, int(before[0].sequence.value)) == (keynote.uid, 0)
    assert (after[0].uid.value, int(after[0].sequence.value), after[0].dtstart.value) == (
        keynote.uid,
        1,
        at(2020, 4, 27, 15),
    )
    assert after[0].dtstamp.value > before[0].dtstamp.value


def test_the_programme_feed_follows_changes_despite_its_cache(programme, client):
    assert len(events(client.get("/calendar.ics"))[1]) == 3
    programme[2].delete()
    assert len(events(client.get("/calendar.ics"))[1]) == 2


@pytest.fixture
def subscriber(programme):
    user = UserFactory(time_zone="Pacific/Auckland")
    keynote, poster, _ = programme
    add_to_agenda(user, keynote)
    add_to_agenda(user, poster, subject_key="paper:B1e9Y2NYvS", label="Poster: Deep things")
    return user


def test_the_personal_feed_holds_exactly_my_agenda(subscriber, programme, client):
    keynote, poster, _ = programme
    token = agenda_settings_for(subscriber).feed_token
    response = client.get(f"/me/agenda.ics?token={token}")
    assert_rfc5545_lines(response.content)
    calendar, found = events(response)
    assert [summary_of(e) for e in found] == [
        (
            f"paper:B1e9Y2NYvS/{poster.uid}",
            at(2020, 4, 27, 12),
            at(2020, 4, 27, 14),
            "Poster: Deep things · Poster session 3",
            0,
        ),
        (keynote.uid, at(2020, 4, 27, 14), at(2020, 4, 27, 14, 30), "Keynote, with; punctuation", 0),
    ]
    assert calendar.contents["x-wr-timezone"][0].value == "Pacific/Auckland"
    assert found[0].description.value.splitlines()[0] == (
        "Poster session · Tue 28 Apr 2020, 00:00–02:00 NZST (Pacific/Auckland)"
    )


def test_a_replaced_token_is_a_404_and_the_new_one_works(subscriber, client):
    old = agenda_settings_for(subscriber).feed_token
    assert client.get(f"/me/agenda.ics?token={old}").status_code == 200  # its events are cached now
    new = regenerate_feed_token(subscriber)
    assert [client.get(f"/me/agenda.ics?token={t}").status_code for t in (old, new, "", "x" * 40)] == [
        404,
        200,
        404,
        404,
    ]
    assert client.get("/me/agenda.ics").status_code == 404


def test_the_browser_agenda_downloads_as_a_calendar(programme, client):
    keynote, poster, _ = programme
    items = json.dumps(
        [{"session": keynote.pk}, {"session": poster.pk, "subject": "paper:X", "label": "P"}, {"session": 0}]
    )
    response = client.get("/me/agenda.ics", {"items": items})
    assert response["Content-Disposition"] == 'attachment; filename="my-agenda.ics"'
    assert [e.uid.value for e in events(response)[1]] == [f"paper:X/{poster.uid}", keynote.uid]


def test_the_paper_calendar_helper_matches_the_agenda_uids(subscriber, programme):
    poster = programme[1]
    request = RequestFactory().get("/papers/B1e9Y2NYvS/calendar.ics")
    body = calendar_for_sessions(
        [poster],
        request=request,
        name="Deep things",
        zone_name="Europe/Berlin",
        subject_key="paper:B1e9Y2NYvS",
        summary="Poster: Deep things",
        page_url="http://testserver/papers/B1e9Y2NYvS/",
    )
    assert [(e.uid.value, e.summary.value, e.url.value) for e in events(body)[1]] == [
        (f"paper:B1e9Y2NYvS/{poster.uid}", "Poster: Deep things", "http://testserver/papers/B1e9Y2NYvS/")
    ]


def test_call_links_are_cut_out_of_public_text():
    text = "Talk.\nZoom: https://us02web.zoom.us/j/8?pwd=abc\nMeeting ID: 123 456\nSlides: https://example.org/s.pdf"
    assert without_call_links(text) == "Talk.\nZoom: \n\nSlides: https://example.org/s.pdf"


@pytest.mark.parametrize("n", [1, 50])
def test_feed_query_counts(conference, client, django_assert_num_queries, n):
    user = UserFactory()
    for i in range(n):
        add_to_agenda(user, session(start=at(2020, 4, 27, 5) + timedelta(hours=i), title=f"S{i}"))
    token = agenda_settings_for(user).feed_token
    # Conference, the token's owner, the items with their sessions, the appointments
    # (booths' recruiter meetings, schedule.agenda.register_agenda_source).
    with django_assert_num_queries(4):
        assert client.get(f"/me/agenda.ics?token={token}").status_code == 200
    # The programme's version, the sessions (the Conference is this process's now).
    with django_assert_num_queries(2):
        assert client.get("/calendar.ics").status_code == 200


def test_made_up_uids_get_the_portals_domain(conference, client, settings):
    settings.PORTAL_BASE_URL = "https://iclr.example.org"
    workshop = session(Session.Kind.WORKSHOP, at(2020, 4, 26, 9), hours=8, title="NAS", uid="workshop:NAS")
    assert [e.uid.value for e in events(client.get(f"/schedule/sessions/{workshop.pk}.ics"))[1]] == [
        "workshop:NAS@iclr.example.org"
    ]


def test_the_programme_feed_follows_the_conference(programme, client):
    client.get("/calendar.ics")
    conference = Conference.get()
    conference.name = "ICLR 2020 (virtual)"
    conference.save()
    assert events(client.get("/calendar.ics"))[0].contents["x-wr-calname"][0].value == "ICLR 2020 (virtual)"


def test_a_moved_session_shows_its_new_time_in_the_next_feed_fetch(subscriber, programme, client):
    keynote = programme[0]
    url = f"/me/agenda.ics?token={agenda_settings_for(subscriber).feed_token}"
    before = {e.uid.value: e for e in events(client.get(url))[1]}[keynote.uid]
    keynote.start, keynote.end = keynote.start + timedelta(hours=2), keynote.end + timedelta(hours=2)
    keynote.save()
    after = {e.uid.value: e for e in events(client.get(url))[1]}[keynote.uid]
    assert (int(before.sequence.value), before.dtstart.value) == (0, at(2020, 4, 27, 14))
    assert (int(after.sequence.value), after.dtstart.value, after.dtend.value) == (
        1,
        at(2020, 4, 27, 16),
        at(2020, 4, 27, 16, 30),
    )
    assert after.description.value.splitlines()[0] == (
        "Keynote talk · Tue 28 Apr 2020, 04:00–04:30 NZST (Pacific/Auckland)"
    )


@pytest.mark.parametrize("limit", [400, 2000])
def test_events_are_byte_for_byte_what_icalendar_writes(conference, limit):
    """The fast serialiser against icalendar's own Component.to_ical: escapes, folds, UTF-8."""
    parent = session(Session.Kind.WORKSHOP, at(2020, 4, 26, 9), hours=8, title="Workshop; with, commas")
    tricky = [
        session(title="Short", description=""),
        session(
            title="Ünïcödé " * 12 + "😀 emoji across a fold",
            description="Line one\\nBack\\slash, semi; caret^ \r\nWindows line\rlone CR " + "é" * 200,
            location="Room 101 (Ünï)",
            parent=parent,
        ),
        session(title="x" * 73 + "\\" + "y" * 80, description=("ab^" * 30) + ("\\," * 50)),
    ]
    zone, conference_zone = ZoneInfo("Pacific/Auckland"), ZoneInfo("Africa/Addis_Ababa")
    for item in Session.objects.select_related("parent").filter(pk__in=[s.pk for s in tricky]):
        for entry in (
            CalendarEntry(item, page_url=f"https://example.org/schedule/sessions/{item.pk}/"),
            CalendarEntry(item, subject_key="paper:Ü1", label="Poster: Ä title, long " * 4),
        ):
            expected = event_component(entry, zone, conference_zone, limit).to_ical()
            assert vevent_bytes(entry, zone, conference_zone, limit) == expected
