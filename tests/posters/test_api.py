"""/api/v1/papers/ and /api/v1/poster-sessions/."""

from datetime import UTC, datetime

import pytest
import time_machine

from portal.models import Conference
from tests.factories import PaperFactory, SessionFactory
from tests.posters.factories import paper_in_sessions


@pytest.fixture
def catalogue(conference):
    monday = SessionFactory(
        title="Mon Session 1", start=datetime(2020, 4, 27, 5, tzinfo=UTC), end=datetime(2020, 4, 27, 7, tzinfo=UTC)
    )
    tuesday = SessionFactory(
        title="Tues Session 4", start=datetime(2020, 4, 28, 17, tzinfo=UTC), end=datetime(2020, 4, 28, 19, tzinfo=UTC)
    )
    paper_in_sessions(
        [monday, tuesday],
        uid="graph1",
        title="Graph neural networks",
        author_names=["Marie Curie", "Alan Turing"],
        keyword_names=["graph networks"],
    )
    paper_in_sessions([tuesday], uid="rl1", title="Reinforcement learning", keyword_names=["reinforcement learning"])
    return monday, tuesday


def uids(response):
    return [p["uid"] for p in response.json()["results"]]


def test_paper_list_and_filters(client, catalogue):
    monday, _ = catalogue
    assert uids(client.get("/api/v1/papers/")) == ["graph1", "rl1"]
    assert uids(client.get("/api/v1/papers/", {"q": "turing"})) == ["graph1"]
    assert uids(client.get("/api/v1/papers/", {"keyword": "reinforcement-learning"})) == ["rl1"]
    assert uids(client.get("/api/v1/papers/", {"session": monday.pk})) == ["graph1"]
    assert uids(client.get("/api/v1/papers/", {"day": "2020-04-26", "tz": "America/Los_Angeles"})) == ["graph1"]
    assert uids(client.get("/api/v1/papers/", {"day": "2020-04-27", "tz": "America/Los_Angeles"})) == []


def test_paper_list_shape(client, catalogue):
    with time_machine.travel(datetime(2020, 4, 27, 1, tzinfo=UTC), tick=False):
        first = client.get("/api/v1/papers/").json()["results"][0]
    assert first == {
        "uid": "graph1",
        "title": "Graph neural networks",
        "authors": ["Marie Curie", "Alan Turing"],
        "keywords": ["graph networks"],
        "tldr": "",
        "url": "http://testserver/papers/graph1/",
        "sessions": [
            {
                "id": catalogue[0].pk,
                "title": "Mon Session 1",
                "start": "2020-04-27T05:00:00Z",
                "end": "2020-04-27T07:00:00Z",
                "call_link": None,
                "call_link_state": "not_allowed",
                "call_link_opens_at": "2020-04-27T04:45:00+00:00",
            },
            {
                "id": catalogue[1].pk,
                "title": "Tues Session 4",
                "start": "2020-04-28T17:00:00Z",
                "end": "2020-04-28T19:00:00Z",
                "call_link": None,
                "call_link_state": "not_allowed",
                "call_link_opens_at": "2020-04-28T16:45:00+00:00",
            },
        ],
        # 02:00 in Auckland on the New Zealand day of the first poster session (recordings).
        "video": {"release_at": "2020-04-26T14:00:00Z", "released": False, "status": "missing"},
    }


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"day": "tuesday"}, {"day": "Use YYYY-MM-DD."}),
        ({"session": "x"}, {"session": "A poster session's id is a number."}),
        ({"day": "2020-04-27", "tz": "Mars/Olympus"}, {"tz": "Not a known time zone name."}),
    ],
)
def test_bad_filters_are_a_400_with_the_reason(client, catalogue, params, error):
    response = client.get("/api/v1/papers/", params)
    assert (response.status_code, response.json()) == (400, error)


def test_cursor_pagination_visits_every_paper_once(client, conference):
    for n in range(120):
        PaperFactory(uid=f"p{n:03d}", title=f"Graph paper {n}")
    for params in ({}, {"q": "graph"}):
        seen, url = [], "/api/v1/papers/"
        response = client.get(url, params)
        while True:
            data = response.json()
            seen += [p["uid"] for p in data["results"]]
            if not data["next"]:
                break
            response = client.get(data["next"])
        assert sorted(seen) == [f"p{n:03d}" for n in range(120)]


def test_paper_detail_and_404(client, catalogue):
    data = client.get("/api/v1/papers/graph1/").json()
    assert (data["uid"], data["abstract"], data["similar"]) == (
        "graph1",
        "We study things and find that they are interesting.",
        [],
    )
    assert client.get("/api/v1/papers/nope/").status_code == 404


def test_poster_sessions_and_call_links_under_the_same_rules(client, catalogue):
    monday, _ = catalogue
    conference = Conference.get()
    conference.call_link_visibility = Conference.CallLinkVisibility.EVERYONE
    conference.save()
    listing = client.get("/api/v1/poster-sessions/").json()["results"]
    assert [(s["title"], s["paper_count"]) for s in listing] == [("Mon Session 1", 1), ("Tues Session 4", 2)]
    with time_machine.travel(datetime(2020, 4, 27, 5, 30, tzinfo=UTC), tick=False):
        detail = client.get(f"/api/v1/poster-sessions/{monday.pk}/").json()
    assert detail["slots"] == [
        {
            "paper_uid": "graph1",
            "paper_title": "Graph neural networks",
            "call_link": "https://video.example.org/j/secret-graph1",
            "call_link_state": "open",
            "call_link_opens_at": "2020-04-27T04:45:00+00:00",
        }
    ]


@pytest.mark.parametrize("n", [1, 50])
def test_api_paper_list_query_count(client, conference, django_assert_num_queries, n):
    session = SessionFactory()
    for _ in range(n):
        paper_in_sessions([session], keyword_names=["k1", "k2"], author_names=["A", "B"])
    # papers, authors, keywords, slots+sessions, conference (policy)
    # + the page's recordings and the release zone (video.release_at)
    with django_assert_num_queries(7):
        assert client.get("/api/v1/papers/").status_code == 200
    # the conference is now this process's (portal.models.Conference.get)
    with django_assert_num_queries(6):
        assert client.get("/api/v1/papers/", {"q": "study"}).status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_api_paper_detail_and_sessions_query_count(client, conference, django_assert_num_queries, n):
    sessions = [SessionFactory() for _ in range(3)]
    paper_in_sessions(sessions, uid="p1", author_names=[f"Author {i}" for i in range(n)])
    for _ in range(n):
        paper_in_sessions(sessions[:1])
    # paper, authors, keywords, slots, similar, conference
    with django_assert_num_queries(8):  # + recording, release zone
        assert client.get("/api/v1/papers/p1/").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/api/v1/poster-sessions/").status_code == 200
    # session, slots (the conference is this process's)
    with django_assert_num_queries(2):
        assert client.get(f"/api/v1/poster-sessions/{sessions[0].pk}/").status_code == 200
