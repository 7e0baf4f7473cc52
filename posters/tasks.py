"""Celery tasks of the posters app: thin wrappers over the services."""

import logging

from celery import shared_task
from django.db import transaction

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
    enqueue_warming()  # every paper page is stale now
    return run.pk


@shared_task(name="posters.warm_paper_pages", ignore_result=True)
def warm_paper_pages():
    """Render the paper pages into the page cache for anonymous visitors (posters/warming.py)."""
    from posters.warming import warm_paper_pages as warm

    count, failed = warm()
    logger.info("warmed %d paper pages (%d not 200)", count, failed)
    return count


def enqueue_warming():
    """Queue `warm_paper_pages` for when the transaction commits. Skipped when Celery runs
    tasks in this process (the embedded default, tests): it would render every page here."""
    if warm_paper_pages.app.conf.task_always_eager:
        return False
    transaction.on_commit(warm_paper_pages.delay)
    return True
