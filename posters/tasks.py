"""Celery tasks of the posters app: thin wrappers over the services."""

import logging

from celery import shared_task

from posters.discovery import compute_discovery as compute

logger = logging.getLogger(__name__)


@shared_task(name="posters.compute_discovery", ignore_result=True)
def compute_discovery():
    """Recompute similar papers and the map (run after an import)."""
    try:
        run = compute()
    except Exception:
        logger.exception("computing discovery failed")
        raise
    return run.pk
