"""A workshop's invited talk, pre-recorded: an organiser finds the talk's upload link on the
workshop page (from their private state), uploads the video and waits for processing; an
anonymous visitor sees the date it will be out, then, after the release, the player."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from schedule.models import Recording, Session
from tests.e2e.conftest import assert_no_serious_axe_violations, save_artifacts
from tests.e2e.test_chat_live import logged_in
from tests.factories import SessionFactory, UserFactory
from tests.schedule.recording_files import make_video

pytestmark = pytest.mark.e2e


@pytest.fixture
def talk(transactional_db):
    from portal.models import Conference

    Conference.objects.create(name="ICLR 2020 Virtual Conference")
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=12, minute=0, second=0, microsecond=0)
    workshop = SessionFactory(
        kind=Session.Kind.WORKSHOP,
        uid="workshop:OWLS",
        title="Owls in machine learning",
        start=start - timedelta(hours=3),
        end=start + timedelta(hours=5),
    )
    return SessionFactory(
        kind=Session.Kind.WORKSHOP_TALK,
        parent=workshop,
        title="Invited talk: night vision",
        start=start,
        end=start + timedelta(minutes=30),
    )


# Processing runs in the live server's process (tasks_in_process), as in the papers' journey.
def test_an_organiser_uploads_a_talk_and_it_plays_after_its_release(
    new_page, live_server_url, talk, tmp_path, tasks_in_process
):
    video = make_video(tmp_path / "owls.mp4", seconds=3, size="640x360", rate=10)
    organiser = logged_in(new_page, UserFactory(is_staff=True, display_name="Olu"), live_server_url)
    organiser.goto("/workshops/OWLS/")
    # The upload link comes from the organiser's state, never from the shared page.
    upload_link = organiser.get_by_role("link", name="Upload this talk's recording, slides or captions")
    expect(upload_link).to_be_visible()
    upload_link.click()
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Invited talk: night vision")
    organiser.get_by_label("Video (MP4, MOV, WebM…)").set_input_files(str(video))
    organiser.get_by_role("button", name="Upload video").click()
    expect(organiser.locator("#recording-status")).to_have_text("Ready", timeout=60_000)
    organiser.reload()
    expect(organiser.locator("video.recording-player source").first).to_be_attached()  # the organiser previews
    assert_no_serious_axe_violations(organiser)
    save_artifacts(organiser, "workshop-talk-1-organiser-uploaded")

    recording = Recording.objects.get(subject_key=f"talk:{talk.pk}")
    assert recording.release_at <= talk.start
    visitor = new_page(timezone_id="Asia/Tokyo")
    visitor.goto("/workshops/OWLS/")
    expect(visitor.locator(f"#talk-{talk.pk} .recording-pending")).to_contain_text(
        "The recording will be available from"
    )
    expect(visitor.locator("[data-talk-upload] a")).to_have_count(0)
    assert "/media/recordings/" not in visitor.content()
    assert_no_serious_axe_violations(visitor)
    save_artifacts(visitor, "workshop-talk-2-visitor-before")

    with time_machine.travel(recording.release_at + timedelta(minutes=1)):
        visitor.reload()
        player = visitor.locator(f"#talk-{talk.pk} .plyr")
        expect(player).to_be_visible()
        expect(visitor.locator(f"#talk-{talk.pk} .recording-pending")).to_have_count(0)
        expect(visitor.locator("[data-talk-upload] a")).to_have_count(0)
        visitor.locator(".plyr__control--overlaid").focus()
        visitor.keyboard.press("Enter")
        visitor.wait_for_function("() => document.querySelector('video').currentTime > 0.3", timeout=15_000)
        assert_no_serious_axe_violations(visitor)
        save_artifacts(visitor, "workshop-talk-3-visitor-watching")
