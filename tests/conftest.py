"""Shared test set-up.

Service tests (marked `postgres` or `redis`) run when DATABASE_URL / REDIS_URL point at
the services and are skipped otherwise. With REQUIRE_SERVICES=1 (CI) any skip fails the
run, so a missing service or browser can never pass silently.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("PORTAL_SHARED_DATA", REPO.parent / "shared" / "data"))
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason):
    """Skip normally; fail when the run requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if (
        item.get_closest_marker("postgres")
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        skip_or_fail("this test needs PostgreSQL (set DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        skip_or_fail("this test needs Redis (set REDIS_URL=redis://...)")
    if item.get_closest_marker("iclr") and not (SHARED_DATA / "iclr2020").is_dir():
        skip_or_fail(f"the ICLR data is not at {SHARED_DATA}")


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_SERVICES and exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        skipped = reporter.stats.get("skipped", []) if reporter else []
        if skipped:
            session.exitstatus = 1
            reporter.write_line(
                f"REQUIRE_SERVICES=1: {len(skipped)} test(s) were skipped; that is a failure.", red=True
            )


@pytest.fixture
def shared_data():
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real hashing costs ~1 s a user on this machine; tests do not need its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No background link check on the tests' event loops unless a test asks for it.
    settings.CHAT_LINK_CHECK_SECONDS = 0
    # Most tests are about the live conference, with ICLR 2020's dates on today's clock:
    # pinned live. Tests of the phases and the archive unpin it (tests/portal/test_archive.py).
    settings.PORTAL_PHASE = "live"
    # A public page's max-age is then 10 s or exactly the time to the next change it
    # reports: what the tests of each page's changes check. The spread after a change
    # and the production lifetime have tests of their own (tests/portal/test_read_path.py).
    settings.PORTAL_PUBLIC_PAGE_SECONDS = 10
    settings.PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS = 0


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from keynotes.services import _windows
    from portal.models import _process_memo

    cache.clear()
    _process_memo.clear()
    _windows.clear()
    yield


@pytest.fixture(autouse=True)
def _close_chat_pool():
    """The chat's database threads keep their connections; close them after each test so
    no test leaves a connection open on the test database (it could not be dropped)."""
    yield
    from chat.services import db

    db.shutdown()


@pytest.fixture
def tasks_in_process(monkeypatch):
    """Run Celery tasks in this process, their errors raised in the caller, even when
    REDIS_URL names a broker no test worker listens to (tests that need a real worker
    start one: tests/portal/test_services.py, tests/posters/test_upload_pipeline.py)."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    """Small real videos, slides and captions, made once per run (tests/schedule/recording_files.py)."""
    from tests.schedule.recording_files import make_media_dir

    return make_media_dir(tmp_path_factory)
