"""The pre-recorded talk: uploaded by a speaker (or an organiser), released by the rule."""

import pytest
import time_machine
from django.test import Client

from keynotes.models import Speaker
from schedule.recordings.models import Recording
from tests.factories import UserFactory
from tests.keynotes.factories import BEFORE, OPEN, RELEASE
from tests.schedule.html import parse
from tests.schedule.recording_files import VTT

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_only_speakers_and_organisers_upload(keynote, attendee):
    Speaker.objects.filter(keynote=keynote).update(email="grace@navy.example")
    speaker = UserFactory(email="grace@navy.example")
    assert logged_in(attendee).get("/keynotes/hopper/recording/").status_code == 403
    assert logged_in(UserFactory(is_staff=True)).get("/keynotes/hopper/recording/").status_code == 200
    client = logged_in(speaker)
    page = client.get("/keynotes/hopper/recording/").content.decode()
    release = "Release: Sunday 26 April 2020, 14:00 UTC (02:00 in Pacific/Auckland before its live Q&A starts)."
    assert release in parse(page.encode()).text
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/keynotes/hopper/recording/captions/", {"file": SimpleUploadedFile("talk.vtt", VTT)})
    assert response.status_code == 302
    assert Recording.objects.get(subject_key="keynote:hopper").captions.name.endswith(".vtt")
    refused = client.post("/keynotes/hopper/recording/slides/", {"file": SimpleUploadedFile("s.pdf", b"not a pdf")})
    assert refused.status_code == 302
    assert not Recording.objects.get(subject_key="keynote:hopper").slides


def test_the_talk_is_served_only_from_its_release(keynote, media_dir, tasks_in_process):
    from schedule.recordings import services
    from tests.schedule.recording_files import upload

    organiser = UserFactory(is_staff=True)
    recording = Recording.objects.get(subject_key="keynote:hopper")
    services.accept_video(recording, upload(media_dir / "talk.mp4"), organiser)
    with time_machine.travel(BEFORE, tick=False):
        before = Client().get("/keynotes/hopper/").content.decode()
    with time_machine.travel(RELEASE, tick=False):
        after = Client().get("/keynotes/hopper/").content.decode()
    with time_machine.travel(OPEN, tick=False):
        api = Client().get("/api/v1/keynotes/hopper/").json()
    assert "/media/recordings/" not in before
    assert parse(before.encode()).find("recording-pending").text == (
        "The video and slides will be available from Sunday 26 April 2020, 14:00 UTC."
    )
    assert f"/media/recordings/{recording.pk}/" in after
    assert api["questions_open_at"] == "2020-04-26T14:00:00Z"
