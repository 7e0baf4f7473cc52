"""The portal's own pages: home, time-zone switching, profile, error pages, navigation."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory

from portal import views
from portal.models import MODERATORS_GROUP, Conference, RegisteredEmail
from portal.templatetags.portal_nav import MAIN_NAV, nav_items
from posters.models import Paper, PosterSlot
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2020, 4, 27, 3, 30, tzinfo=UTC)


def add_posters(session, count):
    for _ in range(count):
        paper = Paper.objects.create(uid=f"paper-{Paper.objects.count()}", title="A paper")
        PosterSlot.objects.create(paper=paper, session=session)


def text_of(html, element_id):
    """The visible text inside the element with this id, whitespace collapsed."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split()).replace(" –", "–").replace("– ", "–")


@pytest.fixture
def conference():
    return Conference.objects.create(name="ICLR 2020 Virtual", short_name="ICLR 2020")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def programme(conference, frozen):
    """A poster session live now, one at 05:00 UTC and one a day later."""
    live = SessionFactory(title="Poster session 1", start=NOW - timedelta(minutes=30), end=NOW + timedelta(minutes=90))
    add_posters(live, 3)
    SessionFactory(
        title="Keynote: Yoshua Bengio",
        kind="keynote",
        start=datetime(2020, 4, 27, 5, tzinfo=UTC),
        end=datetime(2020, 4, 27, 6, tzinfo=UTC),
    )
    SessionFactory(
        title="Poster session 9",
        start=datetime(2020, 4, 28, 5, tzinfo=UTC),
        end=datetime(2020, 4, 28, 7, tzinfo=UTC),
    )


def test_home_shows_times_in_utc_by_default(client, programme):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert text_of(html, "tz-current") == "UTC"
    assert text_of(html, "upcoming") == "Keynote talk Keynote: Yoshua Bengio Mon 27 Apr, 05:00–06:00 UTC · in 1 h"
    assert text_of(html, "live") == "Poster session Live now Poster session 1 Mon 27 Apr, 03:00–05:00 UTC 3 posters"


def test_home_shows_exact_local_times_for_the_viewers_zone_cookie(client, programme):
    client.cookies["tz"] = "Asia/Tokyo"
    html = client.get("/").content.decode()
    assert text_of(html, "tz-current") == "Asia/Tokyo"
    assert text_of(html, "upcoming") == "Keynote talk Keynote: Yoshua Bengio Mon 27 Apr, 14:00–15:00 JST · in 1 h"
    assert text_of(html, "live") == "Poster session Live now Poster session 1 Mon 27 Apr, 12:00–14:00 JST 3 posters"
    # The programme's span, and the clock, are local too.
    assert "Mon 27 Apr 2020, 12:00" in html
    assert "Tue 28 Apr 2020, 16:00" in html
    assert '<time datetime="2020-04-27T03:30:00+00:00">Monday 27 April, 12:30' in html


def test_home_day_follows_the_viewers_zone(client, programme):
    client.cookies["tz"] = "America/Los_Angeles"
    html = client.get("/").content.decode()
    # 05:00 UTC on the 27th is still the 26th in California.
    assert text_of(html, "upcoming") == "Keynote talk Keynote: Yoshua Bengio Sun 26 Apr, 22:00–23:00 PDT · in 1 h"


def test_a_bad_zone_cookie_still_renders_the_page_in_utc_with_a_message(client, programme):
    client.cookies["tz"] = "Mars/Olympus_Mons"
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The time zone saved in this browser is unknown; showing UTC." in html
    assert text_of(html, "tz-current") == "UTC"
    assert "05:00–06:00 UTC" in text_of(html, "upcoming")


def test_home_with_nothing_scheduled(client, conference):
    html = client.get("/").content.decode()
    assert "Nothing is live right now." in html
    assert "Nothing more is scheduled." in html
    assert "26 April – 30 April 2020" in html


def test_set_time_zone_sets_the_cookie_and_goes_back(client, conference):
    response = client.post("/time-zone/set/", {"time_zone": "Asia/Tokyo", "next": "/help/"})
    assert response.status_code == 302
    assert response["Location"] == "/help/"
    assert response.cookies["tz"].value == "Asia/Tokyo"
    assert response.cookies["tz"]["samesite"] == "Lax"
    html = client.get("/help/").content.decode()
    assert text_of(html, "tz-current") == "Asia/Tokyo"
    # A public page: the message comes with the visitor's state (static/js/state.js shows it).
    assert "Times are now shown" not in html
    messages = client.get("/me/state.json").json()["messages"]
    assert {"level": "success", "text": "Times are now shown in Asia/Tokyo (JST)."} in messages


