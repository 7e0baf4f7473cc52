"""The read path (issue 15): public pages are everyone's; each visitor's state is /me/state.json."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from chat.rooms import open_room
from portal.models import Conference
from portal.public import NOT_SHARED, max_age, public_path_sources, spread_place
from posters.models import Bookmark
from schedule.agenda import add_to_agenda
from tests.booths.factories import BoothFactory, JobFactory
from tests.chat.factories import AttendeeFactory
from tests.factories import PaperFactory, SessionFactory, UserFactory
from tests.keynotes.factories import KeynoteFactory
from tests.posters.factories import paper_in_sessions

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def conference(db):
    return Conference.get()


START = datetime(2020, 4, 27, 5, 0, tzinfo=UTC)
IN_WINDOW = datetime(2020, 4, 27, 5, 30, tzinfo=UTC)
SECRET = "secret-paperA"


@pytest.fixture
def site(conference):
    session = SessionFactory(start=START, end=START + timedelta(hours=2), title="Mon Session 1")
    paper = paper_in_sessions([session], uid="paperA", title="Robust things", author_names=["Ada One"])
    open_room("corridor")
    KeynoteFactory(slug="hopper", qa_start=START)
    BoothFactory(slug="acme-booth", name="Acme", slots=[SessionFactory(kind="booth_slot", start=START, end=IN_WINDOW)])
    JobFactory()
    SessionFactory(uid="workshop:W1", kind="workshop", title="A workshop", start=START, end=IN_WINDOW)
    return paper, session


def registered_pages():
    """Every page the apps say is public (the export's and the sitemap's registry), so a
    feature's new page is checked here without being listed."""
    return [path for source in public_path_sources() if source.sitemap for path in source.paths() if path.endswith("/")]


def public_urls(paper, session):
    return [
        "/",
        "/papers/",
        "/papers/?q=robust",
        f"/papers/{paper.uid}/",
        "/schedule/",
        "/schedule/2020-04-27/",
        f"/schedule/sessions/{session.pk}/",
        "/now/",
        "/live/",
        "/posters/",
        f"/posters/{session.pk}/",
        "/authors/ada-one/",
        "/papers/map/",
        "/rooms/",
        "/corridor/",
        f"/rooms/{paper.chat_room_key}/",
        "/keynotes/",
        "/keynotes/hopper/",
        "/people/",
    ]


def logged_in(user):
    client = Client()
    client.force_login(user)
    client.cookies["tz"] = "Asia/Tokyo"
    return client


def test_public_pages_are_the_same_for_everyone_and_never_personal(site):
    paper, session = site
    ada = AttendeeFactory(display_name="Ada Visitor", time_zone="Asia/Tokyo")
    bob = AttendeeFactory(display_name="Bob Visitor", time_zone="Asia/Tokyo")
    Bookmark.objects.create(user=ada, paper=paper)
    add_to_agenda(ada, session)
    clients = {ada: logged_in(ada), bob: logged_in(bob)}
    with time_machine.travel(IN_WINDOW, tick=False):
        urls = list(dict.fromkeys([*public_urls(paper, session), *registered_pages()]))
        assert {"/booths/acme-booth/", "/sponsors/", "/sponsors/jobs/", "/workshops/W1/"} <= set(urls)
        for url in urls:
            pages = []
            for user in (ada, bob, ada):  # alternating
                response = clients[user].get(url)
                assert response.status_code == 200, url
                assert response.cookies == {}, url  # no Set-Cookie: no session, no CSRF cookie
                assert "Cookie" not in response.get("Vary", ""), url
                assert re.fullmatch(r"public, max-age=\d+", response["Cache-Control"]), url
                assert response["X-Time-Zone"] == "Asia/Tokyo"
                html = response.content.decode()
                for personal in ("csrfmiddlewaretoken", "Ada Visitor", "Bob Visitor", SECRET, 'aria-pressed="true"'):
                    assert personal not in html, (url, personal)
                pages.append(html)
            assert pages[0] == pages[1] == pages[2], url


