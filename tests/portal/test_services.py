"""The live layer's services for real: Redis as channel layer, cache and Celery broker.

Marked `redis`: they run when REDIS_URL points at a Redis and are skipped otherwise
(a failure under REQUIRE_SERVICES=1). The last test needs no Redis: it checks that
/healthz degrades, not fails, when Redis is gone.
"""

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.celery_worker import running_worker

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def redis_layer():
    """A fresh layer built from the CHANNEL_LAYERS setting, its pools closed afterwards."""
    layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    yield layer
    await layer.flush()  # PubSub: unsubscribes and closes its connections


@pytest.mark.redis
async def test_channel_layer_round_trip(redis_layer):
    assert type(redis_layer).__module__ == "channels_redis.pubsub"  # the production choice
    channel = await redis_layer.new_channel("test.")
    await redis_layer.send(channel, {"type": "test.message", "text": "hello"})
    received = await asyncio.wait_for(redis_layer.receive(channel), timeout=5)
    assert received == {"type": "test.message", "text": "hello"}


@pytest.mark.redis
async def test_channel_layer_group_send_reaches_every_member_once(redis_layer):
    group = f"test-{uuid.uuid4().hex}"
    members = [await redis_layer.new_channel("test.") for _ in range(3)]
    for channel in members:
        await redis_layer.group_add(group, channel)
    outsider = await redis_layer.new_channel("test.")

    await redis_layer.group_send(group, {"type": "room.event", "n": 1})

    for channel in members:
        assert await asyncio.wait_for(redis_layer.receive(channel), timeout=5) == {"type": "room.event", "n": 1}
    await redis_layer.group_discard(group, members[0])
    await redis_layer.group_send(group, {"type": "room.event", "n": 2})
    for channel in members[1:]:
        assert await asyncio.wait_for(redis_layer.receive(channel), timeout=5) == {"type": "room.event", "n": 2}
    # Neither the member that left nor a channel outside the group hears anything.
    for channel in (members[0], outsider):
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(redis_layer.receive(channel), timeout=0.3)


@pytest.mark.redis
def test_cache_is_redis():
    from django_redis import get_redis_connection

    assert settings.CACHES["default"]["BACKEND"] == "portal.redis_cache.RedisCache"
    cache.set("test:answer", {"value": 42}, timeout=30)
    assert cache.get("test:answer") == {"value": 42}
    assert cache.add("test:counter", 0) is True
    assert cache.incr("test:counter") == 1
    assert cache.get("test:counter") == 1
    # The value lives in Redis itself, not in this process.
    assert get_redis_connection("default").exists(cache.make_key("test:answer")) == 1
    cache.delete("test:answer")
    assert cache.get("test:answer") is None


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_all_ok_on_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok", body
    checks = body["checks"]
    assert checks["database"] == {"status": "ok", "vendor": connection.vendor}
    assert checks["cache"] == {"status": "ok", "backend": "RedisCache"}
    assert checks["channel_layer"] == {"status": "ok", "backend": "RedisPubSubChannelLayer"}
    assert checks["broker"]["status"] == "ok"
    assert checks["broker"]["mode"] == "broker"


@pytest.fixture
def celery_worker_queue():
    """A real `celery -A portal worker` on its own queue (the test's DATABASE_URL and REDIS_URL)."""
    queue = f"test-{uuid.uuid4().hex}"
    with running_worker("--queues", queue):
        yield queue


@pytest.mark.redis
def test_celery_round_trip_through_a_real_worker(celery_worker_queue):
    from portal.tasks import ping

    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    nonce = uuid.uuid4().hex
    started = time.monotonic()
    # The task waits in the Redis queue until the worker is up, then runs there.
    result = ping.apply_async((nonce,), queue=celery_worker_queue)
    assert result.get(timeout=60) == {"pong": nonce}
    assert time.monotonic() - started < 60


def test_healthz_degrades_when_redis_is_down(tmp_path):
    """Nothing listens on port 6390: the pages' database is fine, the live layer is not."""
    script = (
        "import json, django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/healthz')\n"
        "print(json.dumps({'status_code': response.status_code, 'body': response.json()}))\n"
    )
    env = {
        **{key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6390/0",
        "STATIC_ROOT": str(tmp_path),
    }
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status_code"] == 200
    body = answer["body"]
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {"status": "ok", "vendor": "sqlite"}
    assert body["checks"]["cache"]["status"] == "degraded"
    assert body["checks"]["channel_layer"]["status"] == "down"
    assert body["checks"]["broker"]["status"] == "down"
    assert "6390" in body["checks"]["broker"]["detail"]
    # Redis being down costs a health check seconds, not a hang.
    assert time.monotonic() - started < 30