def test_set_time_zone_with_an_unknown_zone_says_so_and_changes_nothing(client, conference):
    client.cookies["tz"] = "Europe/Berlin"
    response = client.post("/time-zone/set/", {"time_zone": "Europe/Atlantis", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert client.cookies["tz"].value == "Europe/Berlin"
    html = response.content.decode()
    assert text_of(html, "tz-current") == "Europe/Berlin"
    # The home page is public: the message comes with the visitor's state.
    assert [m["text"] for m in client.get("/me/state.json").json()["messages"]] == [
        "“Europe/Atlantis” is not a time zone we know; times stay in Europe/Berlin."
    ]


def test_set_time_zone_refuses_to_redirect_off_site(client, conference):
    response = client.post("/time-zone/set/", {"time_zone": "UTC", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_set_time_zone_saves_a_logged_in_users_zone_in_the_profile(client, conference):
    user = UserFactory(time_zone="Europe/London")
    client.force_login(user)
    client.post("/time-zone/set/", {"time_zone": "Australia/Adelaide", "next": "/"})
    user.refresh_from_db()
    assert user.time_zone == "Australia/Adelaide"


def test_the_profile_zone_wins_over_the_cookie(client, programme):
    client.force_login(UserFactory(time_zone="Asia/Kolkata"))
    client.cookies["tz"] = "Europe/Berlin"
    # A public page renders in the cookie's zone; the visitor's first private request
    # (their state, loaded by every page) brings the cookie in line with the profile.
    assert text_of(client.get("/").content.decode(), "tz-current") == "Europe/Berlin"
    assert client.get("/me/state.json").cookies["tz"].value == "Asia/Kolkata"
    html = client.get("/").content.decode()
    assert text_of(html, "tz-current") == "Asia/Kolkata"
    assert "10:30–11:30 IST" in text_of(html, "upcoming")


def test_the_no_js_zone_list_page_offers_every_zone(client, conference):
    client.cookies["tz"] = "Asia/Tokyo"
    html = client.get("/time-zone/").content.decode()
    assert '<option value="Asia/Tokyo" selected>Asia/Tokyo</option>' in html
    assert '<option value="Pacific/Auckland">Pacific/Auckland</option>' in html


@pytest.mark.parametrize("n", (1, 50))
def test_home_query_count(client, django_assert_num_queries, conference, frozen, n):
    for i in range(n):
        session = SessionFactory(start=NOW + timedelta(minutes=10 + i), end=NOW + timedelta(hours=2))
        add_posters(session, 1)
    SessionFactory(start=NOW - timedelta(minutes=5), end=NOW + timedelta(minutes=5))
    # Conference, on now, next, the programme's span, today's keynotes; booths open now,
    # sponsors (booths' tags); the stream's running order, people online now (people).
    with django_assert_num_queries(11):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("n", (1, 50))
def test_home_query_count_logged_in(client, django_assert_num_queries, conference, frozen, n):
    for i in range(n):
        SessionFactory(start=NOW + timedelta(minutes=10 + i), end=NOW + timedelta(hours=2))
    client.force_login(UserFactory())
    # As for anyone: a public page never reads the user (their state is /me/state.json).
    with django_assert_num_queries(11):
        assert client.get("/").status_code == 200


# --- Navigation and layout ----------------------------------------------------------


def test_every_navigation_link_leads_to_a_page(client, conference):
    html = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="Main"[^>]*>(.*?)</nav>', html, re.S).group(1)
    links = re.findall(r'href="([^"]+)"', nav)
    assert links[0] == "/" and "/help/" in links
    for url in links:
        assert client.get(url).status_code in {200, 302}, url


def test_navigation_leaves_out_sections_that_do_not_exist_yet():
    labels = [label for _, label, _ in nav_items("/")]
    assert labels[0] == "Home" and labels[-1] == "Help"
    assert set(labels) <= {label for _, label in MAIN_NAV}
    assert [current for _, _, current in nav_items("/help/")].count(True) == 1


def test_pages_have_landmarks_and_a_skip_link(client, conference):
    html = client.get("/help/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main"' in html
    assert '<nav aria-label="Main"' in html
    assert '<a href="/help/" aria-current="page">Help</a>' in html
    assert "<footer" in html


def test_404_is_styled(client, conference):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found · ICLR 2020 Virtual</title>" in html
    assert '<nav aria-label="Main"' in html
    assert "We could not find that page." in html


def test_403_is_styled(conference):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    response = views.error_403(request)
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>Not allowed · ICLR 2020 Virtual</title>" in html
    assert 'href="/accounts/login/?next=/somewhere/"' in html


def test_500_needs_no_database(django_db_blocker):
    request = RequestFactory().get("/")
    with django_db_blocker.block():
        response = views.error_500(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


# --- Profile ------------------------------------------------------------------------


def test_profile_needs_login(client, conference):
    response = client.get("/me/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/me/profile/"


def test_profile_edit(client, conference):
    user = UserFactory(email="ada@example.org", display_name="", time_zone="")
    client.force_login(user)
    response = client.post(
        "/me/profile/",
        {
            "display_name": "  Ada   Lovelace ",
            "affiliation": "Analytical Engines Ltd",
            "time_zone": "Europe/London",
            "interests": "optimisation, Fairness,, optimisation ,  reinforcement   learning",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/profile/"
    assert response.cookies["tz"].value == "Europe/London"
    user.refresh_from_db()
    assert (user.display_name, user.affiliation, user.time_zone, user.interests) == (
        "Ada Lovelace",
        "Analytical Engines Ltd",
        "Europe/London",
        "optimisation, Fairness, reinforcement learning",
    )
    html = client.get("/me/profile/").content.decode()
    assert "Your profile is saved." in html
    assert '<option value="Europe/London" selected>Europe/London</option>' in html


def test_profile_rejects_an_unknown_zone(client, conference):
    user = UserFactory(time_zone="Asia/Tokyo")
    client.force_login(user)
    response = client.post("/me/profile/", {"display_name": "X", "time_zone": "Asia/Atlantis"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Select a valid choice. Asia/Atlantis is not one of the available choices." in html
    user.refresh_from_db()
    assert user.time_zone == "Asia/Tokyo"


def test_profile_keeps_a_valid_legacy_zone_choosable(client, conference):
    client.force_login(UserFactory(time_zone="Japan"))
    html = client.get("/me/profile/").content.decode()
    assert '<option value="Japan" selected>Japan</option>' in html


def test_profile_explains_how_to_get_registered(client, conference):
    client.force_login(UserFactory(email="guest@example.org"))
    html = " ".join(client.get("/me/profile/").content.decode().split())
    assert "Not a registered attendee" in html
    assert "(<strong>guest@example.org</strong>) is on the organisers' list of registrations." in html
    assert 'href="/accounts/email/"' in html
    assert "role-organiser" not in html and "role-moderator" not in html


def test_profile_shows_every_role(client, conference):
    user = UserFactory(email="mod@example.org", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    RegisteredEmail.objects.create(email="mod@example.org")
    client.force_login(user)
    html = client.get("/me/profile/").content.decode()
    assert '<span class="badge yes">Registered attendee</span>' in html
    assert '<span class="badge yes">Organiser</span>' in html
    assert '<span class="badge yes">Moderator</span>' in html
    assert "Not a registered attendee" not in html


@pytest.mark.django_db
def test_home_says_when_todays_videos_are_out(client):
    from datetime import UTC, date, datetime

    import time_machine

    from schedule.recordings.models import ReleaseAnnouncement

    with time_machine.travel(datetime(2027, 4, 4, 0, 30, tzinfo=UTC), tick=False):  # 13:30 in Auckland
        assert "videos are out" not in client.get("/").content.decode()
        ReleaseAnnouncement.objects.create(release_day=date(2027, 4, 4), count=172, announced_at=datetime.now(UTC))
        assert "Today&#x27;s 172 videos are out" in client.get("/").content.decode()


def test_favicon_is_a_real_icon(client):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"], response["Cache-Control"]) == (
        301,
        "/static/favicon.ico",
        "public, max-age=86400",
    )
    icon = b"".join(client.get(response["Location"]).streaming_content)
    assert icon[:6] == b"\x00\x00\x01\x00\x01\x00"  # an ICO with one image
    assert icon[22:30] == b"\x89PNG\r\n\x1a\n"
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def test_the_api_root_lists_the_endpoints(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "endpoints": {
            "conference": "http://testserver/api/v1/conference/",
            "sessions": "http://testserver/api/v1/sessions/",
            "me/agenda": "http://testserver/api/v1/me/agenda/",
            "me/agenda/merge": "http://testserver/api/v1/me/agenda/merge/",
            "papers": "http://testserver/api/v1/papers/",
            "poster-sessions": "http://testserver/api/v1/poster-sessions/",
            "keynotes": "http://testserver/api/v1/keynotes/",
            "booths": "http://testserver/api/v1/booths/",
            "sponsors": "http://testserver/api/v1/sponsors/",
            "jobs": "http://testserver/api/v1/jobs/",
            "workshops": "http://testserver/api/v1/workshops/",
            "people": "http://testserver/api/v1/people/",
            "rooms": "http://testserver/api/v1/rooms/",
            "schema": "http://testserver/api/schema/",
            "docs": "http://testserver/api/docs/",
        }
    }
    schema = client.get("/api/schema/", headers={"accept": "application/json"}).json()
    assert schema["paths"]["/api/v1/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiRoot"
    }
