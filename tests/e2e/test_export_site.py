"""The static export in a real browser (issue 19): served by a plain static file server
from a sub-path, and opened from file://. Every internal link resolves, the papers'
search and keyword filter work client-side, times show in the browser's zone, axe finds
nothing serious. And the media mirrors: the first server fails, the player falls back to
the next and plays."""

import functools
import http.server
import threading
from datetime import UTC, date, datetime
from urllib.parse import urldefrag, urlsplit

import pytest
import time_machine
from playwright.sync_api import expect

from portal.export import export_site
from portal.models import Conference
from posters.discovery import compute_discovery
from schedule.recordings.mirrors import sync_mirror
from schedule.recordings.models import Recording
from tests.chat.factories import MessageFactory, RoomFactory
from tests.e2e.conftest import ARTIFACTS, assert_no_serious_axe_violations, save_artifacts
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory
from tests.schedule.recording_files import ready_recording

NOW = datetime(2020, 4, 27, 2, tzinfo=UTC)
SUB_PATH = "/conference/2020/"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def static_server(tmp_path):
    """A plain static file server (no portal behind it) over tmp_path/www; its base URL."""
    www = tmp_path / "www"
    www.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(www)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def conference_site(transactional_db, media_dir):
    conference = Conference.get()
    conference.name = "ICLR 2020"
    conference.short_name = "ICLR"
    conference.save()
    morning = SessionFactory(title="Poster session 1", start=datetime(2020, 4, 27, 5, tzinfo=UTC))
    evening = SessionFactory(title="Poster session 2", start=datetime(2020, 4, 27, 23, tzinfo=UTC))
    graphs = PaperFactory(uid="g1", title="Message passing on large graphs", keyword_names=["graphs"])
    PaperFactory(uid="g2", title="Spectral graph pruning", keyword_names=["graphs", "pruning"])
    PaperFactory(uid="o1", title="Adaptive optimisers revisited", keyword_names=["optimisation"])
    PosterSlotFactory(paper=graphs, session=morning)
    PosterSlotFactory(paper=graphs, session=evening)
    ready_recording(
        "paper:g1", media_dir / "talk.mp4", release_day=date(2020, 4, 26), release_override=Recording.Override.EARLY
    )
    MessageFactory(room=RoomFactory(key="paper:g1", kind="paper"), body="Nice", html="<p>Nice</p>")
    compute_discovery()  # the paper map
    return conference


def crawl(page, start, root_url):
    """Visit every page reachable from `start` inside `root_url`; (pages, broken links)."""
    seen, queue, broken = set(), [start], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        if response is not None and response.status != 200:
            broken.append(f"{url}: {response.status}")
            continue
        links = page.eval_on_selector_all(
            "a[href], link[href], script[src], img[src], source[src], track[src], object[data]",
            "els => els.map(e => e.href || e.src || e.data)",
        )
        for link in links:
            link = urldefrag(link)[0]
            if not link.startswith(root_url):
                continue
            path = urlsplit(link).path
            if path.endswith((".html", "/")):
                queue.append(link.split("?")[0])
            else:
                checked = page.request.get(link) if link.startswith("http") else None
                if checked is not None and checked.status != 200:
                    broken.append(f"{url} -> {link}: {checked.status}")
    return seen, broken


