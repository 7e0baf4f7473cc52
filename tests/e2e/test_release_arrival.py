"""A visitor has a page open when a recording on it is released: the promise says it is on
its way, and the player appears in place, without a reload (static/js/release.js). On a
paper's page the player's scripts come with the block; on a workshop's page, from the new
copy's head."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from schedule.models import Recording, Session
from tests.e2e.conftest import assert_no_serious_axe_violations, save_artifacts
from tests.factories import PaperFactory, SessionFactory
from tests.schedule.recording_files import make_video, ready_recording

pytestmark = pytest.mark.e2e


def released_at(subject_key, video, release_at, **fields):
    """A ready recording released at `release_at` (save() derives the instant from the day
    by the 02:00 rule: set afterwards, as given)."""
    recording = ready_recording(subject_key, video, release_day=date(2020, 4, 26), **fields)
    Recording.objects.filter(pk=recording.pk).update(release_at=release_at, status=Recording.Status.READY)
    return recording


def test_a_release_seen_live_arrives_without_a_reload(new_page, transactional_db, tmp_path):
    from portal.models import Conference

    Conference.objects.create(name="ICLR 2020 Virtual Conference")
    PaperFactory(uid="owls1", title="Findings about owls")
    video = make_video(tmp_path / "owls.mp4", seconds=3, size="640x360", rate=10)
    release = datetime.now(UTC) + timedelta(seconds=8)
    released_at("paper:owls1", video, release)

    visitor = new_page(timezone_id="Pacific/Auckland")
    visitor.goto("/papers/owls1/")
    pending = visitor.locator("#recording-owls1 .recording-pending")
    expect(pending).to_contain_text("The video and slides will be available from")
    assert "/media/" not in visitor.content()
    visitor.evaluate("() => { window.stillTheSamePage = true; }")
    save_artifacts(visitor, "release-arrival-1-before")

    # The instant passes: the promise changes in place, then the player arrives.
    expect(pending).to_have_text(
        "The video and slides are being released: they appear here shortly, without reloading.", timeout=15_000
    )
    save_artifacts(visitor, "release-arrival-2-on-its-way")
    player = visitor.locator("#recording-owls1 .plyr")
    expect(player).to_be_visible(timeout=20_000)
    assert visitor.evaluate("() => window.stillTheSamePage") is True
    assert datetime.now(UTC) >= release
    expect(visitor.locator("#recording-owls1 .recording-pending")).to_have_count(0)
    expect(visitor.get_by_role("link", name="Video, 360p (MP4)")).to_be_visible()
    # The player works: play it from the keyboard.
    visitor.locator(".plyr__control--overlaid").focus()
    visitor.keyboard.press("Enter")
    visitor.wait_for_function("() => document.querySelector('video').currentTime > 0.3", timeout=15_000)
    # Set up once, though the block's own scripts were added after the page loaded.
    assert visitor.locator(".plyr").count() == 1
    assert_no_serious_axe_violations(visitor)
    save_artifacts(visitor, "release-arrival-3-playing")


def test_a_workshop_talk_released_while_its_page_is_open(new_page, transactional_db, tmp_path):
    from portal.models import Conference

    Conference.objects.create(name="ICLR 2020 Virtual Conference")
    start = datetime.now(UTC) + timedelta(hours=1)
    workshop = SessionFactory(
        kind=Session.Kind.WORKSHOP,
        uid="workshop:OWLS",
        title="Owls in machine learning",
        start=start,
        end=start + timedelta(hours=4),
    )
    talk = SessionFactory(
        kind=Session.Kind.WORKSHOP_TALK,
        parent=workshop,
        title="Invited talk: night vision",
        start=start,
        end=start + timedelta(minutes=30),
    )
    video = make_video(tmp_path / "owls.mp4", seconds=3, size="640x360", rate=10)
    released_at(f"talk:{talk.pk}", video, datetime.now(UTC) + timedelta(seconds=8), kind=Recording.Kind.WORKSHOP_TALK)

    visitor = new_page(timezone_id="Asia/Tokyo")
    visitor.goto("/workshops/OWLS/")
    row = visitor.locator(f"#talk-{talk.pk}")
    expect(row.locator(".recording-pending")).to_contain_text("The recording will be available from")
    assert "player.js" not in visitor.content()  # no talk on the page is playable yet
    visitor.evaluate("() => { window.stillTheSamePage = true; }")

    expect(row.locator(".recording-pending")).to_have_text(
        "The recording is being released: it appears here shortly, without reloading.", timeout=15_000
    )
    expect(row.locator(".plyr")).to_be_visible(timeout=20_000)
    assert visitor.evaluate("() => window.stillTheSamePage") is True
    expect(row.get_by_role("link", name="Invited talk: night vision")).to_be_visible()  # the row itself stays
    visitor.locator(".plyr__control--overlaid").focus()
    visitor.keyboard.press("Enter")
    visitor.wait_for_function("() => document.querySelector('video').currentTime > 0.3", timeout=15_000)
    assert_no_serious_axe_violations(visitor)
    save_artifacts(visitor, "release-arrival-4-workshop-playing")
