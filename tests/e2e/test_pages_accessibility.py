"""Every page of the portal's own: no serious axe-core violations, keyboard-usable,
readable on a phone. Logging in and editing the profile happen through the forms."""

import pytest
from playwright.sync_api import expect

from portal.models import Conference
from tests.e2e.conftest import MOBILE, assert_no_serious_axe_violations, save_artifacts
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
# Chromium logs the page's own 404 status as a console error.
NOT_FOUND_IS_EXPECTED = pytest.mark.console_errors(r"/no-such-page/: Failed to load resource: .* 404 \(Not Found\)$")


@pytest.fixture
def conference(transactional_db):
    return Conference.objects.create(name="ICLR 2020 Virtual Conference", short_name="ICLR 2020")


def log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Log out")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/help/",
        "/code-of-conduct/",
        "/time-zone/",
        "/accounts/login/",
        "/accounts/signup/",
        pytest.param("/no-such-page/", marks=NOT_FOUND_IS_EXPECTED),
    ],
)
def test_public_pages_have_no_serious_axe_violations(page, conference, path):
    page.goto(path)
    assert_no_serious_axe_violations(page)


def test_skip_link_and_visible_focus(page, conference):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    save_artifacts(page, "a11y-skip-link-focused")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # Focus is drawn: the focused control has a visible outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_log_in_and_edit_the_profile(new_page, conference):
    UserFactory(email="ada@example.org", display_name="Ada")
    page = new_page()
    log_in(page, "ada@example.org")
    page.get_by_role("link", name="Your profile: Ada").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    expect(page.locator("#role-registered")).to_contain_text("Not a registered attendee")
    assert_no_serious_axe_violations(page)
    page.get_by_label("Affiliation").fill("Analytical Engines Ltd")
    page.get_by_label("Time zone", exact=True).select_option("Pacific/Auckland")
    page.get_by_label("Interests").fill("optimisation,  fairness")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(page.locator("#tz-current")).to_have_text("Pacific/Auckland")
    expect(page.get_by_label("Interests")).to_have_value("optimisation, fairness")
    save_artifacts(page, "profile-desktop")
    assert_no_serious_axe_violations(page)
    for path in ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/"]:
        page.goto(path)
        assert_no_serious_axe_violations(page)


def test_phone_layout_of_login_and_profile(new_page, conference):
    UserFactory(email="grace@example.org", display_name="Grace", registered=True)
    page = new_page(viewport=MOBILE)
    page.goto("/accounts/login/")
    save_artifacts(page, "login-mobile")
    log_in(page, "grace@example.org")
    page.goto("/me/profile/")
    expect(page.locator("#role-registered")).to_contain_text("Registered attendee")
    # Nothing is wider than the phone's screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= MOBILE["width"]
    save_artifacts(page, "profile-mobile")
    assert_no_serious_axe_violations(page)


@NOT_FOUND_IS_EXPECTED
def test_404_page(page, conference):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    save_artifacts(page, "404-desktop")
