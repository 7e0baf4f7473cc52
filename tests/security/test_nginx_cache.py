"""nginx's shared page cache (issue 15; deploy/nginx/portal.conf.template, docs/deploy.md).

Two kinds of checks, both through nginx rendered from the deployed template:

- nginx's rules, against a stub origin in place of gunicorn whose answers carry exactly
  the headers under test: what is stored (public max-age, or the short fallback), what
  never is (private, no-store, Set-Cookie, Vary: Cookie, X-Accel-Redirect, POST, the
  /me/, /admin/, /accounts/, /api/ and /media/ paths, requests with Authorization), the
  key (the tz cookie splits it, the session cookie does not), expiry and stale copies;
- the portal's own pages through nginx and gunicorn: a public page is a HIT the second
  time, `/me/state.json` never is, no call link reaches the cache directory after a
  crawl by a registered user in the window, two users never see each other's state.
"""

import http.client
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from portal.models import Conference
from posters.models import Bookmark
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory, UserFactory
from tests.production import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PUBLIC = {"Cache-Control": "public, max-age=60"}
# What the stub origin answers on each path (headers; status 200 unless given).
ANSWERS = {
    "/public": PUBLIC,
    "/page": PUBLIC,
    "/short": {"Cache-Control": "public, max-age=3"},
    "/plain": {},  # no Cache-Control: nginx's fallback (proxy_cache_valid 200 10s)
    "/missing": {"status": 404},  # neither: not stored
    "/private": {"Cache-Control": "private, max-age=60"},
    "/no-store": {"Cache-Control": "no-store"},
    "/never": {"Cache-Control": "max-age=0, no-cache, no-store, must-revalidate, private"},
    "/set-cookie": {**PUBLIC, "Set-Cookie": "csrftoken=per-visitor-secret; Path=/"},
    "/vary-cookie": {**PUBLIC, "Vary": "Cookie"},
    "/vary-star": {**PUBLIC, "Vary": "*"},
    "/accel": {**PUBLIC, "X-Accel-Redirect": "/protected-media/file.bin"},
    "/me/state.json": PUBLIC,
    "/me/papers/": PUBLIC,
    "/admin/": PUBLIC,
    "/accounts/login/": PUBLIC,
    "/api/v1/papers/": PUBLIC,
    "/media/recordings/1/360p.mp4": PUBLIC,
    "/healthz": PUBLIC,
}


SLOW_RENDER = 1.5  # seconds the stub takes for /slow…


class StubOrigin(ThreadingHTTPServer):
    """Answers every request with a body naming its path and a serial number, so a body
    served twice came from nginx's cache. `/flaky` answers 200 once, then 500; `/slow…`
    takes SLOW_RENDER seconds."""

    daemon_threads = True

    def __init__(self):
        self.serial = itertools.count(1)
        self.requests = []
        super().__init__(("127.0.0.1", free_port()), StubHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]


class StubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        serial = next(self.server.serial)
        self.server.requests.append((self.command, self.path))
        path = self.path.split("?")[0]
        headers = dict(ANSWERS.get(path, {}))
        status = headers.pop("status", 200)
        if path.startswith("/slow"):  # a page that takes a while to render
            time.sleep(SLOW_RENDER)
            headers = {"Cache-Control": "public, max-age=1"}
        if path == "/flaky":
            first = self.server.requests.count(("GET", "/flaky")) == 1
            status, headers = (200, {"Cache-Control": "public, max-age=1"}) if first else (500, {})
        body = f"{self.command} {path} serial={serial} marker-{path.strip('/').replace('/', '-')}\n".encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = answer


@pytest.fixture
def stub_with(production):
    """`stub_with(env)`: nginx (rendered with `env`) in front of a StubOrigin, `stack.origin`;
    both stopped after the test."""
    origins = []

    def start(env=None):
        origins.append(StubOrigin())
        stack = production(roles=("nginx",), web_port=origins[-1].port, env=env)
        stack.origin = origins[-1]
        return stack

    yield start
    for origin in origins:
        origin.shutdown()
        origin.server_close()


