"""Security headers on every response through nginx (issue 13, item 11): pages, static
files, media sent by X-Accel-Redirect and errors all carry a Content-Security-Policy,
nosniff, a frame policy and a referrer policy; HSTS on HTTPS only; no nginx version."""

import re
import urllib.error
import urllib.request
from datetime import date

import pytest

from tests.schedule.factories import recording_with_720p

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'self'; frame-src 'self' https:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
MEDIA_CSP = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
BODY = b"\x00\x00\x00\x18ftypmp42" + bytes(1000)


def fetch(url, headers=None):
    """(status, headers) of a GET, errors included; every header's values as a list."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, message = response.status, response.headers
    except urllib.error.HTTPError as error:
        status, message = error.code, error.headers
    return status, {name.lower(): message.get_all(name) for name in message}


def released_recording():
    """A recording released long ago, with its 720p file in MEDIA_ROOT; its URL."""
    recording = recording_with_720p("paper:p1", date(2020, 6, 10), BODY)
    return f"/media/recordings/{recording.pk}/720p.mp4"


def static_file(stack):
    """The URL of a stylesheet the home page links to (a hashed name)."""
    with urllib.request.urlopen(stack.url + "/", timeout=10) as response:  # noqa: S310
        html = response.read().decode()
    return re.search(r'href="(/static/[^"]+\.css)"', html)[1]


def assert_secure(headers, csp, frame):
    assert headers["content-security-policy"] == [csp]
    assert headers["x-content-type-options"] == ["nosniff"]
    assert headers["x-frame-options"] == [frame]
    assert headers["referrer-policy"] == ["same-origin"]
    assert headers["server"] == ["nginx"]
    assert "strict-transport-security" not in headers


def test_every_response_carries_the_security_headers(production):
    media = released_recording()
    stack = production(roles=("web", "nginx"))

    status, headers = fetch(stack.url + "/")
    assert status == 200
    assert_secure(headers, PAGE_CSP, "DENY")

    status, headers = fetch(stack.url + static_file(stack))
    assert status == 200
    assert_secure(headers, PAGE_CSP, "DENY")
    assert headers["cache-control"] == ["public, max-age=31536000, immutable"]

    status, headers = fetch(stack.url + media)
    assert status == 200
    assert headers["content-type"] == ["video/mp4"]
    assert_secure(headers, MEDIA_CSP, "SAMEORIGIN")

    status, headers = fetch(stack.url + "/papers/no-such-paper/")
    assert status == 404
    assert_secure(headers, PAGE_CSP, "DENY")

    # A 404 of nginx's own (a static file that does not exist).
    status, headers = fetch(stack.url + "/static/no-such-file.css")
    assert status == 404
    assert_secure(headers, PAGE_CSP, "DENY")


def test_hsts_only_over_https(production):
    media = released_recording()
    stack = production(roles=("web", "nginx"))
    https = {"X-Forwarded-Proto": "https"}
    for path in ("/", "/static/no-such-file.css", media):
        status, headers = fetch(stack.url + path, https)
        assert headers["strict-transport-security"] == ["max-age=31536000; includeSubDomains"], (path, status)
        status, headers = fetch(stack.url + path)
        assert "strict-transport-security" not in headers, path


# The browser half: the pages run under these policies without a violation. The e2e
# suite's live server has no nginx in front, so this drives Chromium at the stack.
from tests.e2e.conftest import HTMX_ERRORS, OFFSITE, browser, listen_for_errors  # noqa: E402, F401  (browser: the fixture)
from tests.factories import PaperFactory, SessionFactory, UserFactory  # noqa: E402

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""

API_DESCRIPTION = "text=Papers, poster sessions, schedule and chat of the virtual conference."
RENDERED_BY_SCRIPT = {"/api/docs/": f"redoc >> {API_DESCRIPTION}"}


@pytest.mark.e2e
def test_the_pages_run_under_the_policy(production, browser, settings):  # noqa: F811
    # A hash the stack's processes can check (the tests' own hasher is not theirs).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    paper = PaperFactory(uid="p1")
    released_recording()  # the paper page's player (Plyr) and its media
    session = SessionFactory()
    UserFactory(email="organiser@example.org", is_staff=True, is_superuser=True)
    stack = production(roles=("web", "ws", "nginx"))
    context = browser.new_context(base_url=stack.url)
    context.add_init_script(WATCH_VIOLATIONS)
    context.add_init_script(HTMX_ERRORS)
    context.route(OFFSITE, lambda route: route.fulfill(status=204, body=b""))
    page = context.new_page()
    errors = []  # any console error, under nginx and the policy (tests/e2e/conftest.py)
    listen_for_errors(page, errors)
    refused = []
    # Chromium reports a refused inline script or style in the console, with the page's URL.
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and refused.append((message.location["url"], message.text))
        ),
    )
    page.on("pageerror", lambda error: refused.append((page.url, str(error))))
    paths = (
        "/",
        "/papers/",
        "/papers/?q=learning",
        f"/papers/{paper.uid}/",
        "/schedule/",
        f"/schedule/sessions/{session.pk}/",
        "/api/docs/",
        "/admin/login/",
    )
    try:
        for path in paths:
            response = page.goto(path, wait_until="networkidle")
            assert response.status == 200, path
            assert response.headers["content-security-policy"], path
            if path == f"/papers/{paper.uid}/":
                page.wait_for_selector(".plyr")
            if path in RENDERED_BY_SCRIPT:
                # Scripts did run: the API pages draw themselves.
                page.wait_for_selector(RENDERED_BY_SCRIPT[path])
            page.wait_for_timeout(300)
            refused.extend((path, v) for v in page.evaluate("window.__violations"))
        page.fill("#id_username", "organiser@example.org")
        page.fill("#id_password", "correct horse battery staple")
        page.click("input[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.url == stack.url + "/admin/", page.inner_text(".errornote")
        refused.extend(("/admin/", v) for v in page.evaluate("window.__violations"))
    finally:
        context.close()
    assert refused == []
    assert errors == []
