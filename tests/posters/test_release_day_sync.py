"""A recording's release day follows its paper's first poster session when sessions move."""

import importlib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from posters.uploads import recording_for_paper, sync_release_days
from schedule.recordings.models import Recording
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(django_capture_on_commit_callbacks):
    # 2027-04-27 05:00 UTC is 17:00 on the 27th in Auckland (NZST, UTC+12).
    session = SessionFactory(start=datetime(2027, 4, 27, 5, tzinfo=UTC), end=datetime(2027, 4, 27, 7, tzinfo=UTC))
    # As if committed: the test's own transaction never commits.
    with django_capture_on_commit_callbacks(execute=True):
        return PosterSlotFactory(paper=PaperFactory(), session=session)


def test_moving_the_first_session_moves_the_release(slot, django_capture_on_commit_callbacks):
    recording = recording_for_paper(slot.paper)
    assert recording.release_day == date(2027, 4, 27)
    session = slot.session
    with django_capture_on_commit_callbacks(execute=True):
        session.start += timedelta(days=1)
        session.end += timedelta(days=1)
        session.save()
    recording.refresh_from_db()
    assert (recording.release_day, recording.release_at) == (date(2027, 4, 28), datetime(2027, 4, 27, 14, tzinfo=UTC))


def test_a_new_earlier_slot_moves_the_release(slot, django_capture_on_commit_callbacks):
    recording = recording_for_paper(slot.paper)
    earlier = SessionFactory(start=datetime(2027, 4, 25, 20, tzinfo=UTC), end=datetime(2027, 4, 25, 22, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        PosterSlotFactory(paper=slot.paper, session=earlier)
    recording.refresh_from_db()
    assert recording.release_day == date(2027, 4, 26)  # 08:00 on the 26th in Auckland


def test_released_recordings_stay_released(slot):
    recording = recording_for_paper(slot.paper)
    Recording.objects.filter(pk=recording.pk).update(released_at=datetime(2027, 4, 26, 14, tzinfo=UTC))
    slot.session.start += timedelta(days=2)
    slot.session.end += timedelta(days=2)
    slot.session.save()
    assert sync_release_days() == 0
    recording.refresh_from_db()
    assert recording.release_day == date(2027, 4, 27)


def late_utc_paper(django_capture_on_commit_callbacks):
    # 12:00-14:00 UTC on 27 April 2027 is 00:00-02:00 on the 28th in Auckland (NZST).
    session = SessionFactory(start=datetime(2027, 4, 27, 12, tzinfo=UTC), end=datetime(2027, 4, 27, 14, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        return PosterSlotFactory(paper=PaperFactory(uid="lateutc"), session=session).paper


def test_a_late_utc_session_is_released_before_it_starts(conference, django_capture_on_commit_callbacks):
    recording = recording_for_paper(late_utc_paper(django_capture_on_commit_callbacks))
    # Not the 28th's 02:00 (14:00 UTC on the 27th, when the session ends): the 27th's.
    assert (recording.release_day, recording.release_at) == (date(2027, 4, 27), datetime(2027, 4, 26, 14, tzinfo=UTC))


def test_the_migration_moves_releases_stored_by_the_old_rule(conference, django_capture_on_commit_callbacks):
    from django.apps import apps

    migration = importlib.import_module("posters.migrations.0005_release_day_latest_0200")
    recording = recording_for_paper(late_utc_paper(django_capture_on_commit_callbacks))
    released = recording_for_paper(PaperFactory(uid="done"))
    # As the old rule stored them: the session's own New Zealand date.
    Recording.objects.filter(pk=recording.pk).update(
        release_day=date(2027, 4, 28), release_at=datetime(2027, 4, 27, 14, tzinfo=UTC)
    )
    Recording.objects.filter(pk=released.pk).update(released_at=datetime(2027, 4, 1, tzinfo=UTC))
    migration.forward(apps, None)
    recording.refresh_from_db()
    assert (recording.release_day, recording.release_at) == (date(2027, 4, 27), datetime(2027, 4, 26, 14, tzinfo=UTC))
    assert Recording.objects.get(pk=released.pk).released_at == datetime(2027, 4, 1, tzinfo=UTC)


def test_the_paper_page_promises_the_full_date_until_it_is_past(client, conference, django_capture_on_commit_callbacks):
    paper = late_utc_paper(django_capture_on_commit_callbacks)
    client.cookies["tz"] = "America/Los_Angeles"
    promise = re.compile(r'<p class="recording-pending"[^>]*>The video and slides will be available from (.*?)\.</p>')
    with time_machine.travel(datetime(2027, 4, 26, 13, 59, 56, tzinfo=UTC), tick=False):
        response = client.get(f"/papers/{paper.uid}/")
    assert promise.findall(response.content.decode()) == [
        '<time datetime="2027-04-26T14:00:00+00:00">Monday 26 April 2027, 07:00 '
        '<abbr class="zone" title="America/Los_Angeles">PDT</abbr></time>'
    ]
    # Cached no longer than the promise holds.
    assert response["Cache-Control"] == "public, max-age=4"
    with time_machine.travel(datetime(2027, 4, 26, 14, tzinfo=UTC), tick=False):
        html = client.get(f"/papers/{paper.uid}/").content.decode()
    assert promise.findall(html) == []
    assert "The pre-recorded talk and slides appear here once they are released." in html


def test_changing_the_release_hour_moves_the_release_day_too(conference, django_capture_on_commit_callbacks):
    # 15:00 UTC on 27 April 2027 is 03:00 on the 28th in Auckland: the 28th's 02:00 is before it.
    session = SessionFactory(start=datetime(2027, 4, 27, 15, tzinfo=UTC), end=datetime(2027, 4, 27, 17, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        paper = PosterSlotFactory(paper=PaperFactory(uid="three"), session=session).paper
    recording = recording_for_paper(paper)
    assert (recording.release_day, recording.release_at) == (date(2027, 4, 28), datetime(2027, 4, 27, 14, tzinfo=UTC))
    conference.release_hour = 5  # the 28th's 05:00 would be after the session started
    conference.save()
    recording.refresh_from_db()
    assert (recording.release_day, recording.release_at) == (date(2027, 4, 27), datetime(2027, 4, 26, 17, tzinfo=UTC))
