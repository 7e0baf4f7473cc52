"""Meeting people in real browsers: three join "meet someone now" (two meet in a private
booth, the third waits), and an introduction is asked for and accepted."""

import re

from django.test import Client
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_serious_axe_violations, save_artifacts
from tests.people.factories import PersonFactory


def logged_in(new_page, user, live_server_url, **options):
    client = Client()
    client.force_login(user)
    page = new_page(**options)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}]
    )
    return page


def join(page, topic):
    page.goto("/me/meet/")
    page.get_by_label("What would you like to talk about?").fill(topic)
    page.get_by_role("button", name="Join the queue").click()


def test_two_join_the_queue_and_meet_in_a_private_booth_while_the_third_waits(new_page, live_server_url):
    ada = PersonFactory(display_name="Ada Lovelace", interests="engines, poetry")
    bob = PersonFactory(display_name="Bob Babbage", interests="engines")
    cy = PersonFactory(display_name="Cy Waiting", interests="looms")
    a = logged_in(new_page, ada, live_server_url)
    b = logged_in(new_page, bob, live_server_url)
    c = logged_in(new_page, cy, live_server_url)

    join(a, "difference engines")
    expect(a.get_by_role("heading", name="You are in the queue")).to_be_visible()
    assert_no_serious_axe_violations(a)
    join(b, "engines")
    # The match appears at once on both, over the socket.
    expect(a.get_by_role("heading", name="You could meet Bob Babbage")).to_be_visible()
    expect(b.get_by_role("heading", name="You could meet Ada Lovelace")).to_be_visible()
    expect(b.get_by_text("In common: engines")).to_be_visible()
    assert_no_serious_axe_violations(b)
    save_artifacts(b, "people-meet-offer")

    join(c, "looms")
    expect(c.get_by_role("heading", name="You are in the queue")).to_be_visible()

    a.get_by_role("button", name="Accept").click()
    b.get_by_role("button", name="Accept").click()
    expect(a.get_by_role("heading", name="You met Bob Babbage")).to_be_visible()
    expect(b.get_by_role("heading", name="You met Ada Lovelace")).to_be_visible()
    save_artifacts(a, "people-meet-matched")
    # The third is still waiting, alone.
    expect(c.get_by_role("heading", name="You are in the queue")).to_be_visible()
    save_artifacts(c, "people-meet-waiting")

    a.get_by_role("button", name="Go to your private room").click()
    expect(a).to_have_url(re.compile(r"/booths/private-[0-9a-f]+/$"))
    save_artifacts(a, "people-meet-booth")


def test_an_introduction_is_asked_for_and_accepted(new_page, live_server_url):
    dee = PersonFactory(display_name="Dee Asker")
    eve = PersonFactory(
        display_name="Eve Answer", affiliation="Lab E", interests="vision", profile__ask_me_about="cameras"
    )
    d = logged_in(new_page, dee, live_server_url)
    d.goto("/people/")
    assert_no_serious_axe_violations(d)
    d.get_by_role("link", name="Eve Answer").click()
    expect(d.get_by_text("cameras")).to_be_visible()
    assert_no_serious_axe_violations(d)
    d.get_by_role("button", name="Ask for an introduction").click()
    d.get_by_label("A short note: why you'd like to meet").fill("I liked your poster on cameras.")
    d.get_by_role("button", name="Ask for the introduction").click()
    expect(d.get_by_text("Your request is sent")).to_be_visible()
    expect(d.get_by_text("You asked for an introduction; waiting for their answer.")).to_be_visible()

    e = logged_in(new_page, eve, live_server_url)
    e.goto("/me/people/")
    expect(e.get_by_text("I liked your poster on cameras.")).to_be_visible()
    assert_no_serious_axe_violations(e)
    e.get_by_role("button", name="Accept").click()
    expect(e.get_by_text("You and Dee Asker have a private room now.")).to_be_visible()
    save_artifacts(e, "people-introduction-accepted")
    e.get_by_role("link", name="your private room").click()
    expect(e).to_have_url(re.compile(r"/booths/private-[0-9a-f]+/$"))


def test_a_block_hides_each_from_the_other(new_page, live_server_url):
    ada = PersonFactory(display_name="Ada Blocker")
    bob = PersonFactory(display_name="Bob Blocked")
    PersonFactory(display_name="Cy Bystander")
    a = logged_in(new_page, ada, live_server_url)
    a.goto(f"/people/{bob.pk}/")
    a.get_by_role("link", name="Block", exact=True).click()
    a.get_by_role("button", name="Block", exact=True).click()
    expect(a.get_by_text("Blocked. You will not be matched or introduced, they cannot mention you,")).to_be_visible()
    expect(a.get_by_role("link", name="Cy Bystander")).to_be_visible()
    expect(a.get_by_role("link", name="Bob Blocked")).to_have_count(0)
    b = logged_in(new_page, bob, live_server_url)
    b.goto(f"/people/{ada.pk}/")
    expect(b.get_by_text("This profile is not available.")).to_be_visible()
    expect(b.get_by_role("heading", name="Ada Blocker")).to_have_count(0)
    assert_no_serious_axe_violations(b)


def test_people_pages_read_well_and_are_axe_clean(new_page, live_server_url):
    from datetime import timedelta

    from django.utils import timezone

    from people import presence
    from people.models import StreamSegment
    from tests.factories import SessionFactory
    from tests.posters.factories import paper_in_sessions

    now = timezone.now()
    session = SessionFactory(title="Poster session now", start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    paper = paper_in_sessions([session], uid="meetP", title="A paper worth meeting for", author_names=["Ada Author"])
    author = paper.authorships.get().author
    author.email = "ada.author@example.org"
    author.save()
    ada = PersonFactory(
        email="ada.author@example.org",
        display_name="Ada Author",
        affiliation="Engine Lab",
        interests="engines, robustness",
        profile__ask_me_about="the ablations",
    )
    PersonFactory(display_name="Bo Reader", interests="engines")
    presence.entered(user_id=ada.pk, room_key="paper:meetP")
    StreamSegment.objects.create(
        kind="spotlight",
        title="Spotlight: meeting for papers",
        subject_key="paper:meetP",
        session=session,
        start=now - timedelta(minutes=5),
        end=now + timedelta(minutes=10),
        note="Two minutes on a poster.",
    )
    page = new_page()
    for url, name in (
        ("/", "people-home"),
        ("/people/", "people-list"),
        (f"/people/{ada.pk}/", "people-profile"),
        ("/papers/meetP/", "people-paper-authors"),
        ("/people/around/", "people-around"),
        ("/live/", "people-live"),
    ):
        page.goto(url)
        assert_no_serious_axe_violations(page)
        save_artifacts(page, name)
    page.goto("/live/")
    expect(page.locator("#stream-now")).to_contain_text("Spotlight: meeting for papers")
    page.goto("/people/around/")
    expect(page.get_by_text("At the poster")).to_be_visible()
