"""/api/v1/sessions/ and /api/v1/me/agenda/."""

from datetime import timedelta

import pytest

from schedule.agenda import add_to_agenda
from schedule.models import Session
from tests.factories import UserFactory
from tests.schedule.factories import at, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(conference):
    return [
        session(Session.Kind.POSTER, at(2020, 4, 27, 5), title="P1S1"),
        session(Session.Kind.KEYNOTE, at(2020, 4, 27, 14), hours=0.5, title="Keynote"),
        session(Session.Kind.POSTER, at(2020, 4, 27, 20), title="P1S5"),
        session(Session.Kind.SOCIAL, at(2020, 4, 28, 23), title="Social"),
    ]


def titles(response):
    return [s["title"] for s in response.json()["results"]]


def test_a_session_in_the_api(week, client):
    client.cookies["tz"] = "Asia/Kolkata"
    [first, *_] = client.get("/api/v1/sessions/").json()["results"]
    assert first == {
        "id": week[0].pk,
        "uid": week[0].uid,
        "kind": "poster",
        "kind_label": "Poster session",
        "title": "P1S1",
        "description": "",
        "start": "2020-04-27T05:00:00Z",
        "end": "2020-04-27T07:00:00Z",
        "parent": None,
        "location": "",
        "sequence": 0,
        "page_url": f"http://testserver/schedule/sessions/{week[0].pk}/",
        "calendar_url": f"http://testserver/schedule/sessions/{week[0].pk}.ics",
        "local": {
            "zone": "Asia/Kolkata",
            "abbreviation": "IST",
            "start": "2020-04-27T10:30:00+05:30",
            "end": "2020-04-27T12:30:00+05:30",
            "day": "2020-04-27",
            "label": "Mon 27 Apr, 10:30–12:30 IST",
        },
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["P1S1", "Keynote", "P1S5", "Social"]),
        ("?kind=poster", ["P1S1", "P1S5"]),
        ("?kind=poster,social", ["P1S1", "P1S5", "Social"]),
        ("?kind=poster&kind=keynote", ["P1S1", "Keynote", "P1S5"]),
        ("?start=2020-04-27T13:00:00Z&end=2020-04-27T21:00:00Z", ["Keynote", "P1S5"]),
        ("?start=2020-04-27T06:59:00%2B00:00", ["P1S1", "Keynote", "P1S5", "Social"]),
        ("?end=2020-04-27T05:00:00Z", []),
    ],
)
def test_filters(week, client, query, expected):
    assert titles(client.get(f"/api/v1/sessions/{query}")) == expected


def test_dates_are_the_viewers_days(week, client):
    # Tuesday 28 April in Auckland runs from 12:00 UTC on the 27th to 12:00 UTC on the 28th.
    client.cookies["tz"] = "Pacific/Auckland"
    assert titles(client.get("/api/v1/sessions/?start=2020-04-28&end=2020-04-28")) == ["Keynote", "P1S5"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?start=yesterday", {"start": "“yesterday” is not an ISO 8601 date or date-time."}),
        ("?start=2020-04-28&end=2020-04-27", {"end": "The end must come after the start."}),
        ("?kind=dance", {"kind": f"Unknown kind “dance”; one of: {', '.join(Session.Kind.values)}."}),
    ],
)
def test_bad_input_is_a_400_that_says_why(week, client, query, problem):
    response = client.get(f"/api/v1/sessions/{query}")
    assert (response.status_code, response.json()) == (400, problem)


@pytest.mark.parametrize("n", [1, 50])
def test_session_list_query_count(conference, client, django_assert_num_queries, n):
    for i in range(n):
        session(start=at(2020, 4, 27) + timedelta(hours=i))
    with django_assert_num_queries(1):
        response = client.get("/api/v1/sessions/")
    assert len(response.json()["results"]) == n


def test_my_agenda_needs_a_login(client, conference):
    assert client.get("/api/v1/me/agenda/").status_code == 403


def test_my_agenda_in_the_api(week, client):
    user = UserFactory()
    client.force_login(user)
    created = client.post(
        "/api/v1/me/agenda/", {"session_id": week[0].pk, "subject_key": "paper:X", "label": "Deep things"}
    )
    client.post("/api/v1/me/agenda/", {"session_id": week[1].pk})
    again = client.post("/api/v1/me/agenda/", {"session_id": week[1].pk})
    bad = client.post("/api/v1/me/agenda/", {"session_id": 10**9})
    assert (created.status_code, again.status_code, bad.status_code) == (201, 200, 400)
    listing = client.get("/api/v1/me/agenda/").json()
    assert [(i["session"]["title"], i["subject_key"], i["title"], i["overlaps"]) for i in listing] == [
        ("P1S1", "paper:X", "Deep things", []),
        ("Keynote", "", "Keynote", []),
    ]
    item = listing[0]["id"]
    assert client.delete(f"/api/v1/me/agenda/{item}/").status_code == 204
    assert [i["title"] for i in client.get("/api/v1/me/agenda/").json()] == ["Keynote"]


def test_overlaps_in_the_api(week, client):
    user = UserFactory()
    clash = session(Session.Kind.SOCIAL, at(2020, 4, 27, 6), title="Breakfast")
    items = [add_to_agenda(user, s)[0] for s in (week[0], clash)]
    client.force_login(user)
    assert [(i["title"], i["overlaps"]) for i in client.get("/api/v1/me/agenda/").json()] == [
        ("P1S1", [items[1].pk]),
        ("Breakfast", [items[0].pk]),
    ]


@pytest.mark.parametrize("n", [1, 50])
def test_my_agenda_query_count(conference, client, django_assert_num_queries, n):
    user = UserFactory()
    for i in range(n):
        add_to_agenda(user, session(start=at(2020, 4, 27) + timedelta(hours=i)))
    client.force_login(user)
    with django_assert_num_queries(2):  # user, items with their sessions (the session is in the cache)
        assert len(client.get("/api/v1/me/agenda/").json()) == n


def test_the_schema_describes_the_schedule(client, conference):
    schema = client.get("/api/schema/", headers={"accept": "application/json"}).json()
    assert {"/api/v1/sessions/", "/api/v1/me/agenda/", "/api/v1/me/agenda/merge/"} <= set(schema["paths"])
