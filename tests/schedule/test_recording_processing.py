"""Validation by content and processing with ffmpeg, on small real videos."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from schedule.models import Recording, RecordingVersion
from schedule.recordings import services
from schedule.recordings.processing import process_version
from schedule.recordings.validation import Refused, captions_to_webvtt
from tests.factories import UserFactory
from tests.schedule.recording_files import PDF, SRT, VTT, small_upload, upload

# Processing runs in this process (the real worker: tests/posters/test_upload_pipeline.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """committed(verb, *args): call it, then run what it queued on commit (eager Celery)."""

    def call(verb, *args):
        with django_capture_on_commit_callbacks(execute=True):
            result = verb(*args)
        return result

    return call


@pytest.fixture
def recording():
    return Recording.objects.create(subject_key="paper:p1", kind="poster", release_day=date(2027, 6, 10))


def _storage_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_an_upload_is_processed_into_renditions_audio_and_poster(committed, recording, media_dir, settings):
    author = UserFactory()
    version = committed(services.accept_video, recording, upload(media_dir / "talk720.mp4", "my talk.mp4"), author)
    version.refresh_from_db()
    recording.refresh_from_db()
    assert version.status == "ready"
    assert recording.status == "ready"
    assert recording.current_version == version
    assert set(version.outputs) == {"360p", "720p", "audio", "poster"}
    assert version.duration == timedelta(seconds=1)
    assert (version.width, version.height) == (1280, 720)
    assert version.attempts == 1
    assert _storage_files(settings) == [
        f"recordings/{recording.pk}/v1/{name}"
        for name in ("360p.mp4", "720p.mp4", "audio.m4a", "original.mp4", "poster.jpg")
    ]
    assert list(recording.events.values_list("action", flat=True)) == ["uploaded", "processed"]


def test_no_upscaling_a_small_video_gets_only_its_own_size(committed, recording, media_dir):
    version = committed(services.accept_video, recording, upload(media_dir / "talk.mp4"), None)
    version.refresh_from_db()
    # 320x180 is below 360p: one rendition at its own height, nothing upscaled.
    assert set(version.outputs) == {"180p", "audio", "poster"}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("renamed.mp4", "This is not a video we can read (Invalid data found when processing input)."),
        (
            "truncated.mp4",
            "The video file is incomplete (truncated, or the upload stopped early): its index is missing.",
        ),
        ("six-minutes.mp4", "The video is 6 min 00 s long; the limit for this talk is 5 min 00 s."),
    ],
)
def test_bad_videos_are_refused_with_the_reason_and_nothing_changes(recording, media_dir, settings, name, reason):
    with pytest.raises(Refused) as refused:
        services.accept_video(recording, upload(media_dir / name), None)
    assert str(refused.value) == reason
    assert RecordingVersion.objects.count() == 0
    assert recording.events.count() == 0
    assert _storage_files(settings) == []


def test_a_six_minute_video_is_fine_for_an_oral(recording, media_dir):
    recording.kind = Recording.Kind.ORAL
    recording.save()
    version = services.accept_video(recording, upload(media_dir / "six-minutes.mp4"), None)
    assert version.number == 1


def test_zero_byte_and_over_limit(recording, settings):
    with pytest.raises(Refused, match=r"^The file is empty \(0 bytes\)\.$"):
        services.accept_video(recording, small_upload(b"", "empty.mp4"), None)
    settings.PORTAL_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(Refused, match=r"^The file is 0 MB; the limit is 0 MB\.$"):
        services.accept_slides(recording, small_upload(PDF + b" " * 2000, "slides.pdf"), None)


def test_slides_must_be_a_pdf_by_content(recording):
    with pytest.raises(Refused) as refused:
        services.accept_slides(recording, small_upload(b"<!DOCTYPE html><html>nope</html>", "slides.pdf"), None)
    assert str(refused.value) == "The slides are not a PDF: the file is an HTML or XML page. Export the slides as PDF."
    assert not recording.slides
    services.accept_slides(recording, small_upload(PDF, "slides.pdf"), None)
    assert recording.slides.read() == PDF


def test_srt_is_converted_and_bad_captions_refused(recording):
    services.accept_captions(recording, small_upload(SRT, "talk.srt"), None)
    assert recording.captions.read().decode() == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello and welcome.\n\n00:00:01.500 --> 00:00:02.000\nBye.\n"
    )
    with pytest.raises(Refused, match=r"^Caption 1 is neither WebVTT nor SRT"):
        captions_to_webvtt(b"just some words\nno timings\n")
    with pytest.raises(Refused, match=r"^Caption line 3 has a malformed timing"):
        captions_to_webvtt(b"WEBVTT\n\n00:00:00.000 --> soon\nHi\n")
    assert captions_to_webvtt(VTT) == VTT.decode()


def test_a_failed_replacement_keeps_the_live_version_and_its_original(committed, recording, media_dir, settings):
    first = committed(services.accept_video, recording, upload(media_dir / "talk.mp4"), None)
    # ffmpeg fails on the second (a broken encoder preset stands in for a crash).
    settings.PORTAL_X264_PRESET = "no-such-preset"
    second = committed(services.accept_video, recording, upload(media_dir / "talk.mp4"), None)
    second.refresh_from_db()
    recording.refresh_from_db()
    assert second.status == "failed"
    assert "no-such-preset" in second.error or "Error" in second.error
    assert recording.status == "failed"
    assert recording.current_version_id == first.pk  # still live
    assert Path(second.original.path).exists()  # nothing the author uploaded is lost
    assert not list(Path(second.original.path).parent.glob(".*.part"))
    # Retried once the cause is fixed: the poster frame made the first time is reused.
    poster = Path(second.original.path).parent / "poster.jpg"
    made = poster.stat().st_mtime_ns if poster.exists() else None
    settings.PORTAL_X264_PRESET = "veryfast"
    committed(services.retry, second)
    second.refresh_from_db()
    recording.refresh_from_db()
    assert (second.status, second.attempts) == ("ready", 2)
    assert recording.current_version_id == second.pk
    assert recording.status == "ready"
    if made is not None:
        assert poster.stat().st_mtime_ns == made
    # Running the task again does nothing: it is already ready.
    assert process_version(second.pk).attempts == 2


def test_without_ffmpeg_the_original_is_kept_and_the_reason_told(committed, recording, media_dir, settings):
    settings.PORTAL_FFMPEG = "/nonexistent/ffmpeg"
    settings.PORTAL_FFPROBE = "/nonexistent/ffprobe"
    version = committed(services.accept_video, recording, upload(media_dir / "talk.mp4"), None)
    version.refresh_from_db()
    recording.refresh_from_db()
    assert version.status == "skipped"
    assert version.error.startswith("Processing was skipped: ffmpeg is not installed on this server.")
    assert recording.current_version == version
    assert recording.events.last().action == "skipped"
