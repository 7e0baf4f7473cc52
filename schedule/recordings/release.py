"""The release rule (DESIGN.md, "Time"): a recording goes public at the release hour
(02:00) in the release zone (Pacific/Auckland) on its release day, and never before,
whatever the release task did. Organisers and the subject's authors may preview.
"""

import logging
import zoneinfo
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction

from portal.models import Conference
from schedule import subjects
from schedule.recordings import announcements
from schedule.recordings.models import Recording, RecordingEvent, ReleaseAnnouncement

logger = logging.getLogger(__name__)


def release_zone_and_hour(conference=None):
    """The conference's release zone and hour (admin), else the settings."""
    if conference is not None:
        return zoneinfo.ZoneInfo(conference.release_time_zone), conference.release_hour
    row = Conference.objects.filter(pk=1).values_list("release_time_zone", "release_hour").first()
    if row:
        return zoneinfo.ZoneInfo(row[0]), row[1]
    return zoneinfo.ZoneInfo(settings.PORTAL_RELEASE_TIME_ZONE), settings.PORTAL_RELEASE_HOUR


def release_instant(day, zone=None, hour=None):
    """The aware UTC instant of `hour`:00 in `zone` on `day`.

    When that wall time does not exist (spring-forward) it is the first instant after
    the gap; when it happens twice (fall-back) it is the first of the two.
    """
    if zone is None or hour is None:
        default_zone, default_hour = release_zone_and_hour()
        zone = zone or default_zone
        hour = default_hour if hour is None else hour
    wall = datetime.combine(day, time(hour))
    # fold=0 is the earlier of two repeated wall times; inside a gap it reads the wall
    # time with the offset from before the jump, which lands after the gap.
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        # In a gap: walk back to the moment the clocks jumped (at most the gap's length).
        step = timedelta(minutes=1)
        while (instant - step).astimezone(zone).replace(tzinfo=None) >= wall:
            instant -= step
    return instant


def sync_release_instants():
    """Recompute every stored `release_at` from the release rule as it is now. The rule
    (zone and hour) lives here alone; a stored instant is only its cached value, and is
    brought back in line whenever the rule may have changed: the conference is saved
    (schedule.apps), migrations ran (each deploy, before the web starts), and every minute
    before the release task releases anything. When the rule changed, each unreleased
    recording's day is made again first. Returns how many recordings' instants moved."""
    zone, hour = release_zone_and_hour()
    pairs = Recording.objects.exclude(release_day=None).order_by().values_list("release_day", "release_at").distinct()
    stale = {day for day, at in pairs if at != release_instant(day, zone, hour)}
    if stale:
        # The rule changed, and a subject's day depends on the hour too (release_day_for:
        # the last release at or before its first session): each unreleased recording's
        # day is made again by its subject's kind before the instants follow.
        unreleased = Recording.objects.filter(released_at__isnull=True).exclude(release_day=None)
        for key in unreleased.values_list("subject_key", flat=True).iterator():
            subjects.recording_of(key)
        stale = {day for day, at in pairs.all() if at != release_instant(day, zone, hour)}
    moved = 0
    for day in sorted(stale):
        instant = release_instant(day, zone, hour)
        moved += Recording.objects.filter(release_day=day).exclude(release_at=instant).update(release_at=instant)
    if moved:
        logger.warning("recordings: the release rule is now %s:00 %s; %d release instants moved", hour, zone, moved)
    return moved


def conference_saved(created=False, **kwargs):
    """post_save of the conference: its release zone or hour may have changed. (A new row
    takes the settings' rule, by which the instants were made.)"""
    if not created:
        sync_release_instants()


def migrated(**kwargs):
    """post_migrate: the deploy's migrate step, before the web starts, catches a rule
    changed in the settings (PORTAL_RELEASE_HOUR, PORTAL_RELEASE_TIME_ZONE)."""
    try:
        sync_release_instants()
    except DatabaseError:  # migrated back to before recordings existed
        logger.info("recordings: no release instants to check at this migration state")


def release_day_of(instant, zone=None):
    """The release-zone date of an instant ("today" for the release announcements)."""
    zone = zone or release_zone_and_hour()[0]
    return instant.astimezone(zone).date()


def release_day_for(first_session_start, zone=None, hour=None):
    """The release day of a subject whose first live session starts at this instant: the
    latest release-zone date whose release instant is at or before the start, so the video
    is out before the session in every zone. (Not the session's own New Zealand date: a
    session at 12:00 UTC is already the next day in Auckland, whose 02:00 comes after it.)"""
    if zone is None or hour is None:
        default_zone, default_hour = release_zone_and_hour()
        zone = zone or default_zone
        hour = default_hour if hour is None else hour
    day = first_session_start.astimezone(zone).date()
    while release_instant(day, zone, hour) > first_session_start:
        day -= timedelta(days=1)
    return day