@pytest.fixture
def stub(stub_with):
    return stub_with()


def stored(stack):
    """Everything in nginx's cache directory, as one byte string."""
    return b"".join(path.read_bytes() for path in stack.cache_files())


def status_and_body(stack, path, **kwargs):
    status, headers, body = stack.get(path, **kwargs)
    return status, headers.get("X-Cache-Status"), body


# --- nginx's rules, against a stub origin --------------------------------------------------


def test_a_public_answer_is_stored_once_for_everyone_in_a_zone(stub):
    stack = stub
    first = status_and_body(stack, "/public")
    assert first == (200, "MISS", b"GET /public serial=2 marker-public\n")  # serial 1: /healthz at start
    # A logged-in visitor (any other cookie) gets the same copy: pages are personal-free.
    assert status_and_body(stack, "/public", cookie="sessionid=abc; csrftoken=def") == (200, "HIT", first[2])
    assert status_and_body(stack, "/public?x=1") == (200, "MISS", b"GET /public serial=3 marker-public\n")
    # The zone is part of the key; so is htmx's fragment request.
    tokyo = b"GET /public serial=4 marker-public\n"
    assert status_and_body(stack, "/public", cookie="tz=Asia/Tokyo")[1:] == ("MISS", tokyo)
    assert status_and_body(stack, "/public", cookie="sessionid=x; tz=Asia/Tokyo")[1:] == ("HIT", tokyo)
    assert status_and_body(stack, "/public", headers={"HX-Request": "true", "HX-Target": "paper-results"})[1] == "MISS"
    # A request with its own credentials is answered for it alone.
    assert status_and_body(stack, "/public", headers={"Authorization": "Token t"})[1:] == (
        "BYPASS",
        b"GET /public serial=6 marker-public\n",
    )
    assert status_and_body(stack, "/public")[1:] == ("HIT", first[2])
    keys = sorted(line for line in stored(stack).split(b"\n") if line.startswith(b"KEY: "))
    host = f"127.0.0.1:{stack.ports['nginx']}".encode()
    assert keys == [
        b"KEY: http://" + host + b"/public?x=1|tz=|hx=:",
        b"KEY: http://" + host + b"/public|tz=Asia/Tokyo|hx=:",
        b"KEY: http://" + host + b"/public|tz=|hx=:",
        b"KEY: http://" + host + b"/public|tz=|hx=true:paper-results",
    ]
    # The scheme the load balancer reports is part of the key too.
    assert status_and_body(stack, "/public", headers={"X-Forwarded-Proto": "https"})[1] == "MISS"


@pytest.mark.parametrize(
    "path",
    ["/private", "/no-store", "/never", "/set-cookie", "/vary-cookie", "/vary-star", "/missing"],
)
def test_an_answer_marked_personal_or_uncacheable_is_never_stored(stub, path):
    stack = stub
    answers = [stack.get(path, cookie="sessionid=abc") for _ in range(2)]
    assert [status for status, _, _ in answers] == [404 if path == "/missing" else 200] * 2
    assert [headers["X-Cache-Status"] for _, headers, _ in answers] == ["MISS", "MISS"]
    assert answers[0][2] != answers[1][2]  # both from the origin
    marker = f"marker-{path.strip('/')}".encode()
    assert stack.cache_files() == [] and marker not in stored(stack)
    if path == "/set-cookie":
        # The visitor still gets the cookie; only the shared copy is refused.
        assert answers[1][1]["Set-Cookie"] == "csrftoken=per-visitor-secret; Path=/"


@pytest.mark.parametrize(
    "path",
    [
        "/me/state.json",
        "/me/papers/",
        "/admin/",
        "/accounts/login/",
        "/api/v1/papers/",
        "/media/recordings/1/360p.mp4",
        "/healthz",
    ],
)
def test_private_paths_bypass_the_cache_whatever_the_origin_says(stub, path):
    stack = stub
    answers = [status_and_body(stack, path, cookie="sessionid=abc") for _ in range(2)]
    assert [status for status, _, _ in answers] == [200, 200]
    assert [cache for _, cache, _ in answers] == ["BYPASS", "BYPASS"]
    assert answers[0][2] != answers[1][2]
    assert stack.cache_files() == []


