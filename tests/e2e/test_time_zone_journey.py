"""A visitor's time zone: times shown in UTC, switched to Tokyo through the picker or the
first-visit offer, and kept from then on."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from portal.models import Conference
from tests.e2e.conftest import MOBILE, assert_no_serious_axe_violations, save_artifacts
from tests.factories import SessionFactory

pytestmark = pytest.mark.e2e

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def next_five_utc():
    """The next 05:00 UTC at least a quarter of an hour away (14:00 in Tokyo, same day)."""
    now = datetime.now(UTC)
    start = now.replace(hour=5, minute=0, second=0, microsecond=0)
    while start < now + timedelta(minutes=15):
        start += timedelta(days=1)
    return start


@pytest.fixture
def programme(transactional_db):
    """A keynote live now, and two poster sessions from the next 05:00 UTC."""
    Conference.objects.create(name="ICLR 2020 Virtual Conference", short_name="ICLR 2020")
    now = datetime.now(UTC)
    SessionFactory(
        title="Keynote: Leslie Kaelbling",
        kind="keynote",
        start=now - timedelta(minutes=20),
        end=now + timedelta(minutes=40),
    )
    start = next_five_utc()
    first = SessionFactory(title="Poster session 3", start=start, end=start + timedelta(hours=2))
    SessionFactory(title="Poster session 4", start=start + timedelta(hours=3), end=start + timedelta(hours=5))
    return first


def day(instant, zone):
    return date_format(instant.astimezone(zone), "D j M")


def upcoming_when(page, n):
    return page.locator("#upcoming .session-card").nth(n).locator(".when")


def test_switch_to_tokyo_through_the_picker(page, programme):
    page.goto("/")
    expect(page.locator("#tz-current")).to_have_text("UTC")
    expect(page.locator("#tz-offer")).to_be_hidden()  # the browser is in UTC too
    expect(upcoming_when(page, 0)).to_contain_text(f"{day(programme.start, UTC)}, 05:00–07:00 UTC")
    expect(upcoming_when(page, 1)).to_contain_text("08:00–10:00 UTC")
    assert_no_serious_axe_violations(page)
    save_artifacts(page, "tz-1-home-utc-desktop")

    page.locator("#tz-switch > summary").click()
    picker = page.get_by_label("Your time zone")
    expect(picker).to_be_focused()
    # With JavaScript the picker suggests every zone the browser knows.
    assert page.locator("#tz-options option").count() > 300
    picker.fill("Asia/Tokyo")
    save_artifacts(page, "tz-2-picker-open-desktop")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Use this zone").click()

    expect(page.locator("#tz-current")).to_have_text("Asia/Tokyo")
    expect(page.get_by_role("status")).to_contain_text("Times are now shown in Asia/Tokyo (JST).")
    expect(upcoming_when(page, 0)).to_contain_text(f"{day(programme.start, TOKYO)}, 14:00–16:00 JST")
    expect(upcoming_when(page, 1)).to_contain_text("17:00–19:00 JST")
    assert_no_serious_axe_violations(page)
    save_artifacts(page, "tz-3-home-tokyo-desktop")

    # The choice is kept (cookie): a new visit shows Tokyo, with no offer.
    page.goto("/help/")
    expect(page.locator("#tz-current")).to_have_text("Asia/Tokyo")
    page.goto("/")
    expect(upcoming_when(page, 0)).to_contain_text("14:00–16:00 JST")


def test_first_visit_offers_the_browsers_zone(new_page, programme):
    page = new_page(timezone_id="Asia/Tokyo", viewport=MOBILE)
    page.goto("/")
    expect(page.locator("#tz-current")).to_have_text("UTC")
    offer = page.locator("#tz-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Your browser is set to Asia/Tokyo.")
    assert_no_serious_axe_violations(page)
    save_artifacts(page, "tz-4-offer-mobile")

    offer.get_by_role("button", name="Show times in Asia/Tokyo").click()
    expect(page.locator("#tz-current")).to_have_text("Asia/Tokyo")
    expect(page.locator("#tz-offer")).to_be_hidden()
    expect(upcoming_when(page, 0)).to_contain_text(f"{day(programme.start, TOKYO)}, 14:00–16:00 JST")
    save_artifacts(page, "tz-5-home-tokyo-mobile")


def test_keeping_utc_dismisses_the_offer(new_page, programme):
    page = new_page(timezone_id="America/New_York")
    page.goto("/")
    page.get_by_role("button", name="Keep UTC").click()
    expect(page.locator("#tz-current")).to_have_text("UTC")
    expect(page.locator("#tz-offer")).to_be_hidden()
    page.reload()
    expect(page.locator("#tz-offer")).to_be_hidden()
    expect(upcoming_when(page, 0)).to_contain_text("05:00–07:00 UTC")


def test_the_picker_works_without_javascript(new_page, programme):
    page = new_page(java_script_enabled=False)
    page.goto("/")
    page.locator("#tz-switch > summary").click()
    page.get_by_label("Your time zone").fill("Asia/Tokyo")
    page.get_by_role("button", name="Use this zone").click()
    expect(page.locator("#tz-current")).to_have_text("Asia/Tokyo")
    expect(upcoming_when(page, 0)).to_contain_text("14:00–16:00 JST")


def test_an_unknown_zone_is_refused_with_a_message(page, programme):
    page.goto("/")
    page.locator("#tz-switch > summary").click()
    page.get_by_label("Your time zone").fill("Asia/Atlantis")
    page.get_by_role("button", name="Use this zone").click()
    expect(page.get_by_role("status")).to_contain_text("“Asia/Atlantis” is not a time zone we know; times stay in UTC.")
    expect(page.locator("#tz-current")).to_have_text("UTC")