def test_each_visitor_gets_only_their_own_state(site):
    paper, session = site
    ada, bob = AttendeeFactory(display_name="Ada"), UserFactory(display_name="Bob")
    Bookmark.objects.create(user=ada, paper=paper)
    add_to_agenda(bob, session, f"paper:{paper.uid}")
    slot = paper.poster_slots.get()
    clients = {ada: logged_in(ada), bob: logged_in(bob)}
    query = f"/me/state.json?calls=slot:{slot.pk}&rooms=corridor"
    with time_machine.travel(IN_WINDOW, tick=False):
        for _ in range(2):
            mine = clients[ada].get(query)
            theirs = clients[bob].get(query)
            assert mine["Cache-Control"] == theirs["Cache-Control"] == "private, no-store"
            a, b = mine.json(), theirs.json()
            assert (a["user"]["name"], a["stars"], a["agenda"]) == ("Ada", ["paperA"], [])
            assert (b["user"]["name"], b["stars"], b["agenda"]) == ("Bob", [], [f"{session.pk}|paper:paperA"])
            # Registered Ada sees the link in its window; Bob (an account only) never does.
            assert a["calls"][f"slot:{slot.pk}"]["url"] == "https://video.example.org/j/secret-paperA"
            assert b["calls"][f"slot:{slot.pk}"] == {
                "state": "not_allowed",
                "url": "",
                "reason": "Video-call links are for registered attendees.",
            }
            assert a["rooms"]["corridor"]["can_post"] is True
            assert b["rooms"]["corridor"]["reason"] == "not_registered"
            assert a["csrf"] != b["csrf"]


def test_state_of_an_anonymous_visitor(client, site):
    state = client.get("/me/state.json").json()
    assert state["user"] == {"authenticated": False}
    assert (state["stars"], state["agenda"], state["calls"], state["rooms"]) == ([], [], {}, {})
    assert len(state["csrf"]) == 64


def test_bad_keys_are_refused_with_the_reason(client, site):
    response = client.get("/me/state.json?calls=booth:1")
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "“booth:1” is not a call link's key (slot:<id> or session:<id>)."},
    )


@pytest.fixture
def echo_part():
    from portal import state_parts

    def build(request, keys):
        if "bad" in keys:
            raise state_parts.BadKeys("“bad” is not a thing's key.")
        return {key: {"user": request.user.is_authenticated} for key in keys}

    state_parts.register_state_part("things", build, limit=2)
    yield
    del state_parts._parts["things"]


def test_a_features_state_part_answers_for_the_keys_the_page_names(client, site, echo_part):
    assert client.get("/me/state.json").json()["things"] == {}
    state = client.get("/me/state.json?things=a,b,a").json()
    assert state["things"] == {"a": {"user": False}, "b": {"user": False}}
    assert client.get("/me/state.json?things=a,b,c").json() == {"detail": "“things” names 3 items; at most 2."}
    response = client.get("/me/state.json?things=bad")
    assert (response.status_code, response.json()) == (400, {"detail": "“bad” is not a thing's key."})


@pytest.mark.parametrize("n", [1, 50])
def test_state_query_count(conference, django_assert_num_queries, n):
    user = AttendeeFactory()
    papers = [PaperFactory() for _ in range(n)]
    Bookmark.objects.bulk_create([Bookmark(user=user, paper=p) for p in papers])
    sessions = [SessionFactory() for _ in range(n)]
    for s in sessions:
        add_to_agenda(user, s)
    open_room("corridor")
    client = logged_in(user)
    calls = ",".join(f"session:{s.pk}" for s in sessions)
    client.get("/me/state.json")  # on PostgreSQL the person's query is prepared once per connection
    # user, the person's rows (roles, bookmarks, agenda and whether a reminder shows, open
    # chat sanctions, in one), conference (call-link policy), sessions (calls), rooms: the
    # same for 1 and 50 (the session is cached); no reminders query when none is showing,
    # no sanctions query for someone without one
    with django_assert_num_queries(5):
        state = client.get(f"/me/state.json?calls={calls}&rooms=corridor").json()
    assert (len(state["stars"]), len(state["agenda"]), len(state["calls"])) == (n, n, n)
    # A page without call links or rooms (home, the papers browser): the user and the
    # person's rows (the session is cached by now); no call-link policy, no rooms
    with django_assert_num_queries(2):
        client.get("/me/state.json")


