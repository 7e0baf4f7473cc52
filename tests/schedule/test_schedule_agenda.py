"""My agenda: adding and removing, overlaps, the browser's agenda and its merge on login."""

import json
from datetime import timedelta

import pytest

from schedule.agenda import add_to_agenda, agenda_settings_for
from schedule.models import AgendaItem, AgendaSettings, Session
from tests.factories import UserFactory
from tests.schedule.factories import AgendaItemFactory, at, session
from tests.schedule.html import messages_of, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(client, conference):
    user = UserFactory(time_zone="Asia/Kolkata")
    client.force_login(user)
    return user


@pytest.fixture
def clash(conference):
    """A poster session and a keynote that share half an hour, and a late social."""
    poster = session(Session.Kind.POSTER, at(2020, 4, 27, 12), title="Poster session 3")
    keynote = session(Session.Kind.KEYNOTE, at(2020, 4, 27, 13), hours=0.5, title="Keynote")
    social = session(Session.Kind.SOCIAL, at(2020, 4, 27, 20), hours=3, title="Social")
    return poster, keynote, social


def agenda_of(user):
    return sorted(AgendaItem.objects.filter(user=user).values_list("session__title", "subject_key", "label"))


def test_adding_and_removing_with_the_form(person, clash, client):
    poster = clash[0]
    form = {"session": poster.pk, "action": "add", "next": "/schedule/2020-04-27/"}
    response = client.post("/me/agenda/items/", form, follow=True)
    assert response.redirect_chain == [("/schedule/2020-04-27/", 302)]
    assert messages_of(response) == ["“Poster session 3”: Added to your agenda."]
    again = client.post("/me/agenda/items/", form, follow=True)
    assert messages_of(again) == ["“Poster session 3”: It was already in your agenda."]
    assert agenda_of(person) == [("Poster session 3", "", "")]
    client.post("/me/agenda/items/", {**form, "action": "remove"})
    assert agenda_of(person) == []


def test_a_paper_in_a_poster_session_is_its_own_item(person, clash, client):
    poster = clash[0]
    client.post("/me/agenda/items/", {"session": poster.pk, "subject": "paper:B1e9", "label": "Deep things"})
    client.post("/me/agenda/items/", {"session": poster.pk})
    assert agenda_of(person) == [("Poster session 3", "", ""), ("Poster session 3", "paper:B1e9", "Deep things")]


def test_the_script_gets_json(person, clash, client):
    response = client.post("/me/agenda/items/", {"session": clash[1].pk}, headers={"accept": "application/json"})
    assert (response.status_code, response.json()) == (200, {"in_agenda": True, "message": "Added to your agenda."})
    missing = client.post("/me/agenda/items/", {"session": "nope"}, headers={"accept": "application/json"})
    assert (missing.status_code, missing.json()) == (400, {"error": "That session does not exist (any more)."})