def test_x_accel_redirect_answers_are_never_stored(stub, settings):
    stack = stub
    (stack.media_root / "file.bin").write_bytes(b"released video bytes")
    for _ in range(2):
        stack.get("/accel")
    assert stack.origin.requests.count(("GET", "/accel")) == 2
    assert stack.cache_files() == []


def test_post_is_never_cached_nor_stored(stub):
    stack = stub
    posts = [stack.get("/public", method="POST", data=b"star=1") for _ in range(2)]
    assert [body for _, _, body in posts] == [
        b"POST /public serial=2 marker-public\n",
        b"POST /public serial=3 marker-public\n",
    ]
    assert [headers.get("X-Cache-Status") for _, headers, _ in posts] == [None, None]
    assert stack.cache_files() == []
    assert status_and_body(stack, "/public")[1] == "MISS"


def test_the_origins_max_age_decides_and_an_edit_shows_within_seconds(stub):
    stack = stub
    stored_at = time.monotonic()
    first = status_and_body(stack, "/short")
    assert first[1] == "MISS"
    assert status_and_body(stack, "/short")[1:] == ("HIT", first[2])
    # Kept for its max-age (3 s; nginx counts whole seconds); then the first request past
    # it fetches the new version and gets it (no refresh in the background).
    seen = []
    while time.monotonic() - stored_at < 10:
        seen.append(status_and_body(stack, "/short")[1:])
        if seen[-1][1] != first[2]:
            break
        time.sleep(0.1)
    changed_after = time.monotonic() - stored_at
    caches = [cache for cache, _ in seen]
    assert seen[-1] == ("EXPIRED", first[2].replace(b"serial=2", b"serial=3")), seen
    assert set(caches[:-1]) <= {"HIT"}, caches
    assert 3 <= changed_after < 5.5, changed_after
    assert status_and_body(stack, "/short")[1:] == ("HIT", seen[-1][1])
    # Without any Cache-Control a 200 is kept for the fallback's 10 s; other answers are not.
    plain = status_and_body(stack, "/plain")
    assert status_and_body(stack, "/plain")[1:] == ("HIT", plain[2])
    assert [status_and_body(stack, "/missing")[1] for _ in range(2)] == ["MISS", "MISS"]


def test_a_failing_origin_is_answered_with_the_stale_copy(stub):
    stack = stub
    first = status_and_body(stack, "/flaky")
    assert first[:2] == (200, "MISS")
    time.sleep(2.5)  # past max-age=1 (nginx counts whole seconds)
    # The origin answers 500 from now on: visitors keep the last good page.
    for _ in range(3):
        status, cache, body = status_and_body(stack, "/flaky")
        assert (status, body) == (200, first[2])
        assert cache in {"STALE", "UPDATING"}


