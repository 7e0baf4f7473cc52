"""An author uploads a talk and waits for processing; an attendee cannot see it before the
release, then plays it, switches quality and turns captions on."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from posters.models import Author
from schedule.models import Recording
from schedule.recordings.release import release_early
from tests.e2e.conftest import assert_no_serious_axe_violations, save_artifacts
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory, UserFactory
from tests.schedule.recording_files import SRT, make_video

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


def log_in(page, email, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def paper(transactional_db):
    from portal.models import Conference

    Conference.objects.create(name="ICLR 2020 Virtual Conference")
    start = datetime.now(UTC) + timedelta(days=2)
    paper = PaperFactory(uid="owls1", title="Findings about owls", author_names=["Grace Hopper"])
    Author.objects.filter(name="Grace Hopper").update(email="grace@example.org")
    PosterSlotFactory(paper=paper, session=SessionFactory(start=start, end=start + timedelta(hours=2)))
    UserFactory(email="grace@example.org")
    UserFactory(email="attendee@example.org", registered=True)
    return paper


# Processing runs in the live server's process (tasks_in_process), also under CI's broker:
# the worker path itself is covered by tests/posters/test_upload_pipeline.py.
def test_upload_wait_release_watch(new_page, paper, tmp_path, tasks_in_process):
    video = make_video(tmp_path / "owls.mp4", seconds=3, size="1280x720", rate=10)
    captions = tmp_path / "owls.srt"
    captions.write_bytes(SRT)

    author = new_page()
    log_in(author, "grace@example.org", "/me/papers/authored/")
    # The paper's upload page (My papers also links its discussion, in the answers' progress).
    author.locator('a[href="/me/papers/owls1/recording/"]').click()
    author.get_by_label("Video (MP4, MOV, WebM…)").set_input_files(str(video))
    author.get_by_role("button", name="Upload video").click()
    expect(author.locator("#recording-status")).to_have_text("Ready", timeout=60_000)
    # "Ready" shows on the page reloaded with the new version: its scripts loaded before the next upload.
    author.wait_for_load_state()
    author.get_by_label("Captions (WebVTT or SRT)").set_input_files(str(captions))
    author.get_by_role("button", name="Upload captions").click()
    expect(author.locator("form[data-kind=captions] .upload-message")).to_have_text("Uploaded.")
    author.reload()
    expect(author.locator("video.recording-player source")).to_have_count(2)  # the author previews
    assert_no_serious_axe_violations(author)
    save_artifacts(author, "recording-1-author-ready")

    attendee = new_page(timezone_id="Asia/Tokyo")
    log_in(attendee, "attendee@example.org", f"/papers/{paper.uid}/")
    expect(attendee.locator(".recording-pending")).to_contain_text("The video and slides will be available from")
    assert "/media/recordings/" not in attendee.content()
    save_artifacts(attendee, "recording-2-attendee-before")

    release_early(Recording.objects.get(subject_key="paper:owls1"), None, datetime.now(UTC))
    attendee.reload()
    player = attendee.locator(".plyr")
    expect(player).to_be_visible()
    # Play (keyboard: focus the player's play button and press Enter).
    attendee.locator(".plyr__control--overlaid").focus()
    attendee.keyboard.press("Enter")
    attendee.wait_for_function("() => document.querySelector('video').currentTime > 0.3", timeout=15_000)
    # Quality: Plyr's settings menu lists the renditions; pick 360p.
    assert attendee.evaluate("() => document.querySelector('video').currentSrc").endswith("/720p.mp4")
    attendee.get_by_role("button", name="Settings").click()
    attendee.get_by_role("menuitem", name="Quality 720p").click()
    attendee.get_by_role("menuitemradio", name="360p").click()
    attendee.wait_for_function("() => document.querySelector('video').currentSrc.endsWith('/360p.mp4')")
    # Captions on.
    attendee.get_by_role("button", name="Enable captions").click()
    attendee.wait_for_function("() => document.querySelector('video').plyr.captions.active === true")
    assert attendee.evaluate("() => document.querySelector('video').plyr.currentTrack") == 0
    expect(attendee.get_by_role("link", name="Video, 720p (MP4)")).to_be_visible()
    assert_no_serious_axe_violations(attendee)
    save_artifacts(attendee, "recording-3-attendee-watching")