def test_a_bad_post_is_a_message_not_an_error(person, client, conference):
    response = client.post("/me/agenda/items/", {"session": "999", "next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain == [("/me/agenda/", 302)]
    assert messages_of(response) == ["That session does not exist (any more)."]


def test_anonymous_posts_are_sent_to_log_in(clash, client):
    response = client.post("/me/agenda/items/", {"session": clash[0].pk, "next": "/schedule/"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/schedule/")


def test_my_agenda_lists_my_days_and_flags_the_overlap(person, clash, client):
    for s in clash:
        add_to_agenda(person, s)
    page = parse(client.get("/me/agenda/").content)
    days = [
        (
            section.find(tag="h2").text,
            [(li.find("title").text, li.find("when").text) for li in section.find_all("agenda-line")],
        )
        for section in page.find_all("agenda-day")
    ]
    assert days == [
        ("Monday 27 April", [("Poster session 3", "17:30–19:30 IST"), ("Keynote", "18:30–19:00 IST")]),
        ("Tuesday 28 April", [("Social", "01:30–04:30 IST")]),
    ]
    flags = [(li.find("title").text, li.find("overlap-flag").text) for li in page.find_all("has-overlap")]
    assert flags == [
        ("Poster session 3", "⚠ Overlaps with Keynote"),
        ("Keynote", "⚠ Overlaps with Poster session 3"),
    ]
    assert page.by_id("agenda-summary").text == "3 items in your agenda · 2 overlaps."


def test_a_talk_does_not_clash_with_its_own_workshop(person, conference, client):
    workshop = session(Session.Kind.WORKSHOP, at(2020, 4, 26, 9), hours=8, title="Workshop")
    talk = session(Session.Kind.WORKSHOP_TALK, at(2020, 4, 26, 10), hours=1, title="Talk", parent=workshop)
    add_to_agenda(person, workshop)
    add_to_agenda(person, talk)
    assert parse(client.get("/me/agenda/").content).find_all("has-overlap") == []


def test_the_browser_agenda_is_rendered_by_the_server(clash, client):
    poster, keynote, _ = clash
    items = [{"session": poster.pk}, {"session": keynote.pk, "subject": "", "label": ""}, {"session": 10**9}, "junk"]
    client.cookies["tz"] = "Asia/Kolkata"
    page = parse(client.get("/me/agenda/browser/", {"items": json.dumps(items)}).content)
    assert [li.find("title").text for li in page.find_all("has-overlap")] == ["Poster session 3", "Keynote"]
    broken = parse(client.get("/me/agenda/browser/", {"items": "{not json"}).content)
    assert (broken.find("warning").text, broken.by_id("agenda-empty") is not None) == (
        "The agenda kept in this browser could not be read.",
        True,
    )


def test_the_browser_agenda_is_merged_on_login(clash, client):
    poster, keynote, _ = clash
    user = UserFactory()
    AgendaItemFactory(user=user, session=poster)
    client.force_login(user)
    client.cookies["tz"] = "Europe/Berlin"
    items = [
        {"session": poster.pk},
        {"session": keynote.pk},
        {"session": poster.pk, "subject": "paper:B1e9", "label": "Deep things"},
        {"session": 10**9},
    ]
    response = client.post("/api/v1/me/agenda/merge/", {"items": items}, content_type="application/json")
    assert response.json() == {
        "added": 2,
        "keys": sorted([f"{poster.pk}|", f"{keynote.pk}|", f"{poster.pk}|paper:B1e9"]),
    }
    user.refresh_from_db()
    assert (agenda_of(user), user.time_zone) == (
        [("Keynote", "", ""), ("Poster session 3", "", ""), ("Poster session 3", "paper:B1e9", "Deep things")],
        "Europe/Berlin",
    )


def test_the_feed_link_can_be_replaced(person, client):
    old = agenda_settings_for(person).feed_token
    page = parse(client.get("/me/agenda/").content)
    assert page.by_id("feed-url").attrs["value"] == f"http://testserver/me/agenda.ics?token={old}"
    client.post("/me/agenda/feed/regenerate/")
    new = AgendaSettings.objects.get(user=person).feed_token
    assert (new != old, client.get(f"/me/agenda.ics?token={old}").status_code) == (True, 404)


def test_reminder_preferences(person, client):
    saved = client.post("/me/agenda/reminders/", {"reminder_minutes": "30"}, follow=True)
    assert messages_of(saved) == ["Reminders: 30 minutes before."]
    settings = AgendaSettings.objects.get(user=person)
    assert (settings.reminder_minutes, settings.email_reminders) == (30, False)
    response = client.post("/me/agenda/reminders/", {"reminder_minutes": "7", "email_reminders": "1"}, follow=True)
    assert messages_of(response) == ["Choose one of the offered reminder times."]
    assert AgendaSettings.objects.get(user=person).reminder_minutes == 30


def test_buttons_show_what_is_in_my_agenda(person, clash, client):
    add_to_agenda(person, clash[1])
    # The visitor's state marks the buttons (and brings the zone cookie in line with the profile).
    assert client.get("/me/state.json").json()["agenda"] == [f"{clash[1].pk}|"]
    page = parse(client.get("/schedule/2020-04-27/").content)
    shown = [form.attrs["data-session"] for form in page.find_all("agenda-toggle")]
    # The social starts at 01:30 on Tuesday in Kolkata: not on Monday's page.
    assert shown == [str(clash[0].pk), str(clash[1].pk)]


@pytest.mark.parametrize("n", [1, 50])
def test_my_agenda_query_count(person, client, django_assert_num_queries, n):
    for i in range(n):
        add_to_agenda(person, session(start=at(2020, 4, 27) + timedelta(hours=i)))
    agenda_settings_for(person)
    # user, conference (once per request), items, settings, notices, agenda keys, appointments
    # (booths' recruiter meetings: schedule.agenda.register_agenda_source); the session is in the cache
    with django_assert_num_queries(7):
        assert client.get("/me/agenda/").status_code == 200


def test_the_cached_day_follows_changes_to_the_programme(clash, client):
    assert len(parse(client.get("/schedule/2020-04-27/").content).find_all("session-row")) == 3
    session(Session.Kind.BREAK, at(2020, 4, 27, 9), hours=0.5, title="Coffee")
    clash[2].delete()
    titles = [r.find("title").text for r in parse(client.get("/schedule/2020-04-27/").content).find_all("session-row")]
    assert titles == ["Coffee", "Poster session 3", "Keynote"]


def test_two_posters_in_one_poster_session_do_not_clash(person, clash, client):
    poster, keynote, _ = clash
    add_to_agenda(person, poster, subject_key="paper:A", label="Paper A")
    add_to_agenda(person, poster, subject_key="paper:B", label="Paper B")
    add_to_agenda(person, keynote)
    page = parse(client.get("/me/agenda/").content)
    assert [(li.find("title").text, li.find("overlap-flag").text) for li in page.find_all("has-overlap")] == [
        ("Paper A", "⚠ Overlaps with Keynote"),
        ("Paper B", "⚠ Overlaps with Keynote"),
        ("Keynote", "⚠ Overlaps with Paper A, Paper B"),
    ]
