"""Portal-wide tasks: liveness of the worker and beat for /healthz."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "portal:celery-heartbeat"


@shared_task
def heartbeat():
    """Run by beat every 30 s: records that beat scheduled and a worker ran a task."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now


@shared_task
def ping(value):
    """A round trip through the broker and a worker (used by prod-smoke and health)."""
    return {"pong": value}


@shared_task(name="portal.tasks.refresh_static_export")
def refresh_static_export():
    """The fallback copy (PORTAL_EXPORT_DIR), rewritten every PORTAL_EXPORT_EVERY_MINUTES by
    beat; swapped in whole, so a reader never sees half of it."""
    import logging

    from django.conf import settings

    from portal.export import export_site

    report = export_site(
        settings.PORTAL_EXPORT_DIR,
        force=True,
        with_media=settings.PORTAL_EXPORT_MEDIA,
        site_url=settings.PORTAL_BASE_URL,
        jobs=settings.PORTAL_EXPORT_JOBS,
    )
    logging.getLogger(__name__).info("static export refreshed: %s", report.summary())
    return report.summary()
