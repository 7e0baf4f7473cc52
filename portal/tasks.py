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
