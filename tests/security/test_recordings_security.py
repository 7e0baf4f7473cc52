"""Issue 13, recordings: jobs lost with their worker (4), upload bombs (6), PDF polyglot
slides (11), release settings changes and media lifetimes in shared caches (12)."""

import signal
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from posters.models import Author
from schedule.models import Recording, RecordingVersion
from schedule.recordings import services
from tests.celery_worker import running_worker
from tests.factories import PaperFactory, PosterSlotFactory, UserFactory
from tests.posters.test_upload_pipeline import wait_for
from tests.schedule.recording_files import FFMPEG, upload

JSON = {"HTTP_ACCEPT": "application/json"}


def worker_env(**extra):
    db = connection.settings_dict
    return {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


def _version(pk):
    return RecordingVersion.objects.get(pk=pk)


# --- 4. Processing jobs survive a killed worker; an upload queues or says it failed ------


@pytest.fixture(scope="module")
def slow_video(tmp_path_factory):
    """720p, 3 s: tens of seconds to encode with x264's veryslow preset, ~1 s with veryfast."""
    import subprocess

    path = tmp_path_factory.mktemp("slow") / "talk.mp4"
    subprocess.run(  # noqa: S603
        [
            *[FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=3"],
            *["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        ],
        check=True,
    )
    return path


def _encoders_of(folder):
    """Processes whose command line names a file in `folder` (ffmpeg writing there)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(str(folder).encode() in arg for arg in args):
            found.append(cmdline.parent.name)
    return found


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_killed_mid_processing_loses_no_job(transactional_db, slow_video, settings):
    from schedule.tasks import sweep_stuck_processing

    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    settings.PORTAL_PROCESSING_STUCK_SECONDS = 3
    recording = Recording.objects.create(subject_key="paper:kill", kind="poster")
    version = services.accept_video(recording, upload(slow_video, "talk.mp4"), None)
    folder = Path(version.original.path).parent
    slow = worker_env(PORTAL_X264_PRESET="veryslow", PORTAL_PROCESSING_STUCK_SECONDS="3")
    with running_worker(env=slow) as process:
        # ffmpeg is writing its renditions: kill the worker (no warm shutdown, no ack).
        assert wait_for(lambda: list(folder.glob(".*.mp4.part")), timeout=90), "processing did not start"
        time.sleep(1)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert wait_for(lambda: not _encoders_of(folder), timeout=10), "ffmpeg outlived its worker"
    killed = _version(version.pk)
    assert (killed.status, killed.attempts) == ("processing", 1)
    assert killed.heartbeat_at is not None

    with running_worker(env=worker_env(PORTAL_PROCESSING_STUCK_SECONDS="3")):
        time.sleep(3.5)  # the dead run's heartbeat is older than the deadline now
        assert sweep_stuck_processing.delay().get(timeout=60) == [1, 0]
        assert wait_for(lambda: _version(version.pk).status == "ready", timeout=120), "the job was not run again"
    done = _version(version.pk)
    recording.refresh_from_db()
    assert done.attempts == 2
    assert set(done.outputs) == {"360p", "720p", "poster"}
    assert recording.current_version_id == version.pk
    assert recording.status == "ready"
    assert sorted(p.name for p in folder.iterdir()) == ["360p.mp4", "720p.mp4", "original.mp4", "poster.jpg"]
    # Run again (a late redelivery of the killed run's message): nothing changes.
    from schedule.recordings.processing import process_version

    assert process_version(version.pk).attempts == 2
    assert _version(version.pk).status == "ready"


@pytest.mark.django_db
def test_the_sweeper_fails_a_version_that_keeps_dying_with_the_reason(tasks_in_process, media_dir, settings):
    from schedule.recordings.processing import sweep_stuck_versions

    recording = Recording.objects.create(subject_key="paper:dies", kind="poster")
    live = services.accept_video(recording, upload(media_dir / "talk.mp4"), None)
    # Version 2's third run died: no heartbeat for an hour.
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    again = RecordingVersion.objects.create(
        recording=recording, number=2, original=live.original.name, attempts=3, heartbeat_at=long_ago
    )
    assert sweep_stuck_versions(datetime.now(UTC)) == (0, 1)
    failed = _version(again.pk)
    recording.refresh_from_db()
    assert failed.status == "failed"
    assert failed.error == (
        "Processing stopped without finishing 3 times (the worker was stopped or ran out of memory). "
        "The previous version stays live; upload a shorter or smaller video."
    )
    assert recording.current_version_id == live.pk
    # A version being processed (fresh heartbeat) or just queued is left alone.
    RecordingVersion.objects.filter(pk=again.pk).update(status="processing", heartbeat_at=datetime.now(UTC))
    assert sweep_stuck_versions(datetime.now(UTC)) == (0, 0)


@pytest.fixture
def paper_author(client, db):
    from portal.models import Conference

    Conference.get()
    paper = PaperFactory(uid="q1", title="Queued talk", author_names=["Ada Lovelace"])
    Author.objects.filter(name="Ada Lovelace").update(email="ada@example.org")
    PosterSlotFactory(paper=paper)
    client.force_login(UserFactory(email="ada@example.org"))
    return paper


@pytest.fixture
def dead_broker(monkeypatch):
    """The Celery app publishing to a port nothing listens on (the broker is down)."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield
    app.pool.force_close_all()


@pytest.mark.django_db
def test_an_upload_that_cannot_be_queued_says_so_and_keeps_the_live_version(
    client, paper_author, dead_broker, media_dir
):
    recording = Recording.objects.create(subject_key="paper:q1", kind="poster")
    with open(media_dir / "talk.mp4", "rb") as handle:
        response = client.post("/me/papers/q1/recording/video", {"file": handle}, **JSON)
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == (
        "The video was received, but its processing could not be started: the task queue is unavailable. "
        "The previous version stays live. Press “Retry processing” in a few minutes."
    )
    assert body["status"] == "failed"
    assert not RecordingVersion.objects.filter(recording=recording, status="processing").exists()
    assert list(RecordingVersion.objects.filter(recording=recording).values_list("status", flat=True)) == ["failed"]
    # Without JavaScript: the same sentence on the page, not a 500.
    with open(media_dir / "talk.mp4", "rb") as handle:
        response = client.post("/me/papers/q1/recording/video", {"file": handle}, follow=True)
    assert response.status_code == 200
    assert "its processing could not be started" in response.content.decode()
    # "Retry processing" with the queue still down: it stays failed, with the reason.
    response = client.post("/me/papers/q1/recording/retry", follow=True)
    assert response.status_code == 200
    assert "its processing could not be started" in response.content.decode()
    assert set(RecordingVersion.objects.filter(recording=recording).values_list("status", flat=True)) == {"failed"}


# --- 6. Upload bombs: size, pixels, frame rate and length capped before decoding --------


def _lavfi(path, source):
    import subprocess

    subprocess.run(  # noqa: S603
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", source, "-c:v", "libx264", "-preset", "ultrafast", path],
        check=True,
    )
    return path


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "8k": _lavfi(folder / "8k.mp4", "color=c=black:size=7680x4320:rate=1:duration=1"),
        "120fps": _lavfi(folder / "120fps.mp4", "color=c=black:size=64x36:rate=120:duration=1"),
    }


@pytest.mark.django_db
def test_an_8k_video_is_refused_with_its_size_and_nothing_is_stored(
    client, paper_author, bombs, tasks_in_process, settings
):
    with open(bombs["8k"], "rb") as handle:
        response = client.post("/me/papers/q1/recording/video", {"file": handle}, **JSON)
    assert response.status_code == 400
    assert response.json()["error"] == (
        "The video is 7680x4320; the largest accepted is 1920x1080. "
        "Export it at a smaller size (the portal shows it at 720p at most)."
    )
    assert not RecordingVersion.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.mp4"))


@pytest.mark.django_db
def test_frame_rate_pixel_count_and_length_are_capped_by_settings(bombs, media_dir, settings):
    from schedule.recordings.validation import Refused, probe_video

    with pytest.raises(Refused) as refused:
        probe_video(bombs["120fps"])
    assert str(refused.value) == (
        "The video has 120 frames a second; the most accepted is 60. Export it at a lower frame rate."
    )
    settings.PORTAL_VIDEO_MAX_PIXELS = 320 * 180 - 1
    with pytest.raises(Refused) as refused:
        probe_video(media_dir / "talk.mp4")
    assert str(refused.value) == (
        "The video is 320x180 (57,600 pixels a frame); the most accepted is 57,599. "
        "Export it at a smaller size (the portal shows it at 720p at most)."
    )
    settings.PORTAL_VIDEO_MAX_PIXELS = 320 * 180
    settings.PORTAL_VIDEO_MAX_SECONDS = 1
    with pytest.raises(Refused) as refused:
        probe_video(media_dir / "talk.mp4")
    assert str(refused.value) == "The video is 0 min 02 s long; the limit is 0 min 01 s."
    settings.PORTAL_VIDEO_MAX_SECONDS = 2
    assert probe_video(media_dir / "talk.mp4").width == 320


# --- 11. Slides: parsed as PDF, and shown inline only in the portal's own viewer ---------


POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n%%EOF\n"
VIEWER = {"HTTP_SEC_FETCH_DEST": "object", "HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.mark.django_db
def test_a_pdf_polyglot_or_a_pdf_without_pages_is_refused_as_slides(client, paper_author, tmp_path):
    from tests.schedule.recording_files import PDF, make_pdf

    def post_slides(data):
        path = tmp_path / "slides.pdf"
        path.write_bytes(data)
        with open(path, "rb") as handle:
            return client.post("/me/papers/q1/recording/slides", {"file": handle}, **JSON)

    response = post_slides(POLYGLOT)
    assert response.status_code == 400
    assert response.json()["error"] == (
        "The slides are not a PDF that can be read (startxref not found). Export the slides as PDF again."
    )
    response = post_slides(make_pdf(b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"))
    assert response.status_code == 400
    assert response.json()["error"] == "The slides PDF has no pages."
    assert Recording.objects.get(subject_key="paper:q1").slides.name == ""
    assert post_slides(PDF).status_code == 200


def _released_recording():
    """A recording released early, with a 360p rendition and slides in MEDIA_ROOT."""
    from django.core.files.base import ContentFile

    from tests.schedule.recording_files import PDF

    recording = Recording.objects.create(subject_key="paper:out", release_day=date(2027, 6, 10))
    version = RecordingVersion(recording=recording, number=1, status="ready")
    version.original.save("original.mp4", ContentFile(b"\0" * 4096), save=False)
    folder = version.original.name.rsplit("/", 1)[0]
    version.outputs = {"360p": version.original.storage.save(f"{folder}/360p.mp4", ContentFile(b"\1" * 4096))}
    version.save()
    recording.current_version = version
    recording.release_override = Recording.Override.EARLY
    recording.slides.save("slides.pdf", ContentFile(PDF), save=False)
    recording.save()
    return recording


@pytest.mark.django_db
def test_slides_are_a_download_unless_the_portals_viewer_embeds_them(client, settings):
    recording = _released_recording()
    slides = f"/media/recordings/{recording.pk}/slides.pdf"
    opened = client.get(slides)  # the URL opened, linked or framed by another site
    assert opened["Content-Disposition"] == 'attachment; filename="paper-out-slides.pdf"'
    assert opened["Content-Type"] == "application/pdf"
    assert opened["X-Content-Type-Options"] == "nosniff"
    assert opened["Vary"] == "Sec-Fetch-Dest, Sec-Fetch-Site, Cookie"
    viewer = client.get(slides + "?view=1", **VIEWER)
    assert viewer["Content-Disposition"] == 'inline; filename="paper-out-slides.pdf"'
    assert viewer["Cache-Control"] == "private, no-cache"
    for dest, site in (("document", "same-origin"), ("object", "cross-site"), (None, None)):
        headers = {"HTTP_SEC_FETCH_DEST": dest, "HTTP_SEC_FETCH_SITE": site} if dest else {}
        response = client.get(slides + "?view=1", **headers)
        assert response["Content-Disposition"] == 'attachment; filename="paper-out-slides.pdf"', (dest, site)
    # The paper page's viewer asks for the viewer's URL, on the portal's own origin.
    settings.PORTAL_MEDIA_MIRROR_URL = "https://media.example.org"
    from schedule.recordings.media import media_for

    media = media_for(recording, UserFactory(), datetime.now(UTC))
    assert media.slides == f"https://media.example.org{slides}"
    assert media.slides_viewer == f"{slides}?view=1"


# --- 12. Release instants follow the release rule; media leaves shared caches soon ---------


@pytest.mark.django_db
def test_changing_the_release_hour_moves_every_stored_release_instant(client, settings):
    import time_machine

    from portal.models import Conference
    from schedule.recordings.release import is_public, release_due_recordings

    conference = Conference.get()
    recording = _released_recording()
    Recording.objects.filter(pk=recording.pk).update(release_override="")
    recording.refresh_from_db()
    assert recording.release_at == datetime(2027, 6, 9, 14, tzinfo=UTC)  # 02:00 in Auckland
    conference.release_hour = 5
    conference.save()
    recording.refresh_from_db()
    assert recording.release_at == datetime(2027, 6, 9, 17, tzinfo=UTC)  # 05:00 in Auckland
    at_three = datetime(2027, 6, 9, 15, tzinfo=UTC)
    assert not is_public(recording, at_three)
    with time_machine.travel(at_three, tick=False):
        assert client.get(f"/media/recordings/{recording.pk}/360p.mp4").status_code == 404
    # A rule changed in the settings (no conference row): the release task's first step.
    Conference.objects.all().delete()
    settings.PORTAL_RELEASE_HOUR = 4
    settings.PORTAL_RELEASE_TIME_ZONE = "Pacific/Chatham"  # 45 min ahead of Auckland
    assert release_due_recordings(at_three) == 0
    recording.refresh_from_db()
    assert recording.release_at == datetime(2027, 6, 9, 15, 15, tzinfo=UTC)
    assert recording.released_at is None


@pytest.mark.django_db
def test_released_media_is_cached_by_shared_caches_for_minutes_not_a_day(client):
    recording = _released_recording()
    response = client.get(f"/media/recordings/{recording.pk}/360p.mp4")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


@pytest.mark.postgres
@pytest.mark.redis
def test_media_headers_through_nginx(production):
    """X-Accel-Redirect: nginx keeps the view's Cache-Control and Content-Disposition."""
    import urllib.request

    recording = _released_recording()
    # nginx's workers (not root) must reach MEDIA_ROOT inside pytest's private tmp folders.
    for folder in [Path(settings.MEDIA_ROOT), *Path(settings.MEDIA_ROOT).parents]:
        if folder == Path(tempfile.gettempdir()):
            break
        folder.chmod(folder.stat().st_mode | 0o011)
    stack = production(roles=("web", "nginx"))
    base = f"{stack.url}/media/recordings/{recording.pk}"

    def get(path, headers=None):
        with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers or {})) as response:  # noqa: S310
            return response.status, response.headers, response.read()

    status, headers, body = get("/360p.mp4")
    assert (status, body) == (200, b"\1" * 4096)
    assert headers.get_all("Cache-Control") == ["public, max-age=300"]
    status, headers, _ = get("/slides.pdf")
    assert headers.get_all("Content-Disposition") == ['attachment; filename="paper-out-slides.pdf"']
    assert headers["Content-Type"] == "application/pdf"
    viewer = {"Sec-Fetch-Dest": "object", "Sec-Fetch-Site": "same-origin"}
    status, headers, _ = get("/slides.pdf?view=1", viewer)
    assert headers.get_all("Content-Disposition") == ['inline; filename="paper-out-slides.pdf"']
    assert headers.get_all("Cache-Control") == ["private, no-cache"]
    status, headers, _ = get("/slides.pdf?view=1", {"Sec-Fetch-Dest": "document", "Sec-Fetch-Site": "same-origin"})
    assert headers.get_all("Content-Disposition") == ['attachment; filename="paper-out-slides.pdf"']
