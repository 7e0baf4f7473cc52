"""An attendee in Los Angeles finds a paper, sees its two poster sessions in Pacific time,
bookmarks it, finds it in My papers, and keeps it when they log in."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from portal.models import Conference
from posters.models import Bookmark
from tests.e2e.conftest import MOBILE, assert_no_serious_axe_violations, save_artifacts
from tests.factories import SessionFactory, UserFactory
from tests.posters.factories import paper_in_sessions

pytestmark = pytest.mark.e2e

PACIFIC = zoneinfo.ZoneInfo("America/Los_Angeles")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def papers(transactional_db):
    Conference.objects.create(name="ICLR 2020 Virtual Conference", short_name="ICLR 2020")
    now = datetime.now(UTC)
    start = now.replace(hour=5, minute=0, second=0, microsecond=0) + timedelta(days=1)
    first = SessionFactory(title="Poster session 1", start=start, end=start + timedelta(hours=2))
    second = SessionFactory(
        title="Poster session 4", start=start + timedelta(hours=12), end=start + timedelta(hours=14)
    )
    target = paper_in_sessions(
        [first, second],
        uid="ContrastG1",
        title="Contrastive learning of graph structure",
        abstract="We learn graph representations by contrasting views.",
        author_names=["Petar Velickovic", "Ada Lovelace"],
        keyword_names=["self-supervised learning", "graphs"],
    )
    paper_in_sessions(
        [first],
        uid="ContrastI1",
        title="Contrastive image pretraining",
        abstract="Images, contrasted.",
        keyword_names=["computer vision"],
    )
    paper_in_sessions(
        [second],
        uid="Masked1",
        title="Masked autoencoders for molecules",
        abstract="Self-supervised pretraining by masking atoms.",
        keyword_names=["self-supervised learning"],
    )
    return target, first, second


def pacific(session):
    start, end = session.start.astimezone(PACIFIC), session.end.astimezone(PACIFIC)
    end_format = "H:i" if start.date() == end.date() else "l j F, H:i"
    return f"{date_format(start, 'l j F, H:i')}–{date_format(end, end_format)} {start.tzname()}"


def test_find_a_paper_see_its_sessions_in_pacific_time_and_bookmark_it(new_page, papers):
    _, first, second = papers
    page = new_page(timezone_id="America/Los_Angeles")
    page.goto("/papers/")
    expect(page.locator("#result-count")).to_have_text("3 papers")
    # First visit: the portal offers the browser's zone.
    expect(page.locator("#tz-offer")).to_contain_text("America/Los_Angeles")
    page.locator("#tz-offer-accept").click()
    expect(page.locator("#tz-current")).to_have_text("America/Los_Angeles")

    # Search as you type (htmx), then narrow by keyword; the URL keeps both.
    page.get_by_label("Search papers").press_sequentially("contrastive", delay=20)
    expect(page.locator("#result-count")).to_contain_text("2 papers found for “contrastive”")
    assert page.locator("#paper-results mark").first.inner_text().lower() == "contrastive"
    page.locator("#paper-keyword").fill("self-supervised-learning")
    page.locator("#paper-keyword").press("Enter")
    expect(page.locator("#result-count")).to_contain_text("1 paper found for “contrastive” with keyword")
    assert re.search(r"q=contrastive.*keyword=self-supervised-learning|keyword=self-supervised-learning.*q=", page.url)
    assert_no_serious_axe_violations(page)
    save_artifacts(page, "papers-1-search-and-keyword")

    # The paper page: both sessions in Pacific time with the zone named.
    page.get_by_role("link", name="Contrastive learning of graph structure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contrastive learning of graph structure")
    times = page.locator(".poster-session-item .session-time")
    expect(times).to_have_count(2)
    expect(times.nth(0)).to_have_text(pacific(first))
    expect(times.nth(1)).to_have_text(pacific(second))
    expect(page.locator(".poster-session-item .badge").nth(0)).to_have_text(re.compile(r"^in \d+ h$"))
    expect(page.locator(".call-link").nth(0)).to_contain_text("Log in as a registered attendee")
    assert_no_serious_axe_violations(page)

    # Bookmark it (kept in the browser while anonymous) and find it in My papers.
    star = page.locator(".title-row button.star")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    save_artifacts(page, "papers-2-paper-page-pacific")
    page.get_by_role("link", name="Papers", exact=True).first.click()
    page.get_by_role("link", name="★ My papers").click()
    expect(page.locator("#my-papers .paper-title")).to_have_text(["Contrastive learning of graph structure"])
    assert_no_serious_axe_violations(page)
    save_artifacts(page, "papers-3-my-papers-anonymous")

    # Logging in merges the browser's bookmarks into the account.
    UserFactory(email="attendee@example.org")
    page.goto("/accounts/login/?next=/me/papers/")
    page.get_by_label("Email").fill("attendee@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#my-papers .paper-title")).to_have_text(["Contrastive learning of graph structure"])
    assert list(Bookmark.objects.values_list("user__email", "paper__uid")) == [("attendee@example.org", "ContrastG1")]
    assert page.evaluate("() => localStorage.getItem('portal.bookmarks')") is None
    save_artifacts(page, "papers-4-my-papers-account")


def test_the_filters_apply_on_change_and_the_search_button_works_without_javascript(new_page, papers):
    _, first, _ = papers
    page = new_page()
    page.goto("/papers/")
    count = page.locator("#result-count")
    expect(count).to_have_text("3 papers")
    # The name people see, typed, not chosen from the list, and no Enter: it applies.
    page.locator("#paper-keyword").press_sequentially("Self-Supervised Learning", delay=15)
    expect(count).to_contain_text("2 papers found with keyword self-supervised learning")
    assert "keyword=Self-Supervised%20Learning" in page.url
    page.get_by_label("Poster session").select_option(str(first.pk))
    expect(count).to_contain_text("1 paper found with keyword self-supervised learning in Poster session 1")
    page.get_by_label("View").select_option("compact")
    expect(page.locator("#paper-results table.paper-table")).to_be_visible()
    page.locator("#paper-keyword").fill("")
    page.locator("#paper-keyword").dispatch_event("input")
    expect(count).to_contain_text("2 papers found in Poster session 1")
    assert page.locator(".notice.warning").count() == 0
    save_artifacts(page, "papers-filters-on-change")

    # Without JavaScript the Search button sends the form.
    plain = new_page(java_script_enabled=False)
    plain.goto("/papers/")
    plain.locator("#paper-keyword").fill("computer vision")
    plain.get_by_role("button", name="Search", exact=True).click()
    expect(plain.locator("#result-count")).to_contain_text("1 paper found with keyword computer vision")
    save_artifacts(plain, "papers-filters-without-javascript")


def test_paper_map_and_phone_layout(new_page, papers):
    from posters.discovery import compute_discovery

    compute_discovery()
    page = new_page(viewport=MOBILE)
    page.goto("/papers/map/")
    page.locator("#paper-map").focus()
    expect(page.locator("#map-focus")).to_contain_text("press Enter to open")
    page.keyboard.press("ArrowRight")
    page.get_by_label("Highlight papers matching").fill("contrastive")
    expect(page.locator("#map-status")).to_have_text("2 papers match.")
    assert_no_serious_axe_violations(page)
    save_artifacts(page, "papers-5-map-mobile")
    page.goto("/papers/")
    save_artifacts(page, "papers-6-list-mobile")
    assert_no_serious_axe_violations(page)


def test_one_cached_paper_page_reads_right_in_every_zone(new_page, papers):
    """The paper page is rendered in the zone of the `tz` cookie (nginx keeps one copy per
    zone): each visitor reads their own times and zone."""
    _, first, second = papers
    for zone_name in ("Asia/Kolkata", "America/Los_Angeles"):
        zone = zoneinfo.ZoneInfo(zone_name)
        page = new_page(timezone_id=zone_name)
        page.goto("/papers/")
        page.locator("#tz-offer-accept").click()
        expect(page.locator("#tz-current")).to_have_text(zone_name)
        response = page.goto("/papers/ContrastG1/")
        assert response.headers["x-time-zone"] == zone_name
        times = page.locator(".poster-session-item .session-time")
        for n, session in enumerate((first, second)):
            start, end = session.start.astimezone(zone), session.end.astimezone(zone)
            end_format = "H:i" if start.date() == end.date() else "l j F, H:i"
            expect(times.nth(n)).to_have_text(
                f"{date_format(start, 'l j F, H:i')}–{date_format(end, end_format)} {start.tzname()}"
            )
        expect(page.locator("#tz-current")).to_have_text(zone_name)
        expect(page.locator("#paper-chat .chat-room")).to_have_attribute("data-zone", zone_name)
        save_artifacts(page, f"papers-7-paper-page-{zone_name.split('/')[-1].lower()}")
