"""The production topology for tests that must go through it (tests/security).

gunicorn (pages), uvicorn (/ws/), a Celery worker and nginx, started by the same
deploy/start.sh and deploy/nginx/render-local.sh that docker compose and `make
prod-smoke` use, as subprocesses against the pytest test database and Redis. Tests
that use it need `transactional_db` (what they create must be committed for the
processes to see it) and are marked `postgres` and `redis`.

    with ProductionStack(tmp_path, roles=("web", "nginx")) as stack:
        requests.get(stack.url + "/healthz")

nginx keeps its shared page cache in `stack.cache_dir` (`cache_files()` lists what it
stored); `stack.get(path, cookie=...)` asks through nginx; `stack.login(user)` gives the
cookie of a session the stack's processes accept.
"""

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from tests.conftest import REPO

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


_handed_out = set()


def free_port():
    """A port nothing listens on, never one this process was given before: the kernel may
    hand the same free port to two calls in a row, and two servers started with it then
    share it (an export and its mirror did in CI, 2026-12-07)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def test_database_url():
    """The URL of the database pytest-django set up (test_<name>), for other processes."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def collect_static(root):
    """collectstatic with hashed names, as production runs it (once per test session)."""
    env = {**os.environ, "STATIC_MANIFEST": "1", "STATIC_ROOT": str(root)}
    subprocess.run(  # noqa: S603
        [REPO / ".venv/bin/python", "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=REPO,
        env=env,
        check=True,
        timeout=300,
    )
    return root


def render_nginx_config(out, roots):
    """deploy/nginx/render-local.sh's config in `out` (nginx.conf, conf.d/portal.conf), for
    made-up ports and static and media folders under `roots`, as a check would need it."""
    env = {
        **os.environ,
        "NGINX_LISTEN": "127.0.0.1:8080",
        "NGINX_WEB_UPSTREAM": "127.0.0.1:8000",
        "NGINX_WS_UPSTREAM": "127.0.0.1:8001",
        "NGINX_STATIC_ROOT": str(Path(roots) / "static"),
        "NGINX_MEDIA_ROOT": str(Path(roots) / "media"),
    }
    subprocess.run(["bash", REPO / "deploy/nginx/render-local.sh", out], env=env, check=True, timeout=30)  # noqa: S603, S607
    return Path(out)


class ProductionStack:
    """Start `roles` (web, ws, worker, beat, nginx) on free ports; stop them on exit.

    `env` adds or overrides environment variables for every process. Logs are kept in
    `work`/<role>.log; `log(role)` reads one. `web_port` points nginx at another server
    in place of gunicorn (e.g. a stub origin, with roles=("nginx",)).
    """

    def __init__(self, work, *, static_root, roles=("web", "ws", "nginx"), env=None, media_root=None, web_port=None):
        self.work = Path(work)
        self.work.mkdir(parents=True, exist_ok=True)
        self.work.chmod(0o755)
        self.roles = roles
        self.static_root = Path(static_root)
        self.media_root = Path(media_root or self.work / "media")
        self.media_root.mkdir(parents=True, exist_ok=True)
        self.ports = {"web": web_port or free_port(), "ws": free_port(), "nginx": free_port()}
        # nginx's page cache, where its workers (nobody, when started as root) can write:
        # not under pytest's private (0700) folders.
        self.cache_dir = Path(tempfile.mkdtemp(prefix="portal-nginx-cache-"))
        self.url = f"http://127.0.0.1:{self.ports['nginx']}"
        self.ws_url = self.url.replace("http://", "ws://")
        self.processes = {}
        self.env = {
            **os.environ,
            "PATH": f"{REPO / '.venv/bin'}:{os.environ.get('PATH', '')}:/usr/sbin:/sbin",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_MANIFEST": "1",
            "STATIC_ROOT": str(self.static_root),
            "MEDIA_ROOT": str(self.media_root),
            "PORTAL_MEDIA_ACCEL": "1",
            "WEB_CONCURRENCY": "2",
            "CELERY_CONCURRENCY": "1",
            "CELERY_BEAT_SCHEDULE_FILE": str(self.work / "celerybeat-schedule"),
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "LOG_LEVEL": "INFO",
            # The phase the tests pinned in this process (tests/conftest.py: live), for the stack's too.
            "PORTAL_PHASE": settings.PORTAL_PHASE,
            **(env or {}),
        }

    # --- processes ---------------------------------------------------------------------
    def start(self, role):
        if role == "nginx":
            return self._start_nginx()
        env = dict(self.env)
        if role in {"web", "ws"}:
            env["BIND"] = f"127.0.0.1:{self.ports[role]}"
        log = open(self.work / f"{role}.log", "ab")  # noqa: SIM115  (closed in stop)
        process = subprocess.Popen(  # noqa: S603
            ["bash", REPO / "deploy/start.sh", role],  # noqa: S607
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes[role] = (process, log)
        if role in {"web", "ws"}:
            self._wait_for_port(role, self.ports[role])
        return process

    def _start_nginx(self):
        assert NGINX, "nginx is not installed (apt-get install nginx)"
        conf_dir = self.work / "nginx"
        render_env = {
            **self.env,
            "NGINX_LISTEN": f"127.0.0.1:{self.ports['nginx']}",
            "NGINX_WEB_UPSTREAM": f"127.0.0.1:{self.ports['web']}",
            "NGINX_WS_UPSTREAM": f"127.0.0.1:{self.ports['ws']}",
            "NGINX_STATIC_ROOT": str(self.static_root),
            "NGINX_MEDIA_ROOT": str(self.media_root),
            "NGINX_CACHE_DIR": str(self.cache_dir),
        }
        subprocess.run(  # noqa: S603
            ["bash", REPO / "deploy/nginx/render-local.sh", conf_dir],  # noqa: S607
            env=render_env,
            check=True,
            timeout=30,
        )
        log = open(self.work / "nginx.log", "ab")  # noqa: SIM115  (closed in stop)
        # Started as root, nginx's workers would run as nobody, who cannot enter pytest's
        # private (0700) temporary folders holding the static and media files.
        directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        process = subprocess.Popen(  # noqa: S603
            [NGINX, "-c", conf_dir / "nginx.conf", "-e", conf_dir / "error.log", "-g", directives],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes["nginx"] = (process, log)
        self._wait_for_port("nginx", self.ports["nginx"])
        return process

    def _wait_for_port(self, role, port, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes[role][0]
            if process.poll() is not None:
                raise RuntimeError(f"{role} exited at start:\n{self.log(role)[-3000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{role} did not listen on {port} within {timeout} s:\n{self.log(role)[-3000:]}")

    def stop(self, role, sig=signal.SIGTERM):
        process, log = self.processes.pop(role)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()

    def log(self, role):
        path = self.work / ("nginx/error.log" if role == "nginx-error" else f"{role}.log")
        return path.read_text(errors="replace") if path.exists() else ""

    def post_form(self, path, fields, *, source="127.0.0.1", headers=None):
        """GET `path` through nginx for a CSRF cookie and token, then POST `fields` to it, both
        from the loopback address `source` (127.0.0.2 is another client to nginx). `headers`
        go with both requests. Returns (status, Location or "", body)."""
        host, port = self.url.removeprefix("http://").split(":")
        headers = dict(headers or {})

        def request(method, body=None, extra=None):
            connection = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
            try:
                connection.request(method, path, body=body, headers={**headers, **(extra or {})})
                response = connection.getresponse()
                return response, response.read().decode(errors="replace")
            finally:
                connection.close()

        response, page = request("GET")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
        body = urlencode({**fields, "csrfmiddlewaretoken": token})
        content = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
        response, text = request("POST", body, content)
        return response.status, response.getheader("Location") or "", text

    def get(self, path, *, cookie="", headers=None, method="GET", data=None):
        """(status, headers, body) of a request through nginx; errors are answers too."""
        headers = {**({"Cookie": cookie} if cookie else {}), **(headers or {})}
        request = urllib.request.Request(self.url + path, headers=headers, method=method, data=data)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own stack)
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def login(self, user):
        """A Cookie header value logging `user` in: a session signed with the stack's key."""
        client = Client()
        with override_settings(SECRET_KEY=self.env["SECRET_KEY"]):
            client.force_login(user)
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    def cache_files(self):
        """The files nginx stored in its page cache (entries; no temporary files)."""
        return sorted(path for path in self.cache_dir.rglob("*") if path.is_file())

    def wait_until_up(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=3):  # noqa: S310
                    return
            except urllib.error.HTTPError:
                return  # answering, if not healthy: good enough to test against
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the stack did not answer within {timeout} s:\n{self.log('web')[-3000:]}")

    def __enter__(self):
        try:
            for role in self.roles:
                if role != "nginx":
                    self.start(role)
            if "nginx" in self.roles:
                self.start("nginx")
                self.wait_until_up()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for role in list(self.processes)[::-1]:
            self.stop(role)
        shutil.rmtree(self.cache_dir, ignore_errors=True)
