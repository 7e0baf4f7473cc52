"""Whole-page caching (portal.page_cache) on the papers pages: what is shared, what is each visitor's."""

import io
import pickle
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test.signals import template_rendered

from chat.rooms import open_room
from chat.services import hide_message, post_message
from portal.models import Conference
from posters.models import Bookmark
from tests.chat.factories import AttendeeFactory
from tests.factories import SessionFactory, UserFactory
from tests.posters.factories import paper_in_sessions

START = datetime(2020, 4, 27, 5, 0, tzinfo=UTC)
END = datetime(2020, 4, 27, 7, 0, tzinfo=UTC)
IN_WINDOW = datetime(2020, 4, 27, 6, 0, tzinfo=UTC)
SECRET = "secret-paperA"
Policy = Conference.CallLinkVisibility


@pytest.fixture
def poster(db):
    conference = Conference.get()
    conference.call_link_visibility = Policy.REGISTERED
    conference.save()
    session = SessionFactory(start=START, end=END, title="Mon Session 1")
    return paper_in_sessions([session], uid="paperA", title="Robust things")


def stored_pages():
    """Every whole page in the cache, as text (locmem in the embedded default, else Redis)."""
    if hasattr(cache, "keys"):  # django-redis
        return [entry["html"] for entry in cache.get_many(cache.keys("page:*")).values()]
    # locmem, read raw: its expiry clock is the real one, the pages were stored in 2020.
    return [pickle.loads(value)["html"] for key, value in cache._cache.items() if ":page:" in key]  # noqa: S301


def get(client, path="/papers/paperA/", when=IN_WINDOW):
    with time_machine.travel(when, tick=False):
        return client.get(path).content.decode()


def test_an_anonymous_cached_page_never_holds_a_link_and_a_registered_viewer_after_it_sees_one(client, poster):
    first = get(client)
    assert SECRET not in first
    assert len(stored_pages()) == 1
    assert all(SECRET not in page for page in stored_pages())
    assert SECRET not in get(client)  # the hit

    client.force_login(UserFactory(registered=True))
    assert SECRET in get(client)
    assert SECRET in get(client)  # their own hit
    client.logout()
    assert SECRET not in get(client)


def test_a_registered_viewers_page_is_not_served_to_anonymous_or_unregistered_visitors(client, poster):
    client.force_login(UserFactory(registered=True))
    assert SECRET in get(client)
    client.logout()
    assert SECRET not in get(client)
    client.force_login(UserFactory(registered=False))
    html = get(client)
    assert SECRET not in html
    assert "Video-call links are for registered attendees." in html


def test_a_cached_page_never_shows_a_link_after_the_end_or_before_the_window(client, poster):
    client.force_login(UserFactory(registered=True))
    assert SECRET in get(client, when=END - timedelta(seconds=20))
    assert SECRET not in get(client, when=END)  # cached 20 s earlier: stale at the end
    assert "This session has ended." in get(client, when=END + timedelta(seconds=1))
    opens = START - timedelta(minutes=15)
    assert SECRET not in get(client, when=opens - timedelta(seconds=20))
    assert SECRET in get(client, when=opens)


def test_relative_times_follow_the_clock(client, poster):
    before = START - timedelta(hours=3, seconds=10)
    assert "in 3 h" in get(client, when=before)
    assert "in 2 h" in get(client, when=before + timedelta(seconds=11))


def test_a_hit_renders_no_template_and_fills_each_visitors_own_bits(client, poster):
    user = UserFactory(registered=True, display_name="Quentin Visitor")
    Bookmark.objects.create(user=user, paper=poster)
    anonymous = get(client)
    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        again = get(client)
        client.force_login(user)
        get(client)  # fills the logged-in class's entry
        rendered.clear()
        mine = get(client)
    finally:
        template_rendered.disconnect(seen)
    assert rendered == []
    assert "Log in" in again and "Quentin Visitor" not in again
    assert "Quentin Visitor" in mine and "Log out" in mine
    assert re.findall(r'data-uid="([^"]+)" aria-pressed="true"', mine) == ["paperA"]
    assert 'aria-pressed="true"' not in anonymous
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', mine)[1]
    assert "csrfhole" not in mine and len(token) == 64
    assert f'data-me="{user.pk}"' in mine and 'data-me=""' in anonymous
    # Nobody's name, token or bookmark went into the cache.
    for page in stored_pages():
        assert "Quentin Visitor" not in page and token not in page and 'aria-pressed="true"' not in page


def test_another_visitor_does_not_get_the_first_ones_account(client, poster):
    client.force_login(UserFactory(registered=True, display_name="First Person", is_staff=True))
    assert "First Person" in get(client) and ">Admin<" in get(client)
    client.force_login(UserFactory(registered=True, display_name="Second Person"))
    html = get(client)
    assert "Second Person" in html and "First Person" not in html and ">Admin<" not in html


def test_a_new_or_hidden_message_shows_on_the_cached_page_at_once(client, poster):
    room = open_room("paper:paperA")
    author = AttendeeFactory(code_of_conduct_accepted_at=IN_WINDOW)
    assert "No messages yet" in get(client)
    message = post_message(room=room, author=author, body="A first question")
    assert "A first question" in get(client)
    hide_message(moderator=UserFactory(is_superuser=True), message_id=message.pk, reason="test")
    assert "A first question" not in get(client)


def test_a_page_with_a_flash_message_is_not_cached(client, poster):
    client.force_login(UserFactory(registered=True))
    with time_machine.travel(IN_WINDOW, tick=False):
        client.post("/papers/paperA/bookmark", {"next": "/papers/paperA/"})
    assert "Bookmarked “Robust things”." in get(client)
    assert stored_pages() == []
    assert "Bookmarked" not in get(client)


def test_the_zone_is_part_of_the_key(client, poster):
    client.cookies["tz"] = "Asia/Tokyo"
    assert "Asia/Tokyo" in get(client)
    client.cookies["tz"] = "Europe/Berlin"
    html = get(client)
    assert "Europe/Berlin" in html and 'data-zone="Asia/Tokyo"' not in html


def test_search_results_and_their_htmx_partial_are_cached_apart(client, poster):
    full = get(client, "/papers/?q=robust")
    with time_machine.travel(IN_WINDOW, tick=False):
        partial = client.get(
            "/papers/?q=robust", headers={"HX-Request": "true", "HX-Target": "paper-results"}
        ).content.decode()
    assert "<html" in full and "<html" not in partial
    assert "Robust things" in partial
    assert "<html" in get(client, "/papers/?q=robust")


def test_warm_paper_pages_fills_the_cache_for_each_class(client, poster):
    from django.core.management import call_command

    user = UserFactory(registered=True)
    with time_machine.travel(IN_WINDOW, tick=False):
        call_command("warm_paper_pages", "--host", "testserver", "--user", user.email, stdout=io.StringIO())
    assert len(stored_pages()) == 4  # (browser + paper page) x (anonymous, registered)
    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        anonymous = get(client)
        client.force_login(user)
        registered = get(client)
    finally:
        template_rendered.disconnect(seen)
    assert rendered == []
    assert SECRET not in anonymous and SECRET in registered