def test_a_visitor_who_may_see_no_call_link_is_answered_without_reading_the_calls(
    site, client, django_assert_num_queries
):
    """Anonymous, an account only, or the archive: the same answer for every call asked
    about, with no query for them (the page shows each window's state itself)."""
    paper, session = site
    slot = paper.poster_slots.get()
    query = f"/me/state.json?calls=slot:{slot.pk},session:{session.pk},slot:999999999"
    refusal = {
        "state": "not_allowed",
        "url": "",
        "reason": "Log in as a registered attendee to see the video-call link.",
    }
    client.get(query)
    with time_machine.travel(IN_WINDOW, tick=False):
        with django_assert_num_queries(0):  # the conference (its call-link policy) is cached
            calls = client.get(query).json()["calls"]
        assert calls == dict.fromkeys(query.partition("=")[2].split(","), refusal)
        account = logged_in(UserFactory())
        account.get(query)
        with django_assert_num_queries(2):  # the user, their rows (no calls read)
            calls = account.get(query).json()["calls"]
        assert set(calls) == {f"slot:{slot.pk}", f"session:{session.pk}", "slot:999999999"}
        assert calls[f"slot:{slot.pk}"]["reason"] == "Video-call links are for registered attendees."
        # A registered attendee's calls are read: the link in its window, none for a call that is not.
        calls = logged_in(AttendeeFactory()).get(query).json()["calls"]
        assert set(calls) == {f"slot:{slot.pk}", f"session:{session.pk}"}
        assert calls[f"slot:{slot.pk}"]["url"] == "https://video.example.org/j/secret-paperA"
    conference = Conference.get()
    conference.phase_override = "archived"
    conference.save()
    calls = client.get(query).json()["calls"]
    assert {call["state"] for call in calls.values()} == {"ended"}
    assert client.get("/me/state.json?calls=slot:x").status_code == 400  # still checked


def test_the_page_names_each_calls_window_for_the_state_request(client, site):
    """static/js/state.js does not ask about a call the page says has ended."""
    paper, _ = site
    with time_machine.travel(IN_WINDOW, tick=False):
        assert 'data-call-state="open"' in client.get(f"/papers/{paper.uid}/").content.decode()
    with time_machine.travel(IN_WINDOW + timedelta(hours=3), tick=False):
        assert 'data-call-state="ended"' in client.get(f"/papers/{paper.uid}/").content.decode()


def test_a_public_page_lives_no_longer_than_its_next_change(client, site):
    _, session = site
    # 4 s before the call-link window opens (15 minutes before the start)
    with time_machine.travel(START - timedelta(minutes=15, seconds=4), tick=False):
        assert client.get(f"/schedule/sessions/{session.pk}/")["Cache-Control"] == "public, max-age=4"
        assert client.get("/papers/paperA/")["Cache-Control"] == "public, max-age=4"
    with time_machine.travel(START - timedelta(days=3), tick=False):
        assert client.get("/papers/paperA/")["Cache-Control"] == "public, max-age=10"


def test_pages_that_change_together_expire_over_the_spread_after_the_change(client, settings, site):
    """The 02:00 release (or a poster session's start) changes many pages at one instant:
    each copy in nginx ends at a point of its own within the spread after it, never before."""
    _, session = site
    settings.PORTAL_PUBLIC_PAGE_SECONDS = 600
    settings.PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS = 30
    for n in range(40):
        paper_in_sessions([session], uid=f"together{n}", title=f"Paper {n}")
    ages = {}
    with time_machine.travel(START - timedelta(minutes=15, seconds=4), tick=False):  # the window opens in 4 s
        for n in range(40):
            path = f"/papers/together{n}/"
            age = int(client.get(path)["Cache-Control"].removeprefix("public, max-age="))
            assert age == 4 + int(30 * spread_place(path)), path
            ages[path] = age
        # every zone's copy of a page ends at the same point (the zone is in nginx's key)
        tokyo = Client()
        tokyo.cookies["tz"] = "Asia/Tokyo"
        response = tokyo.get("/papers/together7/")
        assert response["X-Time-Zone"] == "Asia/Tokyo"
        assert response["Cache-Control"] == f"public, max-age={ages['/papers/together7/']}"
    assert min(ages.values()) >= 4  # nothing shows before its change
    assert max(ages.values()) <= 4 + 30
    assert len(set(ages.values())) >= 15  # over the spread, not at one instant
    with time_machine.travel(START - timedelta(days=3), tick=False):  # no change near: the lifetime
        assert client.get("/papers/together0/")["Cache-Control"] == "public, max-age=600"


@pytest.mark.parametrize(
    ("changes", "default", "spread", "age"),
    [
        ([], 60, 30.0, 60),  # nothing changes: the lifetime
        ([4], 60, 0.0, 4),  # no spread: the change itself
        ([4, 100], 60, 12.7, 16),  # the first change, plus the page's point of the spread
        ([50], 60, 29.9, 60),  # never longer than the lifetime
        ([-5, 3], 60, 10.0, 13),  # a change already past is not one
        ([0.4], 60, 0.0, 0),  # less than a second away: not kept
    ],
)
def test_max_age_is_the_lifetime_or_the_next_change_and_the_pages_spread(changes, default, spread, age):
    now = datetime(2020, 4, 27, 1, 59, 0, tzinfo=UTC)
    assert max_age([now + timedelta(seconds=s) for s in changes], now, default, spread) == age
    assert max_age([NOT_SHARED, *[now + timedelta(seconds=s) for s in changes]], now, default, spread) == 0


