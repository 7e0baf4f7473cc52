"""Browser tests: Playwright drives Debian's Chromium against a live ASGI server.

The server is the production ASGI application (`portal.asgi.application`, Channels
routing included) run by uvicorn in a background thread on a free port, with Django's
static-files handler in front so CSS and JS load as they do under nginx. It shares the
test database: tests use `transactional_db`, so what a test creates is committed and the
server sees it (on SQLite the test database is an in-memory, shared-cache database that
every connection in this process opens; on PostgreSQL it is the real test database).

On failure a screenshot and the page's HTML are saved under test-artifacts/.

Every page a test opens listens to the browser's console: an error logged there (a script
error, a refused resource, htmx's own `htmx:syntax:error`) or an uncaught page error fails
the test at teardown, whatever the test itself checked. A test that provokes errors on
purpose (a 404 page, a dropped socket) names them: `@pytest.mark.console_errors(regex, …)`.
"""

import asyncio
import contextvars
import json
import os
import re
import socket
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO, skip_or_fail

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
AXE_JS = next((Path(__file__).parent / "vendor").glob("axe-core-*/axe.min.js"))
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Everything under tests/e2e is a browser test, so `-m "not e2e"` leaves it all out.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Kept on the item so the page fixture knows, at teardown, whether the test failed.
    setattr(item, f"report_{report.when}", report)
    return report


class LiveServer:
    """uvicorn serving the ASGI application in a thread; `url` is its base URL."""

    def __init__(self, application):
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        host, port = self.socket.getsockname()
        self.url = f"http://{host}:{port}"
        # reset_contextvars: each request starts in an empty context, not in a copy of the
        # one before it on the same connection (tests/e2e/test_live_server.py).
        config = uvicorn.Config(
            application, lifespan="off", log_level="warning", access_log=False, reset_contextvars=True
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve, name="e2e-uvicorn", daemon=True)
        self.error = None

    def _serve(self):
        try:
            asyncio.run(self.server.serve(sockets=[self.socket]))
        except BaseException as exc:  # noqa: BLE001  (reported to the test thread in start())
            self.error = exc

    def start(self):
        self.thread.start()
        while not self.server.started:
            if self.error or not self.thread.is_alive():
                raise RuntimeError(f"the live server did not start: {self.error!r}")
            self.thread.join(0.02)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


# The database connections each request opened; see CloseConnectionsAfterRequest.
_request_connections = contextvars.ContextVar("e2e_request_connections")


def _note_connection(sender, connection, **kwargs):
    opened = _request_connections.get(None)
    if opened is not None:
        opened.append(connection)


def _close_connections(wrappers):
    for wrapper in wrappers:
        # Opened in the request's worker thread, which is gone by now.
        wrapper.inc_thread_sharing()
        try:
            wrapper.close()
        finally:
            wrapper.dec_thread_sharing()


