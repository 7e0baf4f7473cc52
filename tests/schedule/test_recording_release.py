"""The release rule (DESIGN.md "Time"), the release task, announcements and previews."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from portal.models import Conference
from schedule.models import Recording, RecordingEvent, ReleaseAnnouncement
from schedule.recordings import announcements
from schedule.recordings.release import (
    hold_back,
    is_public,
    is_released,
    release_day_for,
    release_due_recordings,
    release_early,
    release_instant,
    todays_release_announcement,
)
from schedule.tasks import release_recordings
from tests.factories import UserFactory

NZ = zoneinfo.ZoneInfo("Pacific/Auckland")
pytestmark = pytest.mark.django_db


def test_an_ordinary_day_is_0200_nzst():
    assert release_instant(date(2027, 6, 10), NZ, 2) == datetime(2027, 6, 9, 14, tzinfo=UTC)


def test_fall_back_day_takes_the_first_0200():
    # 2027-04-04: 03:00 NZDT becomes 02:00 NZST; 02:00 happens twice, the first is +13:00.
    instant = release_instant(date(2027, 4, 4), NZ, 2)
    assert instant == datetime(2027, 4, 3, 13, tzinfo=UTC)
    assert instant.astimezone(NZ).utcoffset() == timedelta(hours=13)


def test_spring_forward_day_takes_the_first_instant_after_the_gap():
    # 2027-09-26: 02:00 NZST jumps to 03:00 NZDT; 02:00 does not exist.
    instant = release_instant(date(2027, 9, 26), NZ, 2)
    assert instant == datetime(2027, 9, 25, 14, tzinfo=UTC)
    assert instant.astimezone(NZ).replace(tzinfo=None) == datetime(2027, 9, 26, 3, 0)


def test_a_gap_that_swallows_a_half_hour_ends_at_the_jump():
    # Lord Howe springs forward by 30 minutes at 02:00: 02:15 is in the gap; the jump is 02:00 +10:30.
    zone = zoneinfo.ZoneInfo("Australia/Lord_Howe")
    wall = datetime(2027, 10, 3, 2)
    assert release_instant(wall.date(), zone, 2) == datetime(2027, 10, 2, 15, 30, tzinfo=UTC)


def test_zone_and_hour_come_from_the_conference(settings):
    Conference.objects.create(release_time_zone="Europe/Berlin", release_hour=6)
    recording = Recording.objects.create(subject_key="paper:x", release_day=date(2027, 6, 10))
    assert recording.release_at == datetime(2027, 6, 10, 4, tzinfo=UTC)


def test_without_a_conference_row_the_settings_hold(settings):
    settings.PORTAL_RELEASE_TIME_ZONE = "Asia/Tokyo"
    settings.PORTAL_RELEASE_HOUR = 9
    recording = Recording.objects.create(subject_key="paper:x", release_day=date(2027, 6, 10))
    assert recording.release_at == datetime(2027, 6, 10, 0, tzinfo=UTC)


def test_a_session_after_0200_in_new_zealand_is_released_that_new_zealand_day():
    # 20:00 UTC on 26 April is already 27 April in Auckland (08:00 NZST); 02:00 came before it.
    assert release_day_for(datetime(2020, 4, 26, 20, tzinfo=UTC), NZ, 2) == date(2020, 4, 27)


@pytest.mark.parametrize(
    ("start", "day", "release"),
    [
        # 12:00-14:00 UTC is 00:00-02:00 on the 28th in Auckland: its own NZ day's 02:00
        # (14:00 UTC) is when it ends, so the release is the 27th's 02:00.
        (datetime(2020, 4, 27, 12, tzinfo=UTC), date(2020, 4, 27), datetime(2020, 4, 26, 14, tzinfo=UTC)),
        (datetime(2020, 4, 27, 13, 59, tzinfo=UTC), date(2020, 4, 27), datetime(2020, 4, 26, 14, tzinfo=UTC)),
        # At 02:00 NZ exactly: "at or before the start".
        (datetime(2020, 4, 27, 14, tzinfo=UTC), date(2020, 4, 28), datetime(2020, 4, 27, 14, tzinfo=UTC)),
        # Spring-forward (2027-09-26: 02:00 NZST does not exist; its release is 03:00 NZDT).
        (datetime(2027, 9, 25, 13, 30, tzinfo=UTC), date(2027, 9, 25), datetime(2027, 9, 24, 14, tzinfo=UTC)),
        (datetime(2027, 9, 25, 14, tzinfo=UTC), date(2027, 9, 26), datetime(2027, 9, 25, 14, tzinfo=UTC)),
        # Fall-back (2027-04-04: 02:00 happens twice; the first, 13:00 UTC, is the release).
        (datetime(2027, 4, 3, 12, 30, tzinfo=UTC), date(2027, 4, 3), datetime(2027, 4, 2, 13, tzinfo=UTC)),
        (datetime(2027, 4, 3, 13, 30, tzinfo=UTC), date(2027, 4, 4), datetime(2027, 4, 3, 13, tzinfo=UTC)),
    ],
)
def test_the_release_is_the_latest_0200_at_or_before_the_session(start, day, release):
    assert release_day_for(start, NZ, 2) == day
    assert release_instant(day, NZ, 2) == release
    assert release <= start < release + timedelta(days=1, hours=1)


@pytest.mark.parametrize(
    ("day", "before", "after"),
    [
        (date(2027, 4, 4), datetime(2027, 4, 3, 12, 59, 59, tzinfo=UTC), datetime(2027, 4, 3, 13, tzinfo=UTC)),
        (date(2027, 9, 26), datetime(2027, 9, 25, 13, 59, 59, tzinfo=UTC), datetime(2027, 9, 25, 14, tzinfo=UTC)),
    ],
)
def test_frozen_time_release_on_the_dst_days(day, before, after):
    recording = Recording.objects.create(subject_key="paper:dst", release_day=day)
    anyone = UserFactory()
    with time_machine.travel(before, tick=False):
        assert release_recordings.apply().get() == 0
        assert not is_released(recording, anyone, datetime.now(UTC))
    with time_machine.travel(after, tick=False):
        assert release_recordings.apply().get() == 1
        recording.refresh_from_db()
        assert recording.released_at == after
        assert is_released(recording, anyone, datetime.now(UTC))


def _due(n, day=date(2027, 6, 10), with_video=True):
    return Recording.objects.bulk_create(
        [
            Recording(
                subject_key=f"paper:p{i}",
                release_day=day,
                release_at=release_instant(day, NZ, 2),
                external_url="https://video.example.org/v" if with_video else "",
            )
            for i in range(n)
        ]
    )


def test_release_is_idempotent_catches_up_and_announces_once():
    _due(3)
    Recording.objects.create(subject_key="paper:empty", release_day=date(2027, 6, 10))  # no video yet
    # The worker was down all morning; the next run releases everything due.
    now = datetime(2027, 6, 9, 23, 30, tzinfo=UTC)
    with announcements.captured() as sent:
        assert release_due_recordings(now) == 4
        assert release_due_recordings(now + timedelta(minutes=1)) == 0
    assert Recording.objects.filter(released_at=now).count() == 4
    assert RecordingEvent.objects.filter(action="released").count() == 4
    assert sent == [
        {
            "group": "announcements",
            "event": {"type": "videos.released", "day": "2027-06-10", "count": 3, "text": "Today's 3 videos are out"},
        }
    ]
    assert ReleaseAnnouncement.objects.get().count == 3
    assert todays_release_announcement(now) == "Today's 3 videos are out"
    assert todays_release_announcement(now + timedelta(days=1)) is None


def test_nothing_is_released_or_announced_before_0200():
    _due(2)
    with announcements.captured() as sent:
        assert release_due_recordings(datetime(2027, 6, 9, 13, 59, tzinfo=UTC)) == 0
    assert sent == []
    assert todays_release_announcement(datetime(2027, 6, 9, 13, 59, tzinfo=UTC)) is None


@pytest.mark.parametrize("n", (1, 50))
def test_release_query_count_does_not_grow_with_the_number(django_assert_num_queries, n):
    _due(n)
    # 13, and 2 to check the stored instants against the release rule (the rule, the days).
    with django_assert_num_queries(15):
        assert release_due_recordings(datetime(2027, 6, 10, tzinfo=UTC)) == n


def test_organisers_and_uploaders_preview_attendees_wait():
    recording = Recording.objects.create(subject_key="keynote:x", release_day=date(2027, 6, 10))
    before = datetime(2027, 6, 9, 13, tzinfo=UTC)
    organiser, author, attendee = UserFactory(is_staff=True), UserFactory(), UserFactory()
    recording.uploaders.add(author)
    from django.contrib.auth.models import AnonymousUser

    assert is_released(recording, organiser, before)
    assert is_released(recording, author, before)
    assert not is_released(recording, attendee, before)
    assert not is_released(recording, AnonymousUser(), before)


def test_release_early_and_hold_back_are_logged_and_win_over_the_rule():
    organiser = UserFactory(is_staff=True)
    recording = Recording.objects.create(subject_key="paper:x", release_day=date(2027, 6, 10))
    early = datetime(2027, 6, 1, tzinfo=UTC)
    release_early(recording, organiser, early)
    assert is_public(recording, early)
    assert recording.released_at == early
    later = datetime(2027, 6, 11, tzinfo=UTC)
    hold_back(recording, organiser, later, reason="wrong file")
    assert not is_public(recording, later)
    assert release_due_recordings(later) == 0
    assert list(recording.events.values_list("action", "actor", "detail")) == [
        ("released_early", organiser.pk, ""),
        ("held", organiser.pk, "wrong file"),
    ]
