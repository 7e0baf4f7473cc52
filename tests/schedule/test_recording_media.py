"""The access-checked media view: the release rule, Range requests, X-Accel-Redirect."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from schedule.recordings.release import release_early
from tests.factories import UserFactory
from tests.schedule.factories import recording_with_720p

pytestmark = pytest.mark.django_db
DAY = date(2027, 6, 10)
BEFORE = datetime(2027, 6, 9, 13, tzinfo=UTC)  # 01:00 in Auckland
AFTER = datetime(2027, 6, 9, 14, tzinfo=UTC)  # 02:00 in Auckland
BODY = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def recording():
    return recording_with_720p("paper:p1", DAY, BODY)


def url(recording, asset="720p.mp4"):
    return f"/media/recordings/{recording.pk}/{asset}"


def test_before_release_it_is_not_there_after_it_is(client, recording):
    with time_machine.travel(BEFORE, tick=False):
        assert client.get(url(recording)).status_code == 404
        assert client.get(url(recording, "original.mp4")).status_code == 404
    with time_machine.travel(AFTER, tick=False):
        response = client.get(url(recording))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == BODY
        assert response["Content-Type"] == "video/mp4"
        assert response["Accept-Ranges"] == "bytes"
        assert response["Cache-Control"] == "public, max-age=300"


def test_only_what_the_live_version_has_is_served(client, recording):
    with time_machine.travel(AFTER, tick=False):
        assert client.get(url(recording, "360p.mp4")).status_code == 404
        assert client.get(url(recording, "..%2F..%2Fsettings.py")).status_code == 404


def test_range_requests_seek(client, recording):
    with time_machine.travel(AFTER, tick=False):
        response = client.get(url(recording), HTTP_RANGE="bytes=100-199")
        assert response.status_code == 206
        assert response["Content-Range"] == "bytes 100-199/10240"
        assert response["Content-Length"] == "100"
        assert b"".join(response.streaming_content) == BODY[100:200]
        tail = client.get(url(recording), HTTP_RANGE="bytes=-10")
        assert (tail.status_code, b"".join(tail.streaming_content)) == (206, BODY[-10:])
        assert client.get(url(recording), HTTP_RANGE="bytes=99999-").status_code == 416


def test_authors_and_organisers_preview_privately(client, recording):
    organiser = UserFactory(is_staff=True)
    with time_machine.travel(BEFORE, tick=False):
        client.force_login(organiser)  # in the frozen time: a session from "now" would have expired
        response = client.get(url(recording))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_production_hands_the_file_to_nginx(client, recording, settings):
    settings.PORTAL_MEDIA_ACCEL = True
    with time_machine.travel(BEFORE, tick=False):
        assert client.get(url(recording)).status_code == 404
    with time_machine.travel(AFTER, tick=False):
        response = client.get(url(recording))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/recordings/{recording.pk}/v1/720p.mp4"
    assert response.content == b""


def test_held_back_is_not_served_even_after_the_hour(client, recording):
    from schedule.recordings.release import hold_back

    hold_back(recording, UserFactory(is_staff=True), AFTER)
    with time_machine.travel(AFTER + timedelta(days=1), tick=False):
        assert client.get(url(recording)).status_code == 404


def test_released_early_is_served_before_the_hour(client, recording):
    release_early(recording, UserFactory(is_staff=True), BEFORE - timedelta(days=3))
    with time_machine.travel(BEFORE, tick=False):
        assert client.get(url(recording)).status_code == 200