def test_while_every_render_slot_is_busy_a_held_copy_goes_out_at_once(stub_with):
    """portal_pages lets NGINX_PAGE_RENDERS requests reach gunicorn at a time. Past that,
    an expired page is answered at once with the copy nginx holds (it is refreshed later),
    a page with no copy waits its turn through portal_web, and writes never take the
    limited group at all."""
    stack = stub_with(env={"NGINX_PAGE_RENDERS": "1"})
    origin = stack.origin
    first = {path: status_and_body(stack, path) for path in ("/slow-a", "/slow-b")}
    assert {cache for _, cache, _ in first.values()} == {"MISS"}
    time.sleep(2.2)  # both expired (max-age=1; nginx counts whole seconds)
    with ThreadPoolExecutor(1) as pool:
        # /slow-a's visitor finds the only slot free: they wait for the render
        # (SLOW_RENDER) and get the new copy.
        refreshing = pool.submit(status_and_body, stack, "/slow-a")
        time.sleep(SLOW_RENDER / 3)
        started = time.monotonic()
        # Meanwhile /slow-a goes out as the old copy at once to everyone else...
        assert status_and_body(stack, "/slow-a") == (200, "UPDATING", first["/slow-a"][2])
        # ...and so does /slow-b, expired with every slot taken; nothing holds that
        # connection's next request (as a refresh in the background would).
        connection = http.client.HTTPConnection("127.0.0.1", stack.ports["nginx"], timeout=30)
        try:
            connection.request("GET", "/slow-b")
            response = connection.getresponse()
            assert (response.status, response.getheader("X-Cache-Status")) == (200, "STALE")
            assert response.read() == first["/slow-b"][2]
            connection.request("GET", "/public")
            response = connection.getresponse()
            assert response.status == 200 and b"marker-public" in response.read()
        finally:
            connection.close()
        assert time.monotonic() - started < SLOW_RENDER / 2  # not behind a render
        status, cache, body = refreshing.result()
    assert (status, cache) == (200, "EXPIRED") and b"marker-slow-a" in body and body != first["/slow-a"][2]
    # No copy of /slow-c: three visitors at once wait for one render, which is kept.
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: status_and_body(stack, "/slow-c"), range(3)))
    assert {status for status, _, _ in answers} == {200} and len({body for *_, body in answers}) == 1
    assert sorted(cache for _, cache, _ in answers)[-1] == "MISS"
    assert origin.requests.count(("GET", "/slow-c")) == 1
    assert status_and_body(stack, "/slow-c")[1:] == ("HIT", answers[0][2])
    posted = stack.get("/slow-d", method="POST", data=b"x=1")
    assert posted[0] == 200 and posted[2].startswith(b"POST /slow-d")
    assert origin.requests.count(("POST", "/slow-d")) == 1  # sent once
    # /slow-b was left as it was: the next visitor with a slot free refreshes it.
    status, _, body = status_and_body(stack, "/slow-b")
    assert status == 200 and b"marker-slow-b" in body and body != first["/slow-b"][2]


def test_static_files_and_websockets_carry_no_cache_status(stub, static_root):
    stack = stub
    name = next(path for path in static_root.rglob("*.css") if path.is_file()).relative_to(static_root)
    _, headers, _ = stack.get(f"/static/{name}")
    assert "X-Cache-Status" not in headers


# --- The portal's pages through nginx ------------------------------------------------------
# These hold once the pages are personal-free (issue 15, deliverable 1): public pages send
# `Cache-Control: public, max-age=N` and touch no session; /me/state.json carries each
# visitor's state with `Cache-Control: private, no-store`.

CALL_HOST = "calls.example.net"


@pytest.fixture
def live_poster_session(transactional_db):
    """A poster session on now (its call-link window open), three papers with call links,
    the default policy (registered attendees see links in the window)."""
    conference = Conference.get()
    assert conference.call_link_visibility == Conference.CallLinkVisibility.REGISTERED
    now = timezone.now()
    start, end = now - timedelta(minutes=30), now + timedelta(hours=2)
    session = SessionFactory(title="Live poster session", start=start, end=end)
    papers = [PaperFactory(title=f"Live paper {n}") for n in range(3)]
    for paper in papers:
        PosterSlotFactory(paper=paper, session=session, call_link=f"https://{CALL_HOST}/j/secret-{paper.uid}")
    return session, papers


def public_pages(session, papers):
    day = session.start.astimezone(UTC).date().isoformat()
    return [
        "/",
        "/papers/",
        *[f"/papers/{paper.uid}/" for paper in papers],
        "/schedule/",
        f"/schedule/{day}/",
        f"/schedule/sessions/{session.pk}/",
        f"/posters/{session.pk}/",
        "/posters/",
        "/now/",
        "/live/",
    ]


