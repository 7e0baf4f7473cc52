"""Celery tasks of the chat: thin wrappers over the services."""

import logging

from celery import shared_task

from chat.services.retention import apply_retention

logger = logging.getLogger(__name__)


@shared_task(name="chat.tasks.apply_retention")
def apply_retention_task():
    deleted = apply_retention()
    if any(deleted.values()):
        logger.info("chat retention deleted %s", deleted)
    return deleted