def archived(now):
    """Whether the conference is archived at `now`: then every recording is released
    (except those an organiser holds back: a hold is a decision about that video, e.g. a
    withdrawn paper, and outlives the conference)."""
    return Conference.get().is_archived(now)


def is_public(recording, now):
    """Whether everyone may see it now (the rule, the archive, or an organiser's early
    release or hold)."""
    if recording.release_override == Recording.Override.HELD:
        return False
    if recording.release_override == Recording.Override.EARLY:
        return True
    return (recording.release_at is not None and recording.release_at <= now) or archived(now)


def may_upload(subject_key, user):
    """Who may upload a subject's recording (whether or not it has one yet): organisers,
    the subject's authors (its kind's answer, schedule/subjects.py) and the uploaders an
    organiser added."""
    if not user.is_authenticated:
        return False
    if user.is_organiser or subjects.is_author(subject_key, user):
        return True
    return Recording.objects.filter(subject_key=subject_key, uploaders=user).exists()


def can_preview(recording, user):
    """Who may see it before its release: whoever may upload it."""
    return may_upload(recording.subject_key, user)


def is_released(recording, user, now):
    """Whether this viewer may see the recording's media now (the read-time rule)."""
    if recording is None:
        return False
    return is_public(recording, now) or can_preview(recording, user)


def public_filter(now):
    """A Q for recordings everyone may see at `now` (lists, search, feeds)."""
    from django.db.models import Q

    if archived(now):
        return ~Q(release_override=Recording.Override.HELD)
    return ~Q(release_override=Recording.Override.HELD) & (
        Q(release_override=Recording.Override.EARLY) | Q(release_at__lte=now)
    )


def release_due_recordings(now):
    """Mark every due recording released (once), log it, and announce each day's count.

    Idempotent: a recording is taken only while `released_at` is empty, under a row lock
    that a concurrent run skips, so two beats never release or announce one twice. What
    was missed while beat or the worker was down is simply due now. Stored instants are
    first brought in line with the rule (a changed release hour or zone).
    """
    sync_release_instants()
    with transaction.atomic():
        due = list(
            Recording.objects.select_for_update(skip_locked=True)
            .filter(released_at__isnull=True, release_at__lte=now)
            .exclude(release_override=Recording.Override.HELD)
            .values_list("pk", "release_day")
        )
        if not due:
            return 0
        ids = [pk for pk, _ in due]
        Recording.objects.filter(pk__in=ids).update(released_at=now)
        RecordingEvent.objects.bulk_create(
            [RecordingEvent(recording_id=pk, at=now, action=RecordingEvent.Action.RELEASED) for pk in ids],
            batch_size=500,
        )
        days = sorted({day for _, day in due if day is not None})
        counts = {day: _videos_out(day) for day in days}
        for day, count in counts.items():
            ReleaseAnnouncement.objects.update_or_create(
                release_day=day, defaults={"count": count, "announced_at": now}
            )
    today = release_day_of(now)
    if counts.get(today):
        announcements.announce_release(today, counts[today])
    logger.info("recordings: released %d (%s)", len(ids), counts)
    return len(ids)


def _videos_out(day):
    return (
        Recording.objects.filter(release_day=day, released_at__isnull=False)
        .exclude(current_version=None, external_url="")
        .count()
    )


def announcement_text(count):
    return f"Today's {count} video{'s' if count != 1 else ''} {'are' if count != 1 else 'is'} out"


def todays_release_announcement(now):
    """For the home page: "Today's N videos are out" once today's release happened, else None."""
    row = ReleaseAnnouncement.objects.filter(release_day=release_day_of(now), count__gt=0).first()
    return announcement_text(row.count) if row else None


def release_early(recording, actor, now):
    with transaction.atomic():
        Recording.objects.filter(pk=recording.pk).update(release_override=Recording.Override.EARLY, released_at=now)
        RecordingEvent.objects.create(
            recording=recording, at=now, actor=actor, action=RecordingEvent.Action.RELEASED_EARLY
        )
    recording.refresh_from_db()


def hold_back(recording, actor, now, reason=""):
    with transaction.atomic():
        Recording.objects.filter(pk=recording.pk).update(release_override=Recording.Override.HELD, released_at=None)
        RecordingEvent.objects.create(
            recording=recording, at=now, actor=actor, action=RecordingEvent.Action.HELD, detail=reason
        )
    recording.refresh_from_db()


def lift_hold(recording, actor, now):
    with transaction.atomic():
        Recording.objects.filter(pk=recording.pk).update(release_override=Recording.Override.NONE)
        RecordingEvent.objects.create(recording=recording, at=now, actor=actor, action=RecordingEvent.Action.UNHELD)
    recording.refresh_from_db()
