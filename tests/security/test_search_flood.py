"""A search flood must not fill Redis, nor go unchecked (issue 13, item 5).

Every distinct /papers/?q= used to be a cache entry of its own (two: the page and its
results); with compose's one noeviction Redis, a flood of them filled it and the broker
then refused tasks. Searches are no longer cached, the cache has a Redis of its own that
evicts (allkeys-lru) while the broker's does not, nginx limits searches per client, and
nginx takes more than 256 connections.
"""

import os
import re
import subprocess
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import yaml
from django_redis import get_redis_connection

from tests.conftest import REPO
from tests.factories import PaperFactory
from tests.production import render_nginx_config

LIMITED = "Too many searches from your address: wait a few seconds, then search again.\n"


def redis_keys():
    return set(get_redis_connection("default").keys("*"))


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db
def test_a_flood_of_distinct_searches_stores_nothing(client):
    PaperFactory.create_batch(3, title="Graph neural networks")
    # What any visit to the list stores (sessions, keywords, version keys) is stored now.
    assert client.get("/papers/?q=graph").status_code == 200
    before = redis_keys()
    for n in range(500):
        response = client.get("/papers/", {"q": f"graph {n}"})
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=0"
    # htmx's partial, and junk beside a search or alone, are not stored either.
    response = client.get("/papers/", {"q": "graph", "x": "1"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="paper-results")
    assert response.status_code == 200
    for junk in ({"keyword": "no-such-keyword"}, {"page": "999"}, {"sort": "junk"}):
        assert client.get("/papers/", junk)["Cache-Control"] == "public, max-age=0", junk
    assert redis_keys() == before


@pytest.mark.django_db
def test_the_list_without_a_search_is_still_shared(client, settings):
    PaperFactory.create_batch(3)
    shared = f"public, max-age={settings.PORTAL_PUBLIC_PAGE_SECONDS}"
    assert client.get("/papers/")["Cache-Control"] == shared
    # What the filter form sends: empty fields and the default sort and view.
    params = {"q": "", "keyword": "", "session": "", "day": "", "sort": "", "view": "cards"}
    assert client.get("/papers/", params)["Cache-Control"] == shared


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.postgres
@pytest.mark.redis
def test_nginx_limits_searches_per_client(production):
    PaperFactory(title="Graph neural networks")
    stack = production(roles=("web", "nginx"))
    # A burst of 40 (and one) passes at once: typing as you go stays well inside it.
    for n in range(41):
        assert get(f"{stack.url}/papers/?q=graph{n}")[0] == 200, n
    # Then one bucket for the three ways to search, and no more than it holds.
    searches = ("/papers/?q=flood{}", "/api/v1/papers/?q=flood{}", "/papers/map.json?q=flood{}")
    urls = [stack.url + search.format(n) for n in range(50) for search in searches]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(get, urls))
    assert {status for status, _ in answers} <= {200, 429}
    for search in searches:
        start = stack.url + search.split("{")[0]
        kind = [answer for url, answer in zip(urls, answers, strict=True) if url.startswith(start)]
        assert (429, LIMITED) in kind, search
    # Pages that are not searches still work for the same client.
    assert get(f"{stack.url}/papers/")[0] == 200
    assert get(f"{stack.url}/papers/?q=")[0] == 200
    assert get(f"{stack.url}/")[0] == 200


def test_compose_gives_the_cache_an_evicting_redis_and_the_broker_one_that_does_not():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]

    def policy(service):
        command = services[service]["command"]
        return command[command.index("--maxmemory-policy") + 1]

    assert policy("redis") == "noeviction"
    assert policy("cache") == "allkeys-lru"
    cache_command = services["cache"]["command"]
    assert cache_command[cache_command.index("--maxmemory") + 1] == "${CACHE_MAXMEMORY:-512mb}"
    for name in ("web", "ws", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["CACHE_URL"] == "redis://cache:6379/0", name
        if name != "migrate":
            assert services[name]["depends_on"]["cache"] == {"condition": "service_healthy"}, name


def test_settings_put_the_cache_on_cache_url():
    script = "from django.conf import settings as s; print(s.CACHES['default']['LOCATION'], s.CELERY_BROKER_URL)"
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env = {**base, "DJANGO_SETTINGS_MODULE": "portal.settings", "REDIS_URL": "redis://broker:6379/0"}

    def run(**extra):
        command = [REPO / ".venv/bin/python", "-c", f"import django; django.setup(); {script}"]
        done = subprocess.run(command, cwd=REPO, env={**env, **extra}, capture_output=True, text=True, check=True)  # noqa: S603
        return done.stdout.split()

    assert run() == ["redis://broker:6379/0", "redis://broker:6379/0"]
    assert run(CACHE_URL="redis://cache:6379/0") == ["redis://cache:6379/0", "redis://broker:6379/0"]


def test_nginx_takes_thousands_of_connections(tmp_path):
    render_nginx_config(tmp_path, tmp_path)
    image_conf = (REPO / "deploy/nginx/nginx.conf").read_text()
    for conf in ((tmp_path / "nginx.conf").read_text(), image_conf):
        assert re.findall(r"worker_connections (\d+);", conf) == ["4096"]
        assert re.findall(r"^worker_rlimit_nofile (\d+);", conf, re.MULTILINE) == ["8192"]
        # Thousands connecting at once (the release) are accepted at each turn, not one by one.
        assert re.findall(r"\bmulti_accept (\w+);", conf) == ["on"]
    # The nginx image is built with that main configuration.
    dockerfile = (REPO / "Dockerfile").read_text()
    nginx_stage = dockerfile[dockerfile.index(" AS nginx") :]
    assert "COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf" in nginx_stage


@pytest.mark.redis
@pytest.mark.django_db
def test_a_search_flood_leaves_a_memory_capped_redis_room_for_the_broker(client, settings):
    """What the probe did: one Redis for cache and broker, capped and refusing to evict
    (compose's broker), and a flood of distinct searches. The broker must still take a task."""
    from tests.chat.test_chat_redis import PrivateRedis

    PaperFactory.create_batch(20, title="Graph neural networks")
    capped = PrivateRedis()
    capped.start()
    try:
        server = redis.Redis.from_url(capped.url)
        baseline = server.info("memory")["used_memory"]
        server.config_set("maxmemory", baseline + 1024 * 1024)  # one MiB to spare
        server.config_set("maxmemory-policy", "noeviction")
        settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": capped.url}}
        for n in range(300):
            assert client.get("/papers/", {"q": f"graph {n}"}).status_code == 200
        # A task's message, as the broker would push it: refused with OOM had the flood filled it.
        assert server.lpush("celery", "x" * 10_000) == 1
        assert server.info("memory")["used_memory"] - baseline < 256 * 1024
    finally:
        capped.stop()