def test_pages_whose_urls_differ_little_still_spread_evenly():
    places = [spread_place(f"/papers/bench{n:06}/") for n in range(687)]
    assert all(0 <= p < 1 for p in places)
    # each tenth of the spread holds about a tenth of the pages (a CRC kept them together)
    assert all(40 <= sum(int(p * 10) == tenth for p in places) <= 100 for tenth in range(10))


def test_a_public_page_renders_in_the_cookies_zone_never_the_profiles(site):
    client = logged_in(UserFactory(time_zone="America/Los_Angeles"))
    client.cookies["tz"] = "Asia/Tokyo"
    response = client.get("/papers/paperA/")
    assert response["X-Time-Zone"] == "Asia/Tokyo"
    assert "JST" in response.content.decode()
    fresh = Client()
    assert fresh.get("/papers/paperA/")["X-Time-Zone"] == "UTC"  # no cookie: UTC, named


def test_logging_in_sets_the_zone_cookie_from_the_profile(client, conference):
    UserFactory(email="ada@example.org", time_zone="Asia/Kolkata")
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert response.cookies["tz"].value == "Asia/Kolkata"


def csrf_form(html, action):
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    return fields


def test_agenda_without_javascript_confirms_on_a_private_page(site):
    _, session = site
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(f"/schedule/sessions/{session.pk}/").content.decode()
    assert '<form class="agenda-toggle" method="get" action="/me/agenda/items/"' in page
    confirm = client.get("/me/agenda/items/", {"session": session.pk, "next": f"/schedule/sessions/{session.pk}/"})
    assert "no-store" in confirm["Cache-Control"]
    fields = csrf_form(confirm.content.decode(), "/me/agenda/items/")
    assert fields["action"] == "add"
    response = client.post("/me/agenda/items/", fields)
    assert response["Location"] == f"/schedule/sessions/{session.pk}/"
    assert client.get("/me/state.json").json()["agenda"] == [f"{session.pk}|"]
    again = csrf_form(client.get("/me/agenda/items/", {"session": session.pk}).content.decode(), "/me/agenda/items/")
    assert again["action"] == "remove"


def test_posting_without_javascript_goes_through_a_private_page(site):
    from chat.models import Message

    client = Client(enforce_csrf_checks=True)
    client.force_login(AttendeeFactory())
    panel = client.get("/corridor/").content.decode()
    assert '<a href="/rooms/corridor/post/" class="chat-post-page">' in panel
    confirm = client.get("/rooms/corridor/post/", {"next": "/corridor/"})
    fields = csrf_form(confirm.content.decode(), "/rooms/corridor/post/")
    response = client.post("/rooms/corridor/post/", {**fields, "body": "Hello without JS"})
    assert response["Location"] == "/corridor/"
    assert list(Message.objects.values_list("body", flat=True)) == ["Hello without JS"]


def test_the_call_link_page_without_javascript(site):
    paper, _ = site
    slot = paper.poster_slots.get()
    conference = Conference.get()
    conference.call_link_visibility = Conference.CallLinkVisibility.REGISTERED
    conference.save()
    client = logged_in(AttendeeFactory())
    with time_machine.travel(IN_WINDOW, tick=False):
        html = client.get("/papers/paperA/").content.decode()
        assert f'href="/me/call/slot:{slot.pk}/"' in html
        response = client.get(f"/me/call/slot:{slot.pk}/")
    assert (response.status_code, response["Location"]) == (302, "https://video.example.org/j/secret-paperA")
    assert response["Cache-Control"] == "private, no-store"


def test_the_zone_picker_on_a_public_page_works_without_a_token_for_anonymous_visitors(conference):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/time-zone/set/", {"time_zone": "Asia/Tokyo", "next": "/"})
    assert (response.status_code, response.cookies["tz"].value) == (302, "Asia/Tokyo")
    client.force_login(UserFactory(time_zone="UTC"))
    assert client.post("/time-zone/set/", {"time_zone": "Asia/Tokyo", "next": "/"}).status_code == 403
