"""Celery tasks of the schedule: thin wrappers over the services."""

from celery import shared_task

from schedule.reminders import send_due_reminders


@shared_task
def send_reminders():
    """Run by beat every minute: e-mail and notify the agenda items that start soon (once each)."""
    return send_due_reminders()
