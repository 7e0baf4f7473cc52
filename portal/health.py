"""The state of the portal's services, for /healthz and the production smoke test."""

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from portal.tasks import HEARTBEAT_CACHE_KEY


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "vendor": connection.vendor}


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        return {"status": "degraded", "detail": "the cache did not return what was stored"}
    cache.delete(key)
    return {"status": "ok", "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_channel_layer():
    layer = get_channel_layer()

    async def round_trip():
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz.ping"})
        return await layer.receive(channel)

    message = async_to_sync(round_trip)()
    if message.get("type") != "healthz.ping":
        return {"status": "degraded", "detail": "the channel layer lost a message"}
    return {"status": "ok", "backend": type(layer).__name__}


def check_broker():
    from portal.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "mode": "eager (tasks run in-process)"}
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    heartbeat = cache.get(HEARTBEAT_CACHE_KEY)
    return {"status": "ok", "mode": "broker", "last_heartbeat": heartbeat}


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


def run_checks():
    """Every check's result; a failing check is 'down' with the reason, never raised."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001  (any failure of a service is its state)
            results[name] = {"status": "down", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    return results