class CloseConnectionsAfterRequest:
    """Closes the database connections a request opened, once it is answered.

    Django's ASGI handler runs the view in a task (a copy of the request's context) but
    sends `request_finished` from the request's own context, which does not see the
    view's connection, so nothing closes it until garbage collection; PostgreSQL then
    refuses to drop the test database at the end of the run.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        opened = []
        token = _request_connections.set(opened)
        try:
            await self.application(scope, receive, send)
        finally:
            _request_connections.reset(token)
            if opened:
                await asyncio.to_thread(_close_connections, opened)


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker):
    """Base URL of the live ASGI server (one for the whole run)."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db.backends.signals import connection_created

    from portal.asgi import application

    connection_created.connect(_note_connection)
    server = LiveServer(CloseConnectionsAfterRequest(ASGIStaticFilesHandler(application)))
    with django_db_blocker.unblock():
        server.start()
    yield server.url
    server.stop()
    connection_created.disconnect(_note_connection)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module.

    Module scope, not session: while Playwright's sync API is running, the main thread
    looks as if it were inside an event loop, which would upset async tests that run
    after these, and Django's guard against ORM calls from async code. The guard is
    lifted only while the browser is up: these tests are plain sync code.
    """
    if not CHROMIUM.exists():
        skip_or_fail(f"the browser tests need Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(request, browser, live_server_url, transactional_db):
    """`new_page(**context_options)` opens a page on the live server.

    Context options are Playwright's (timezone_id, viewport, ...); the default is a
    desktop viewport in UTC. Every page opened is saved to test-artifacts/ if the test
    fails.
    """
    contexts = []
    errors = []

    def open_page(**options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("timezone_id", "UTC")
        options.setdefault("locale", "en-GB")
        context = browser.new_context(base_url=live_server_url, **options)
        context.set_default_timeout(10_000)
        # The tests run offline: a third party's URL (ReDoc's "by Redocly" logo from
        # cdn.redoc.ly, a livestream embed) answers empty rather than failing DNS, which
        # Chromium would log as an error that is the sandbox's, not the portal's.
        context.route(OFFSITE, lambda route: route.fulfill(status=204, body=b""))
        context.add_init_script(HTMX_ERRORS)
        page = context.new_page()
        listen_for_errors(page, errors)
        contexts.append((context, page))
        return page

    yield open_page

    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    for number, (context, page) in enumerate(contexts):
        if failed and not page.is_closed():
            suffix = f"-{number}" if number else ""
            save_artifacts(page, f"{request.node.name}{suffix}-failure")
        context.close()
    if not failed:
        expected = [re.compile(p) for m in request.node.iter_markers("console_errors") for p in m.args]
        unexpected = [e for e in errors if not any(p.search(e) for p in expected)]
        assert not unexpected, "the browser logged errors:\n" + "\n".join(unexpected)


OFFSITE = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])[a-z]+://")
# htmx reports a bad hx-trigger and other faults as events, not on the console: say them there.
HTMX_ERRORS = """
[
  "htmx:syntax:error", "htmx:targetError", "htmx:swapError", "htmx:responseError", "htmx:sendError",
  "htmx:onLoadError", "htmx:evalDisallowedError", "htmx:invalidPath", "htmx:historyCacheError",
].forEach(function (name) {
  document.addEventListener(name, function (event) {
    var where = event.target && (event.target.id ? "#" + event.target.id : event.target.tagName);
    var d = event.detail || {};
    var detail = d.token || d.error || (d.xhr && d.xhr.status);
    console.error(name + " on " + where + (detail ? ": " + JSON.stringify(detail) : ""));
  });
});
"""


def listen_for_errors(page, errors):
    """Collect the page's console errors and uncaught exceptions into `errors` ("url: text")."""

    def on_console(message):
        if message.type == "error":
            where = message.location.get("url") or page.url
            errors.append(f"console error at {where}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error at {page.url}: {error}"))


@pytest.fixture
def page(new_page):
    """A desktop page in a UTC browser."""
    return new_page()


def artifact_name(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:150]


def save_artifacts(page, name):
    """Screenshot (full page) and HTML of `page` into test-artifacts/; returns the PNG path."""
    ARTIFACTS.mkdir(exist_ok=True)
    base = ARTIFACTS / artifact_name(name)
    png = base.with_suffix(".png")
    page.screenshot(path=str(png), full_page=True)
    base.with_suffix(".html").write_text(page.content(), encoding="utf-8")
    return png


def assert_no_serious_axe_violations(page, context=None):
    """Run axe-core on the page; fail on any violation of serious or critical impact."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async (context) => await axe.run(context || document, {resultTypes: ['violations']})",
        context,
    )
    serious = [v for v in results["violations"] if v["impact"] in {"serious", "critical"}]
    summary = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in serious
    ]
    assert not serious, "axe-core found serious/critical violations:\n" + json.dumps(summary, indent=2)
    return results
