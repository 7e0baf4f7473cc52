"""Celery tasks of the posters app: thin wrappers over the services."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from portal import page_cache
from posters.discovery import compute_discovery as compute
from posters.page_cache import ALL_PAPERS_KEY

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


# Set by the warming when it finished: the every-paper version it rendered, for
# WARM_SECONDS (less than the pages live); gone when the cache was emptied.
WARMED_KEY = "posters:pages-warmed"
WARMING_LOCK = "posters:pages-warming"
WARM_SECONDS = page_cache.LONG_PAGE_SECONDS * 5 // 6


@shared_task(name="posters.warm_paper_pages", ignore_result=True)
def warm_paper_pages():
    """Render the paper pages into the page cache for anonymous visitors and every
    logged-in call-link class (posters/warming.py); one run at a time."""
    from posters.warming import representative_users
    from posters.warming import warm_paper_pages as warm

    if not cache.add(WARMING_LOCK, 1, page_cache.LONG_PAGE_SECONDS):
        logger.info("paper pages: already warming")
        return 0
    try:
        version = page_cache.current_versions([ALL_PAPERS_KEY])[0]
        count, failed = warm(users=representative_users())
        cache.set(WARMED_KEY, version, WARM_SECONDS)
    finally:
        cache.delete(WARMING_LOCK)
    logger.info("warmed %d paper pages (%d not 200)", count, failed)
    return count


@shared_task(name="posters.keep_paper_pages_warm", ignore_result=True)
def keep_paper_pages_warm():
    """Beat: queue the warming when the pages may be cold (see posters/warming.py)."""
    current = page_cache.current_versions([ALL_PAPERS_KEY])[0]
    if cache.get(WARMED_KEY) == current or cache.get(WARMING_LOCK):
        return False
    warm_paper_pages.delay()
    return True


def enqueue_warming():
    """Queue `warm_paper_pages` for when the transaction commits. Skipped when Celery runs
    tasks in this process (the embedded default, tests): it would render every page here."""
    if warm_paper_pages.app.conf.task_always_eager:
        return False
    transaction.on_commit(warm_paper_pages.delay)
    return True
