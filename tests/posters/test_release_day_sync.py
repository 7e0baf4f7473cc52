"""A recording's release day follows its paper's first poster session when sessions move."""

from datetime import UTC, date, datetime, timedelta

import pytest

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
