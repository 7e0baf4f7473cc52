"""A visitor in Kolkata plans their conference: healthy hours only, two poster sessions and a
keynote in their agenda (kept in the browser), the clash flagged, the calendar file holds
exactly those three; after logging in the agenda is theirs, in a subscription feed too."""

from datetime import UTC, date, datetime

import pytest
import vobject
from playwright.sync_api import expect

from portal.models import Conference
from schedule.models import AgendaItem, Session
from tests.e2e.conftest import MOBILE, assert_no_serious_axe_violations, save_artifacts
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def programme(transactional_db):
    Conference.objects.create(
        name="ICLR 2020 Virtual Conference",
        short_name="ICLR 2020",
        start_date=date(2020, 4, 26),
        end_date=date(2020, 4, 30),
        time_zone="Africa/Addis_Ababa",
    )

    def make(title, kind, start, end):
        return SessionFactory(title=title, kind=kind, start=start, end=end)

    return {
        # In Kolkata (UTC+05:30): 10:30, 17:30, 22:30 and 01:30 the next day.
        "P1S1": make("Poster session P1S1", Session.Kind.POSTER, at(2020, 4, 27, 5), at(2020, 4, 27, 7)),
        "P1S3": make("Poster session P1S3", Session.Kind.POSTER, at(2020, 4, 27, 12), at(2020, 4, 27, 14)),
        "P1S4": make("Poster session P1S4", Session.Kind.POSTER, at(2020, 4, 27, 17), at(2020, 4, 27, 19)),
        "P1S5": make("Poster session P1S5", Session.Kind.POSTER, at(2020, 4, 27, 20), at(2020, 4, 27, 22)),
        # 18:30–19:00 in Kolkata: during P1S3.
        "keynote": make(
            "Keynote: Leslie Kaelbling", Session.Kind.KEYNOTE, at(2020, 4, 27, 13), at(2020, 4, 27, 13, 30)
        ),
    }


def row(page, title):
    return page.locator(".session-row", has=page.get_by_role("link", name=title, exact=True))


def test_a_visitor_in_kolkata_plans_their_day(new_page, programme, tmp_path):
    page = new_page(timezone_id="Asia/Kolkata")
    page.goto("/schedule/2020-04-27/")

    # The visitor picks their zone (Chromium's Intl offers the old name, Asia/Calcutta).
    expect(page.locator("#tz-offer")).to_be_visible()
    page.locator("#tz-switch > summary").click()
    page.get_by_label("Your time zone").fill("Asia/Kolkata")
    page.get_by_role("button", name="Use this zone").click()
    expect(page.locator("#tz-current")).to_have_text("Asia/Kolkata")
    expect(row(page, "Poster session P1S1").locator(".when")).to_have_text("10:30–12:30 IST")
    expect(row(page, "Poster session P1S1").locator(".conference-time")).to_have_text(
        "· 08:00–10:00 EAT at the conference"
    )

    # Healthy hours: what falls outside 08:00–22:00 in Kolkata goes.
    page.get_by_label("Only my healthy hours").check()
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url("/schedule/2020-04-27/?healthy=1")
    expect(page.locator(".session-row .title")).to_have_text(
        ["Poster session P1S1", "Poster session P1S3", "Keynote: Leslie Kaelbling"]
    )
    assert_no_serious_axe_violations(page)

    for title in ("Poster session P1S1", "Poster session P1S3", "Keynote: Leslie Kaelbling"):
        button = row(page, title).locator("button.agenda-button")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).to_contain_text("In my agenda")
    save_artifacts(page, "schedule-1-day-healthy-kolkata")

    # My agenda: kept in this browser, the clash flagged.
    page.get_by_role("navigation", name="Schedule").get_by_role("link", name="My agenda").click()
    expect(page.locator("#agenda-summary")).to_have_text("3 items in your agenda · 2 overlaps.")
    expect(page.locator(".agenda-line .title")).to_have_text(
        ["Poster session P1S1", "Poster session P1S3", "Keynote: Leslie Kaelbling"]
    )
    expect(page.locator(".has-overlap .overlap-flag")).to_have_text(
        ["⚠ Overlaps with Keynote: Leslie Kaelbling", "⚠ Overlaps with Poster session P1S3"]
    )
    assert_no_serious_axe_violations(page)
    save_artifacts(page, "schedule-2-agenda-browser-kolkata")

    # The calendar file holds exactly those three, at their instants.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these as .ics").click()
    path = tmp_path / "agenda.ics"
    download.value.save_as(path)
    calendar = vobject.readOne(path.read_text(encoding="utf-8"))
    chosen = [programme["P1S1"], programme["P1S3"], programme["keynote"]]
    assert sorted((e.uid.value, e.dtstart.value, e.dtend.value) for e in calendar.vevent_list) == sorted(
        (s.uid, s.start, s.end) for s in chosen
    )

    # Logging in brings the agenda along; the subscription feed holds the same three.
    UserFactory(email="ravi@example.org", display_name="Ravi")
    page.goto("/accounts/login/?next=/me/agenda/")
    page.get_by_label("Email").fill("ravi@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#saved-agenda #agenda-summary")).to_have_text("3 items in your agenda · 2 overlaps.")
    assert sorted(AgendaItem.objects.values_list("session__title", flat=True)) == sorted(s.title for s in chosen)
    assert page.evaluate("() => localStorage.getItem('portal.schedule.agenda.v1')") == "[]"
    save_artifacts(page, "schedule-3-agenda-saved")
    feed = page.request.get(page.locator("#feed-url").input_value())
    subscribed = vobject.readOne(feed.text())
    assert sorted(e.uid.value for e in subscribed.vevent_list) == sorted(s.uid for s in chosen)


@pytest.mark.parametrize("path", ["/schedule/", "/now/", "/live/", "/me/agenda/", "session"])
def test_schedule_pages_have_no_serious_axe_violations(new_page, programme, path):
    Conference.objects.update(livestream_url="https://stream.example.org/player")
    if path == "session":
        path = programme["keynote"].get_absolute_url()
    page = new_page(timezone_id="Asia/Kolkata")
    page.goto(path)
    assert_no_serious_axe_violations(page)
    save_artifacts(page, f"schedule-axe-{path.strip('/').replace('/', '-') or 'home'}")


def test_the_week_on_a_phone(new_page, programme, live_server_url):
    page = new_page(viewport=MOBILE, timezone_id="America/Los_Angeles")
    page.context.add_cookies([{"name": "tz", "value": "America/Los_Angeles", "url": live_server_url}])
    page.goto("/schedule/")
    expect(page.locator(".week-day h2")).to_have_text(["Sunday 26 April", "Monday 27 April"])
    # 05:00 UTC on Monday is 22:00 on Sunday in Los Angeles.
    expect(page.locator(".week-day").first.locator(".week-item .title")).to_have_text(["Poster session P1S1"])
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_axe_violations(page)
    save_artifacts(page, "schedule-week-mobile-los-angeles")
