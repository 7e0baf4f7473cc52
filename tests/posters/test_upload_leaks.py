"""Every URL that could leak an unreleased video gives nothing; after the release they work."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile

from posters.uploads import recording_for_paper
from schedule.models import RecordingVersion
from schedule.recordings.release import release_early
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory, UserFactory
from tests.schedule.recording_files import PDF, VTT

pytestmark = pytest.mark.django_db
SESSION_START = datetime(2027, 6, 10, 5, tzinfo=UTC)  # 17:00 in Auckland, 10 June
RELEASE = datetime(2027, 6, 9, 14, tzinfo=UTC)  # 02:00 in Auckland, 10 June
ASSETS = ("360p.mp4", "720p.mp4", "audio.m4a", "poster.jpg")


@pytest.fixture
def processed(conference):
    session = SessionFactory(start=SESSION_START, end=SESSION_START + timedelta(hours=2))
    paper = PaperFactory(uid="secret1", title="Findings about owls")
    PosterSlotFactory(paper=paper, session=session)
    recording = recording_for_paper(paper)
    version = RecordingVersion(recording=recording, number=1, status="ready", duration=timedelta(seconds=2))
    version.original.save("original.mp4", ContentFile(b"video"), save=False)
    folder = version.original.name.rsplit("/", 1)[0]
    for asset in ASSETS:
        version.original.storage.save(f"{folder}/{asset}", ContentFile(asset.encode()))
    version.outputs = {asset.split(".")[0]: f"{folder}/{asset}" for asset in ASSETS}
    version.save()
    recording.current_version = version
    recording.slides.save("slides.pdf", ContentFile(PDF), save=False)
    recording.captions.save("captions.vtt", ContentFile(VTT), save=False)
    recording.status = "ready"
    recording.save()
    return paper, recording, session


def leaky(text, recording):
    """Anything in a response that points at the recording's media."""
    return re.findall(
        rf"media/recordings/{recording.pk}/[^\"' ]*|v1/(?:{'|'.join(ASSETS)})|slides\.pdf|captions\.vtt", text
    )


def every_url(paper, recording, session):
    urls = [
        f"/papers/{paper.uid}/",
        "/papers/",
        "/papers/?q=owls",
        f"/papers/{paper.uid}/calendar.ics",
        f"/posters/{session.pk}/",
        "/calendar.ics",
        f"/schedule/sessions/{session.pk}/",
        f"/schedule/sessions/{session.pk}.ics",
        f"/api/v1/papers/{paper.uid}/",
        "/api/v1/papers/",
        "/api/v1/papers/?q=owls",
        f"/api/v1/poster-sessions/{session.pk}/",
        "/",
    ]
    media = [
        f"/media/recordings/{recording.pk}/{asset}" for asset in (*ASSETS, "original.mp4", "slides.pdf", "captions.vtt")
    ]
    # The storage path itself (nginx serves it only internally).
    media += [
        f"/media/{recording.current_version.outputs['720p']}",
        f"/protected-media/{recording.current_version.outputs['720p']}",
    ]
    return urls, media


@pytest.mark.parametrize("who", ["anonymous", "attendee"])
def test_nothing_leaks_before_the_release(client, processed, who):
    paper, recording, session = processed
    urls, media = every_url(paper, recording, session)
    with time_machine.travel(RELEASE - timedelta(seconds=1), tick=False):
        if who == "attendee":
            client.force_login(UserFactory(registered=True))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert leaky(body.decode(), recording) == [], url
        for url in media:
            assert client.get(url).status_code == 404, url
            assert client.get(url, HTTP_RANGE="bytes=0-1").status_code == 404, url
        detail = client.get(f"/api/v1/papers/{paper.uid}/").json()["video"]
        assert detail == {"release_at": "2027-06-09T14:00:00Z", "released": False, "status": "ready"}
        page = client.get(f"/papers/{paper.uid}/").content.decode()
        assert "The video and slides will be available from" in page
        assert "<video" not in page


def test_at_the_release_everything_is_there(client, processed):
    paper, recording, _ = processed
    with time_machine.travel(RELEASE, tick=False):
        page = client.get(f"/papers/{paper.uid}/").content.decode()
        assert (
            f'<source src="/media/recordings/{recording.pk}/720p.mp4" type="video/mp4" size="720" '
            f'data-path="/media/recordings/{recording.pk}/720p.mp4">'
        ) in page
        assert f'src="/media/recordings/{recording.pk}/captions.vtt"' in page
        assert f'<object data="/media/recordings/{recording.pk}/slides.pdf?view=1"' in page
        video = client.get(f"/api/v1/papers/{paper.uid}/").json()["video"]
        assert video["released"] is True
        assert [s["label"] for s in video["sources"]] == ["720p", "360p"]
        assert video["slides"] == f"http://testserver/media/recordings/{recording.pk}/slides.pdf"
        for asset in (*ASSETS, "slides.pdf", "captions.vtt"):
            assert client.get(f"/media/recordings/{recording.pk}/{asset}").status_code == 200, asset


def test_the_author_previews_before_the_release(client, processed):
    paper, recording, _ = processed
    recording.uploaders.add(author := UserFactory())
    with time_machine.travel(RELEASE - timedelta(hours=5), tick=False):
        client.force_login(author)
        assert client.get(f"/media/recordings/{recording.pk}/720p.mp4").status_code == 200
        assert client.get(f"/api/v1/papers/{paper.uid}/").json()["video"]["released"] is True


def test_released_early_by_an_organiser(client, processed):
    paper, recording, _ = processed
    release_early(recording, UserFactory(is_staff=True), RELEASE - timedelta(days=2))
    with time_machine.travel(RELEASE - timedelta(days=1), tick=False):
        assert "<video" in client.get(f"/papers/{paper.uid}/").content.decode()
