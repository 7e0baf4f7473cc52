"""Booths in a real browser: apply for a booth, an organiser approves it in admin, it
appears; book a recruiter meeting and find it in the agenda; start a self-organised booth
for three and fail to add a fourth. Each page checked with axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booths.models import Booth
from tests.booths.factories import MeetingSlotFactory, SponsorFactory
from tests.e2e.conftest import assert_no_serious_axe_violations, save_artifacts
from tests.e2e.test_chat_live import logged_in
from tests.factories import UserFactory


def attendee(name, **kwargs):
    return UserFactory(registered=True, display_name=name, code_of_conduct_accepted_at=timezone.now(), **kwargs)


# Before approval the booth's page is a 404 (checked on purpose).
@pytest.mark.console_errors(r"/booths/[\w-]+/: Failed to load resource: .* 404 \(Not Found\)$")
def test_apply_then_an_organiser_approves_in_admin_and_it_appears(new_page, live_server_url, transactional_db):
    ada = attendee("Ada")
    organiser = UserFactory(is_staff=True, is_superuser=True, display_name="Olu")
    page = logged_in(new_page, ada, live_server_url)
    page.goto("/booths/apply/")
    assert_no_serious_axe_violations(page)
    page.get_by_label("Kind").select_option("social")
    page.get_by_label("Name").fill("Juggling for researchers")
    page.get_by_label("Description").fill("Bring three balls.")
    page.get_by_label("Proposed times").fill("2020-04-27 10:00-11:00")
    page.get_by_role("button", name="Send the application").click()
    expect(page.get_by_text("Proposed (waiting for the organisers)")).to_be_visible()
    assert page.goto("/booths/juggling-for-researchers/").status == 404

    admin = logged_in(new_page, organiser, live_server_url)
    booth = Booth.objects.get(name="Juggling for researchers")
    admin.goto(f"/admin/booths/booth/{booth.pk}/change/")
    admin.locator("#id_status").select_option("approved")
    admin.locator("#id_decision_message").fill("Lovely idea, approved.")
    admin.locator("input[name=_save]").click()
    expect(admin.locator(".messagelist")).to_contain_text("the applicant is told")

    visitor = new_page()
    visitor.goto("/booths/")
    expect(visitor.get_by_role("link", name="Juggling for researchers")).to_be_visible()
    visitor.get_by_role("link", name="Juggling for researchers").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Juggling for researchers")
    expect(visitor.get_by_text("Booth discussions are not recorded.")).to_be_visible()
    expect(visitor.get_by_text("No times are scheduled any more.")).to_be_visible()  # its slot was in 2020
    assert [s.start.hour for s in Booth.objects.get(pk=booth.pk).slots.all()] == [10]
    assert_no_serious_axe_violations(visitor)
    save_artifacts(visitor, "booth-page")
    page.goto("/booths/apply/")
    expect(page.get_by_text("Lovely idea, approved.")).to_be_visible()


def test_book_a_recruiter_meeting_and_see_it_in_the_agenda(new_page, live_server_url, transactional_db):
    ada = attendee("Ada")
    sponsor = SponsorFactory(name="Acme AI", slug="acme-ai", tier="Gold")
    # Noon tomorrow: a meeting that crossed midnight would be listed under both its days.
    noon = (timezone.now() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    MeetingSlotFactory(sponsor=sponsor, start=noon)
    page = logged_in(new_page, ada, live_server_url)
    page.goto("/sponsors/")
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Acme AI").click()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Book this time").click()
    page.get_by_role("button", name="Book it").click()
    expect(page.get_by_text("Your meeting with Acme AI is booked")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.goto("/me/agenda/")
    expect(page.get_by_role("link", name="Meeting with Acme AI")).to_be_visible()
    save_artifacts(page, "agenda-with-meeting")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}])
# A non-member's 404 and the fourth person's refused invitation (403) are checked on purpose.
@pytest.mark.console_errors(
    r"/booths/private-\w+/: Failed to load resource: .* 404 \(Not Found\)$",
    r"/booths/private-\w+/join/[\w-]+/: Failed to load resource: .* 403 \(Forbidden\)$",
)
def test_a_self_organised_booth_for_three_refuses_a_fourth(new_page, live_server_url, transactional_db, viewport):
    ada, bob, cy, dan = (attendee(n) for n in ("Ada", "Bob", "Cy", "Dan"))
    page = logged_in(new_page, ada, live_server_url, viewport=viewport)
    page.goto("/booths/start/")
    assert_no_serious_axe_violations(page)
    page.get_by_label("Name").fill("Late-night theory")
    page.get_by_label("Who else (e-mail addresses)").fill(f"{bob.email}, {cy.email}")
    page.get_by_role("button", name="Start the booth").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Late-night theory")
    expect(page.get_by_role("heading", name="Members (3 of 3)")).to_be_visible()
    expect(page.get_by_role("button", name="Join the video call")).to_be_visible()
    assert_no_serious_axe_violations(page)
    save_artifacts(page, "self-organised-booth")
    booth = Booth.objects.get(name="Late-night theory")
    # The booth is full: the page offers no more adding; the service refuses a fourth by any path.
    expect(page.get_by_text("The booth is full.")).to_be_visible()
    outsider = logged_in(new_page, dan, live_server_url)
    response = outsider.goto(f"/booths/{booth.slug}/")
    assert response.status == 404
    response = outsider.goto(f"/booths/{booth.slug}/join/{booth.invite_token}/")
    assert response.status == 403
    expect(outsider.get_by_text("This booth is full: it has 3 people already.")).to_be_visible()
    assert booth.memberships.count() == 3


def test_the_booth_list_and_an_open_booth_give_a_registered_attendee_the_call(
    new_page, live_server_url, transactional_db
):
    from schedule.models import Session
    from tests.booths.factories import BoothFactory
    from tests.factories import SessionFactory

    now = timezone.now()
    slot = SessionFactory(kind=Session.Kind.BOOTH_SLOT, start=now - timedelta(minutes=5), end=now + timedelta(hours=1))
    BoothFactory(
        name="Queer in AI", slug="queer-in-ai", kind=Booth.Kind.AFFINITY, call_link="https://zoom.us/j/42", slots=[slot]
    )
    BoothFactory(name="Later social", kind=Booth.Kind.SOCIAL)
    visitor = new_page()
    visitor.goto("/booths/")
    expect(visitor.get_by_role("heading", name="Open now")).to_be_visible()
    assert_no_serious_axe_violations(visitor)
    save_artifacts(visitor, "booth-list")
    visitor.goto("/workshops/")
    assert_no_serious_axe_violations(visitor)
    page = logged_in(new_page, attendee("Ada"), live_server_url)
    page.goto("/booths/queer-in-ai/")
    join = page.locator("[data-booth-call] a")
    expect(join).to_have_attribute("href", "https://zoom.us/j/42")  # from /me/state.json, not the page
    assert "zoom.us" not in page.request.get("/booths/queer-in-ai/").text()
