"""Celery tasks of the schedule: thin wrappers over the services."""

from celery import shared_task

from schedule.reminders import send_due_reminders


@shared_task
def send_reminders():
    """Run by beat every minute: e-mail and notify the agenda items that start soon (once each)."""
    return send_due_reminders()


@shared_task
def process_recording(version_id):
    """Make the renditions, audio and poster frame of one uploaded video (safe to repeat)."""
    from schedule.recordings.processing import process_version

    version = process_version(version_id)
    return version.status if version else None


@shared_task
def release_recordings():
    """Run by beat every minute: release every recording that is due (idempotent, catches up)."""
    from django.utils import timezone

    from schedule.recordings.release import release_due_recordings

    return release_due_recordings(timezone.now())
