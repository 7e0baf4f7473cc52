"""Upload → process → release → watch against PostgreSQL, Redis and a real Celery worker."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection

from posters.models import Author
from schedule.models import Recording
from tests.celery_worker import running_worker
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def worker():
    """`celery -A portal worker` on the default queue, on the test database and media folder."""
    db = connection.settings_dict
    env = {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    with running_worker(env=env) as process:
        yield process


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_upload_process_release_watch(transactional_db, client, worker, media_dir):
    from portal.models import Conference
    from schedule.tasks import release_recordings

    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    Conference.get()
    start = datetime.now(UTC) + timedelta(days=3)
    paper = PaperFactory(uid="pipe1", author_names=["Grace Hopper"])
    Author.objects.filter(name="Grace Hopper").update(email="grace@example.org")
    PosterSlotFactory(paper=paper, session=SessionFactory(start=start, end=start + timedelta(hours=2)))
    client.force_login(UserFactory(email="grace@example.org"))
    with open(media_dir / "talk.mp4", "rb") as handle:
        response = client.post("/me/papers/pipe1/recording/video", {"file": handle}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "processing"
    recording = Recording.objects.get(subject_key="paper:pipe1")
    assert wait_for(lambda: Recording.objects.get(pk=recording.pk).status == "ready"), "the worker did not process it"
    recording.refresh_from_db()
    assert set(recording.current_version.outputs) == {"180p", "audio", "poster"}

    attendee = client.__class__()
    attendee.force_login(UserFactory(registered=True))
    media = f"/media/recordings/{recording.pk}/180p.mp4"
    assert attendee.get(media).status_code == 404
    assert attendee.get("/api/v1/papers/pipe1/").json()["video"]["released"] is False

    # The day arrives (moved for the test): beat's task, run by the worker, releases it.
    recording.release_day = (datetime.now(UTC) - timedelta(days=1)).date()
    recording.save()
    assert release_recordings.delay().get(timeout=60) == 1
    assert release_recordings.delay().get(timeout=60) == 0
    recording.refresh_from_db()
    assert recording.released_at is not None
    response = attendee.get(media, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert len(b"".join(response.streaming_content)) == 100
    video = attendee.get("/api/v1/papers/pipe1/").json()["video"]
    assert video["released"] is True
    assert video["sources"][0]["url"] == f"http://testserver{media}"
