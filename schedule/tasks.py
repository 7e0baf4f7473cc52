"""Celery tasks of the schedule: thin wrappers over the services."""

from celery import shared_task
from django.conf import settings

from schedule.reminders import send_due_reminders


@shared_task
def send_reminders():
    """Run by beat every minute: e-mail and notify the agenda items that start soon (once each)."""
    return send_due_reminders()


# Acknowledged when done, not when taken: a worker killed mid-ffmpeg leaves the message to
# be delivered again (at once when only its pool process died; after the broker's
# visibility_timeout, settings.py, when the whole worker did). process_version is safe to
# repeat, and the beat's sweeper re-queues what stays silent sooner. The time limit is
# the processing timeout (ffmpeg is stopped at it) plus a margin for probing and saving.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.PORTAL_PROCESSING_TIMEOUT + 600,
)
def process_recording(version_id):
    """Make the renditions, audio and poster frame of one uploaded video (safe to repeat)."""
    from schedule.recordings.processing import process_version

    version = process_version(version_id)
    return version.status if version else None


@shared_task
def sweep_stuck_processing():
    """Run by beat: re-queue versions whose processing fell silent (a killed worker); fail
    them with a reason after PORTAL_PROCESSING_MAX_ATTEMPTS starts."""
    from django.utils import timezone

    from schedule.recordings.processing import sweep_stuck_versions

    return sweep_stuck_versions(timezone.now())


@shared_task
def release_recordings():
    """Run by beat every minute: release every recording that is due (idempotent, catches up)."""
    from django.utils import timezone

    from schedule.recordings.release import release_due_recordings

    return release_due_recordings(timezone.now())