def test_a_public_page_is_a_hit_the_second_time_for_anyone(production, live_poster_session):
    papers = live_poster_session[1]
    stack = production(roles=("web", "nginx"))
    cookie = stack.login(UserFactory(registered=True, display_name="Grace Hopper"))
    for path in ("/papers/", f"/papers/{papers[0].uid}/", "/schedule/", "/now/", "/"):
        first, second, logged_in = stack.get(path), stack.get(path), stack.get(path, cookie=cookie)
        assert [first[0], second[0], logged_in[0]] == [200, 200, 200], path
        assert first[1]["Cache-Control"].startswith("public, max-age="), path
        assert "Set-Cookie" not in first[1] and "Cookie" not in first[1].get("Vary", ""), path
        assert [first[1]["X-Cache-Status"], second[1]["X-Cache-Status"], logged_in[1]["X-Cache-Status"]] == [
            "MISS",
            "HIT",
            "HIT",
        ], path
        assert second[2] == first[2] == logged_in[2], path


def test_me_state_is_never_stored_by_nginx(production, live_poster_session):
    stack = production(roles=("web", "nginx"))
    cookie = stack.login(UserFactory(registered=True, display_name="Grace Hopper"))
    answers = [stack.get("/me/state.json", cookie=cookie) for _ in range(2)]
    for status, headers, body in answers:
        assert status == 200
        assert headers["Cache-Control"] == "private, no-store"
        assert headers["X-Cache-Status"] == "BYPASS"
        assert b"Grace Hopper" in body
    assert b"Grace Hopper" not in stored(stack)


def test_no_call_link_reaches_nginxs_cache_after_a_crawl_by_a_registered_user(production, live_poster_session):
    session, papers = live_poster_session
    stack = production(roles=("web", "nginx"))
    cookie = stack.login(UserFactory(registered=True)) + "; tz=Europe/Berlin"
    # The state request names the page's call links, as the poster session's page asks.
    slots = ",".join(f"slot:{pk}" for pk in session.poster_slots.values_list("pk", flat=True))
    state = f"/me/state.json?calls={slots}"
    seen = b""
    for path in [*public_pages(session, papers), state] * 2:
        status, _, body = stack.get(path, cookie=cookie)
        assert status in {200, 404} or path == state, (path, status)
        seen += body
    # The crawl was in the window and allowed: the visitor was given the links somewhere
    # (its state, or, before the pages were personal-free, the pages themselves).
    assert f"https://{CALL_HOST}/j/secret-{papers[0].uid}".encode() in seen
    files = stack.cache_files()
    assert not [path for path in files if CALL_HOST.encode() in path.read_bytes()]
    assert not [path for path in files if b"secret-" in path.read_bytes()]
    # ... and the check read real entries: the pages that show a session's call links
    # were stored. (/now/ and /live/ may not be: their max-age ends at the next minute,
    # which can be 0 when the crawl reaches them in a minute's last second.)
    keys = {line for path in files for line in path.read_bytes().split(b"\n") if line.startswith(b"KEY: ")}
    for path in [*(f"/papers/{paper.uid}/" for paper in papers), f"/posters/{session.pk}/", "/"]:
        assert any(key.split(b"|")[0].endswith(path.encode()) for key in keys), (path, keys)


def test_two_users_alternating_through_nginx_never_see_each_others_state(production, live_poster_session):
    session, papers = live_poster_session
    stack = production(roles=("web", "nginx"))
    ada = UserFactory(registered=True, display_name="Ada Lovelace-Byron")
    alan = UserFactory(registered=True, display_name="Alan Mathison Turing")
    Bookmark.objects.create(user=ada, paper=papers[0])
    Bookmark.objects.create(user=alan, paper=papers[1])
    people = {ada.display_name.encode(): stack.login(ada), alan.display_name.encode(): stack.login(alan)}
    states = {}
    for _ in range(3):
        for path in [*public_pages(session, papers)[:4], "/me/state.json"]:
            for name, cookie in people.items():
                status, headers, body = stack.get(path, cookie=cookie)
                other = next(n for n in people if n != name)
                assert other not in body, (path, name)
                if path == "/me/state.json":
                    assert status == 200 and name in body, body[:300]
                    states[name] = body
                else:
                    assert name not in body or headers.get("X-Cache-Status") != "HIT", path
    assert states[b"Ada Lovelace-Byron"] != states[b"Alan Mathison Turing"]