def test_the_export_served_from_a_sub_path_works_in_a_browser(conference_site, browser, static_server, tmp_path):
    www, base = static_server
    target = www / SUB_PATH.strip("/")
    target.parent.mkdir(parents=True)
    with time_machine.travel(NOW, tick=False):
        report = export_site(target, with_media=True)
    assert report.media_files == 1
    root_url = base + SUB_PATH
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        seen, broken = crawl(page, root_url + "index.html", root_url)
        assert broken == []
        pages = {root_url + p.relative_to(target).as_posix() for p in target.rglob("*.html")}
        assert seen == pages
        assert len(seen) == report.pages
        assert errors == []

        # Times in the browser's zone (Tokyo, UTC+9), with the zone named; days stay UTC.
        page.goto(root_url + "papers/g1/index.html")
        assert page.locator(".session-time").first.inner_text() == "Mon 27 Apr, 14:00–16:00 GMT+9"
        assert page.locator("[data-export-zone]").inner_text() == "Asia/Tokyo"
        assert page.locator(".chat-body").inner_text() == "Nice"
        # The released video plays from the export's own copy.
        page.wait_for_function("() => document.querySelector('video').readyState >= 1")
        assert page.evaluate("() => document.querySelector('video').currentSrc") == (
            root_url + f"media/recordings/{Recording.objects.get().pk}/360p.mp4"
        )
        assert_no_serious_axe_violations(page)

        # Search and the keyword filter, client-side, with the filters in the URL.
        page.goto(root_url + "papers/index.html")
        page.get_by_placeholder("Search titles, authors, keywords, TL;DRs").fill("graph")
        expect(page.locator("#result-count")).to_have_text("2 papers for “graph”")
        page.locator("#paper-keyword").fill("pruning")
        expect(page.locator("#result-count")).to_have_text("1 paper for “graph” with keyword pruning")
        expect(page.locator(".paper-cards a").first).to_have_text("Spectral graph pruning")
        page.locator(".paper-cards a").first.click()
        expect(page).to_have_url(root_url + "papers/g2/index.html")
        # A keyword chip on a paper leads to the filtered browser.
        page.goto(root_url + "papers/g2/index.html")
        page.locator(".keywords a", has_text="graphs").first.click()
        expect(page.locator("#result-count")).to_have_text("2 papers with keyword graphs")
        assert_no_serious_axe_violations(page)
        ARTIFACTS.mkdir(exist_ok=True)
        save_artifacts(page, "export-papers-keyword")

        # The programme by day, in UTC days with local times.
        page.goto(root_url + "schedule/2020-04-27/index.html")
        expect(page.locator("time[datetime='2020-04-27T23:00:00+00:00']").first).to_contain_text("Tue 28 Apr, 08:00")
        assert_no_serious_axe_violations(page)
        page.goto(root_url + "index.html")
        assert_no_serious_axe_violations(page)
        assert errors == []
    finally:
        context.close()


def test_the_export_reads_from_file(conference_site, browser, tmp_path):
    with time_machine.travel(NOW, tick=False):
        export_site(tmp_path / "export")
    context = browser.new_context(timezone_id="America/New_York", locale="en-GB")
    page = context.new_page()
    try:
        page.goto((tmp_path / "export/papers/index.html").as_uri() + "?keyword=optimisation")
        expect(page.locator("#result-count")).to_have_text("1 paper with keyword optimisation")
        page.locator(".paper-cards a").first.click()
        expect(page.locator("h1")).to_have_text("Adaptive optimisers revisited")
        page.goto((tmp_path / "export/papers/g1/index.html").as_uri())
        assert page.locator(".session-time").first.inner_text() == "Mon 27 Apr, 01:00–03:00 GMT-4"
        save_artifacts(page, "export-file-paper")
    finally:
        context.close()


# The first media server is dead on purpose (a port nothing serves).
@pytest.mark.console_errors(r"/media/recordings/.*: Failed to load resource: net::ERR_")
def test_the_player_falls_back_to_the_next_mirror(conference_site, new_page, static_server, settings):
    www, base = static_server
    mirror = www / "mirror"
    mirror.mkdir()
    with time_machine.travel(NOW, tick=False):
        assert sync_mirror(str(mirror)).files == 1
    # The first server answers nothing (a closed port), the second is the synced mirror.
    settings.PORTAL_MEDIA_MIRROR_URL = "http://127.0.0.1:9"
    settings.MEDIA_MIRRORS = [f"{base}/mirror"]
    page = new_page()
    page.goto("/papers/g1/")
    pk = Recording.objects.get().pk
    page.wait_for_function("() => document.querySelector('video').dataset.server === '1'")
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    assert (
        page.evaluate("() => document.querySelector('video').currentSrc")
        == f"{base}/mirror/media/recordings/{pk}/360p.mp4"
    )
    expect(page.locator(".mirror-status")).to_have_text("The video did not load; now playing from server 2 of 2.")
    # It plays.
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.2")
    # "Another server" by hand: back to the first, which fails again and falls forward.
    page.get_by_role("button", name="Another server").click()
    page.wait_for_function("() => document.querySelector('video').dataset.server === '1'")
    save_artifacts(page, "mirror-fallback")
