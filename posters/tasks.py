"""Celery tasks of the posters app: thin wrappers over the services."""

import logging
import time

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


# Set by the warming when it finished: the every-paper version it rendered, until
# WARM_SECONDS after the warming *started* (its first pages expire LONG_PAGE_SECONDS
# after that; a warming of 20,000 papers takes minutes); gone when the cache was emptied.
WARMED_KEY = "posters:pages-warmed"
# Held from the start of a warming until its last chunk is done (or for an hour, if a
# worker died mid-chunk), holding when the warming started; the number of chunks still to do.
WARMING_LOCK = "posters:pages-warming"
CHUNKS_LEFT_KEY = "posters:pages-warming-chunks"
WARM_SECONDS = page_cache.LONG_PAGE_SECONDS * 5 // 6
# Papers per chunk task: a few seconds of rendering each.
CHUNK_PAPERS = 250


@shared_task(name="posters.warm_paper_pages", ignore_result=True)
def warm_paper_pages():
    """Render the paper pages into the page cache for anonymous visitors and every
    logged-in call-link class (posters/warming.py), in chunks queued as tasks of their
    own (`warm_paper_chunk`) that the worker's processes share; one warming at a time.
    Returns the number of chunks queued (0: a warming is already running)."""
    from posters.warming import paper_uids, representative_users

    if not cache.add(WARMING_LOCK, time.time(), page_cache.LONG_PAGE_SECONDS):
        logger.info("paper pages: already warming")
        return 0
    try:
        version = page_cache.current_versions([ALL_PAPERS_KEY])[0]
        user_ids = [user.pk for user in representative_users()]
        uids = paper_uids()
        chunks = [uids[start : start + CHUNK_PAPERS] for start in range(0, len(uids), CHUNK_PAPERS)] or [[]]
        cache.set(CHUNKS_LEFT_KEY, len(chunks), page_cache.LONG_PAGE_SECONDS)
    except Exception:
        cache.delete(WARMING_LOCK)
        raise
    logger.info("paper pages: warming %d papers in %d chunks", len(uids), len(chunks))
    for number, chunk in enumerate(chunks):
        warm_paper_chunk.delay(chunk, user_ids, version, browser=number == 0)
    return len(chunks)


@shared_task(name="posters.warm_paper_chunk", ignore_result=True)
def warm_paper_chunk(uids, user_ids, version, browser=False):
    """One chunk of a warming (`warm_paper_pages`); the last chunk to finish marks the
    pages warm and releases the lock. A chunk that fails is logged and counted as done:
    its pages render on their first visit."""
    from django.contrib.auth import get_user_model

    from posters.warming import warm_paper_pages as warm

    try:
        users = list(get_user_model().objects.filter(pk__in=user_ids).order_by("pk"))
        count, failed = warm(users=users, uids=uids, browser=browser)
        logger.info("warmed %d paper pages (%d not 200)", count, failed)
        return count
    except Exception:
        logger.exception("warming %d paper pages failed", len(uids))
        return 0
    finally:
        _chunk_done(version)


def _chunk_done(version):
    try:
        left = cache.decr(CHUNKS_LEFT_KEY)
    except ValueError:  # the count is gone (the cache was emptied): this warming is over
        left = 0
    if left <= 0:
        started = cache.get(WARMING_LOCK) or 0
        warm_for = int(WARM_SECONDS - (time.time() - started))
        if warm_for > 0:  # else (a warming longer than WARM_SECONDS) the beat warms again at once
            cache.set(WARMED_KEY, version, warm_for)
        cache.delete_many([WARMING_LOCK, CHUNKS_LEFT_KEY])


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
