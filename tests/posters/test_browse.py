"""The paper browser: search, filters in the URL, sorts, views, pagination, bad input."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from posters.models import Bookmark, Keyword
from posters.search import parse_query
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory, UserFactory
from tests.posters.factories import paper_in_sessions


def titles(response):
    return re.findall(r'class="paper-title"><a href="/papers/[^/]+/">(.*?)</a>', response.content.decode())


def plain(html):
    return re.sub(r"</?mark>", "", html)


def count(response):
    return int(re.search(r'id="result-count"><strong>(\d+)</strong>', response.content.decode()).group(1))


@pytest.fixture
def papers(conference):
    monday = SessionFactory(
        title="Mon Session 1", start=datetime(2020, 4, 27, 5, tzinfo=UTC), end=datetime(2020, 4, 27, 7, tzinfo=UTC)
    )
    tuesday = SessionFactory(
        title="Tues Session 4", start=datetime(2020, 4, 28, 17, tzinfo=UTC), end=datetime(2020, 4, 28, 19, tzinfo=UTC)
    )
    graph = paper_in_sessions(
        [monday],
        uid="graph1",
        title="Graph neural networks for molecules",
        abstract="Message passing on molecular graphs.",
        author_names=["Marie Curie", "Alan Turing"],
        keyword_names=["graph networks", "chemistry"],
    )
    policy = paper_in_sessions(
        [tuesday],
        uid="rl1",
        title="Reinforcement learning with sparse rewards",
        abstract="Agents explore; we use graph search as a planner.",
        author_names=["Richard Sutton"],
        keyword_names=["reinforcement learning"],
    )
    plain_paper = PaperFactory(uid="other1", title="A note on optimisation", author_names=["Grace Hopper"])
    return {"graph": graph, "policy": policy, "plain": plain_paper, "monday": monday, "tuesday": tuesday}


def test_lists_every_paper_by_title_with_a_count(client, papers):
    response = client.get("/papers/")
    assert response.status_code == 200
    assert count(response) == 3
    assert titles(response) == [
        "A note on optimisation",
        "Graph neural networks for molecules",
        "Reinforcement learning with sparse rewards",
    ]


def test_search_finds_title_author_keyword_and_abstract_ranking_title_first(client, papers):
    response = client.get("/papers/", {"q": "graph"})
    assert [plain(t) for t in titles(response)] == [
        "Graph neural networks for molecules",
        "Reinforcement learning with sparse rewards",
    ]
    assert "<mark>Graph</mark>" in titles(response)[0]
    assert [plain(t) for t in titles(client.get("/papers/", {"q": "turing"}))] == [
        "Graph neural networks for molecules"
    ]
    assert [plain(t) for t in titles(client.get("/papers/", {"q": "chemistry"}))] == [
        "Graph neural networks for molecules"
    ]
    assert [plain(t) for t in titles(client.get("/papers/", {"q": "planner"}))] == [
        "Reinforcement learning with sparse rewards"
    ]


def test_search_as_you_type_matches_an_unfinished_last_word(client, papers):
    assert [plain(t) for t in titles(client.get("/papers/", {"q": "reinforc"}))] == [
        "Reinforcement learning with sparse rewards"
    ]


def test_filters_keyword_session_and_day_live_in_the_url(client, papers):
    by_keyword = client.get("/papers/", {"keyword": "reinforcement-learning"})
    assert titles(by_keyword) == ["Reinforcement learning with sparse rewards"]
    by_session = client.get("/papers/", {"session": papers["monday"].pk})
    assert titles(by_session) == ["Graph neural networks for molecules"]
    # Monday 05:00 UTC is Sunday 22:00 in Los Angeles: the day follows the viewer's zone.
    client.cookies["tz"] = "America/Los_Angeles"
    assert titles(client.get("/papers/", {"day": "2020-04-26"})) == ["Graph neural networks for molecules"]
    assert titles(client.get("/papers/", {"day": "2020-04-27"})) == []
    client.cookies["tz"] = "UTC"
    assert titles(client.get("/papers/", {"day": "2020-04-27"})) == ["Graph neural networks for molecules"]


def test_day_choices_and_times_are_in_the_viewers_zone(client, papers):
    client.cookies["tz"] = "Asia/Tokyo"
    html = client.get("/papers/").content.decode()
    assert '<option value="2020-04-27">Mon 27 Apr</option>' in html
    assert '<option value="2020-04-29">Wed 29 Apr</option>' in html  # 17:00 UTC Tue = 02:00 Wed JST
    assert (
        '>Wed 29 Apr, 02:00</time>–<time datetime="2020-04-28T19:00:00+00:00">04:00</time> <abbr class="zone"' in html
    )


def test_sort_by_next_session(client, papers):
    with time_machine.travel(datetime(2020, 4, 27, 8, tzinfo=UTC), tick=False):
        response = client.get("/papers/", {"sort": "next"})
    # Monday's session is over; Tuesday's is next; papers with no session come last.
    assert titles(response) == [
        "Reinforcement learning with sparse rewards",
        "A note on optimisation",
        "Graph neural networks for molecules",
    ]


def test_compact_view_and_htmx_partial(client, papers):
    response = client.get(
        "/papers/", {"view": "compact", "q": "graph"}, headers={"HX-Request": "true", "HX-Target": "paper-results"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'class="paper-table"' in html
    assert count(response) == 2


def test_pagination_keeps_the_filters(client, conference):
    for n in range(45):
        PaperFactory(title=f"Paper {n:02d} about graphs", keyword_names=["graphs"])
    response = client.get("/papers/", {"keyword": "graphs", "page": "2"})
    html = response.content.decode()
    assert count(response) == 45
    assert titles(response)[0] == "Paper 20 about graphs"
    assert "Page 2 of 3" in html
    assert 'href="?keyword=graphs&amp;page=3"' in html
    assert 'href="?keyword=graphs&amp;page=1"' in html


@pytest.mark.parametrize(
    "keyword", ["machine-translation", "machine translation", "Machine Translation", "MT", "mt", "Mt", "  mt "]
)
def test_the_keyword_filter_takes_the_name_people_see_in_any_case(client, conference, keyword):
    PaperFactory(title="Translating well", keyword_names=["machine translation"])
    PaperFactory(title="Translating fast", keyword_names=["MT"])
    PaperFactory(title="Unrelated", keyword_names=["graphs"])
    Keyword.objects.filter(name="MT").update(slug="mt")  # as the importer slugifies it
    expected = ["Translating fast"] if keyword.strip().lower() == "mt" else ["Translating well"]
    response = client.get("/papers/", {"keyword": keyword})
    assert titles(response) == expected
    assert "left out" not in response.content.decode()
    assert api_titles(client.get("/api/v1/papers/", {"keyword": keyword})) == expected


def test_an_unknown_keyword_is_a_clear_api_error(client, conference):
    response = client.get("/api/v1/papers/", {"keyword": "no such keyword"})
    assert (response.status_code, response.json()) == (400, {"keyword": "No such keyword: give its slug or its name."})


def api_titles(response):
    return [p["title"] for p in response.json()["results"]]


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"q": "x" * 10_000}, "Your search was long; only its first 200 characters were used."),
        ({"q": "🙂🙂"}, "Your search has no letters or digits to look for; showing all papers."),
        ({"keyword": "no-such-keyword"}, "There is no keyword “no-such-keyword”; that filter was left out."),
        ({"session": "abc"}, "That poster session does not exist; that filter was left out."),
        ({"session": "999999"}, "That poster session does not exist; that filter was left out."),
        ({"day": "2020-13-45"}, "“2020-13-45” is not a day (use YYYY-MM-DD); that filter was left out."),
        ({"page": "abc"}, "That page number is not a number; showing the first page."),
        ({"sort": "sideways"}, "Unknown sort order; sorted by the default."),
    ],
)
def test_bad_input_gives_the_page_with_a_message(client, papers, params, notice):
    response = client.get("/papers/", params)
    assert response.status_code == 200
    assert notice in response.content.decode()


@pytest.mark.parametrize(
    "q",
    [
        '"graph neural',
        "graph -molecules",
        "graph OR policy",
        "a & b | !c",
        "foo:*",
        "(((",
        "\\",
        "null\x00byte",
        "' OR 1=1 --",
        "½²³",
        "𝔤𝔯𝔞𝔭𝔥",
        "日本語の論文",
        "graph " * 500,
    ],
)
def test_odd_queries_never_fail(client, papers, q):
    response = client.get("/papers/", {"q": q})
    assert response.status_code == 200
    assert client.get("/api/v1/papers/", {"q": q}).status_code == 200
    assert client.get("/papers/map.json", {"q": q}).status_code == 200


def test_highlights_cannot_inject_html(client, conference):
    PaperFactory(title="Attacks <script>alert(1)</script> on graphs", abstract="<img src=x onerror=alert(1)> graphs")
    html = client.get("/papers/", {"q": "graphs"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_parse_query_cleans_and_flags_prefix():
    parsed = parse_query("  Graph  neural\x00 net")
    assert (parsed.text, parsed.terms, parsed.prefix_last, parsed.truncated) == (
        "Graph  neural  net",
        ["graph", "neural", "net"],
        True,
        False,
    )
    assert parse_query('"graph neural"').prefix_last is False
    assert parse_query("graph ").prefix_last is False
    assert parse_query("x" * 300).truncated is True


@pytest.mark.parametrize("n", [1, 50])
def test_paper_list_query_count(client, conference, django_assert_num_queries, n):
    session = SessionFactory()
    for _ in range(n):
        paper_in_sessions([session], keyword_names=["graphs", "trees"], author_names=["A One", "B Two"])
    # cold: poster sessions, count, papers, authors, keywords, slots, popular keywords, conference
    with django_assert_num_queries(8):
        assert client.get("/papers/").status_code == 200
    # popular keywords and the conference now cached; + the keyword filter's lookup
    with django_assert_num_queries(7):
        assert client.get("/papers/", {"q": "study", "keyword": "graphs"}).status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_paper_list_query_count_logged_in(client, conference, django_assert_num_queries, n):
    session = SessionFactory()
    papers = [paper_in_sessions([session]) for _ in range(n)]
    user = UserFactory()
    client.force_login(user)
    first = min(papers, key=lambda p: (p.title, p.pk))
    Bookmark.objects.create(user=user, paper=first)
    # The page is everyone's (no user, no bookmarks read): as for an anonymous visitor.
    with django_assert_num_queries(8):
        html = client.get("/papers/").content.decode()
    assert html.count('aria-pressed="false"') == min(n, 20)
    # The star is this person's state: the user, then their roles, bookmarks and agenda in
    # one query; the session is cached by now.
    with django_assert_num_queries(2):
        assert client.get("/me/state.json").json()["stars"] == [first.uid]


def test_author_page_lists_their_papers(client, papers):
    response = client.get("/authors/alan-turing/")
    assert response.status_code == 200
    assert titles(response) == ["Graph neural networks for molecules"]
    assert client.get("/authors/nobody/").status_code == 404


def test_poster_sessions_by_day_in_the_viewers_zone_with_healthy_hours(client, papers):
    client.cookies["tz"] = "America/Los_Angeles"
    html = client.get("/posters/").content.decode()
    days = re.findall(r'<h2 id="day-[\d-]+">(.*?)</h2>', html)
    assert days == ["Sunday 26 April", "Tuesday 28 April"]
    # 22:00–00:00 PDT is outside healthy hours; Tuesday 17:00 UTC = 10:00 PDT is inside.
    rows = re.findall(r'<li class="poster-session-row (healthy|unhealthy)">', html)
    assert rows == ["unhealthy", "healthy"]


def test_poster_session_page_lists_its_papers(client, papers):
    response = client.get(f"/posters/{papers['monday'].pk}/")
    assert response.status_code == 200
    assert "Graph neural networks for molecules" in response.content.decode()
    assert client.get("/posters/999999/").status_code == 404
    other = SessionFactory(kind="keynote")
    assert client.get(f"/posters/{other.pk}/").status_code == 404


@pytest.mark.parametrize("n", [1, 50])
def test_poster_session_page_query_count(client, conference, django_assert_num_queries, n):
    session = SessionFactory(start=datetime(2020, 4, 27, 5, tzinfo=UTC), end=datetime(2020, 4, 27, 7, tzinfo=UTC))
    for _ in range(n):
        PosterSlotFactory(session=session)
    # session, conference (policy and context: read once per request), slots+papers, authors
    with time_machine.travel(session.start - timedelta(minutes=5), tick=False), django_assert_num_queries(4):
        assert client.get(f"/posters/{session.pk}/").status_code == 200
