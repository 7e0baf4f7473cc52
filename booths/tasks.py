"""Celery tasks of the booths: thin wrappers over the services."""

from celery import shared_task

from booths.services import private


@shared_task
def close_expired_private_booths():
    """Run by beat every five minutes: close the self-organised booths whose time is up."""
    return private.close_expired_private_booths()
