"""The read path through nginx, as deployed (issue 15); prints one table.

For each size (`--papers`, default 687 = ICLR 2020 and 20,000) it seeds a PostgreSQL
database of its own (`read_path_bench_<n>`, dropped first) the way bench/seed_papers.py
does it (papers from ../shared/data/iclr2020 recombined, 20 poster sessions, assignment,
discovery; a registered account), gives the account 50 stars, and starts the production
topology: gunicorn with deploy/gunicorn.conf.py through deploy/start.sh (production's
worker count) and nginx with deploy/nginx/portal.conf.template rendered by
render-local.sh (NGINX_PAGE_RENDERS from the environment, else its default: 4 page
requests at a time to gunicorn's 5 workers), its page cache in a folder of its own. The
same nginx also serves a folder of static files on a second port: each page's body is
saved there, so every page is measured next to nginx sending the very same bytes from
disk.

Rows (wrk, closed loop, `--connections` connections, from bench/_load.py):

- the paper page (anonymous; logged in with a session and a tz cookie), home, /papers/,
  /schedule/, /now/: req/s through nginx, and the same bytes as a static file, with our
  share of it and the X-Cache-Status nginx gave 20 requests after the run (MISS means
  the page is not cacheable yet: Django sent no public Cache-Control);
- with `--booths` (300) and `--jobs` (2,000), seeded by bench/booths_pages.py: /booths/,
  a booth page, /sponsors/ and /sponsors/jobs/ the same way (issue 17: "at least as fast
  as the paper page");
- `/me/state.json` for the logged-in visitor (50 stars): bare, and with the query the
  paper page makes static/js/state.js send before its sessions end (its poster sessions'
  call slots and its chat room, opened as the first visitor's socket opens it);
- a cold page at the largest size: nginx restarted on an empty cache directory, the
  Redis cache flushed, then one visitor opening `--cold` paper pages never opened
  before, one after the other: p50/p99 of the time to the last byte;
- the release, three times: `--clients` clients (2,000) opening random paper pages of
  all N at once: req/s, p99 and the count of answers other than 2xx (5xx included) and
  socket errors. First the release as it happens (spread_release_row): every paper's
  recording released at one instant on a portal already serving every page, measured
  from the instant for PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS and `--seconds` more; the
  notes say whether the videos then show. Then every copy in nginx expired at once
  (what PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS=0 does at a release; it waits
  PORTAL_PUBLIC_PAGE_SECONDS for that), with how long the page from before was still
  sent. Then the worst case: nginx's cache empty and Redis flushed.
  Before them, the same crowd against nginx alone (static_crowd: N static files, each
  with the paper page's bytes): what this machine gives at that concurrency with no cache and no
  Django, the release rows' "static" figures.
  wrk corrects its percentiles for coordinated omission (stats_correct: an answer that
  took T adds samples for the requests its connection would have sent meanwhile), so a
  few hundred answers that wait seconds for Django move the p99 of 250,000; the notes
  give p50 and p90 too.

    BENCH_REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/read_path.py \\
        [--papers 687 20000] [--seconds 10] [--clients 2000] [--reuse] [--quick] [--only-release]

`--quick` checks the script in about a minute: 120 papers, 2 s a row, 200 clients, 30
cold pages. Needs PostgreSQL (BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432),
a Redis database of its own (BENCH_REDIS_URL, emptied), nginx and wrk. Run it on a quiet
machine, from a snapshot of a commit (`git archive`), not a checkout being edited.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench._load import cpu_speed, percentile, saturation  # noqa: E402
from bench.seed_papers import POSTGRES, database_exists, free_port, log, recreate_database  # noqa: E402

PYTHON = str(REPO / ".venv" / "bin" / "python")
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
# One key for the seeding child (which signs the session) and the server.
SECRET_KEY = "read-path-bench-not-a-secret-" + "x" * 40
CSRF_SECRET = "readPathBenchCsrfSecret" + "x" * 9  # 32 letters, as Django makes them
STARS = 50
ZONE = "Europe/Berlin"
BENCH_VIDEOS = "https://videos.example.org/read-path-bench/"


# --- Facts of a seeded database (runs in a child whose DATABASE_URL is the bench's) --------


def facts():
    """The bench account with STARS stars, a session for it; the pages to visit; as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from booths.models import Booth
    from chat.rooms import open_room
    from portal.models import User
    from posters.models import Bookmark, Paper

    user = User.objects.get(email="bench@example.org")
    uids = list(Paper.objects.order_by("uid").values_list("uid", flat=True))
    # The paper page the rows measure: its chat room stored, as the first socket stores it.
    open_room(f"paper:{uids[len(uids) // 2]}")
    have = set(Bookmark.objects.filter(user=user).values_list("paper_id", flat=True))
    more = Paper.objects.exclude(id__in=have).order_by("uid").values_list("id", flat=True)[: max(0, STARS - len(have))]
    Bookmark.objects.bulk_create([Bookmark(user=user, paper_id=pk) for pk in more])
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(
        json.dumps(
            {
                "papers": Paper.objects.count(),
                "stars": Bookmark.objects.filter(user=user).count(),
                "cookie": f"sessionid={session.session_key}",
                "uids": uids,
                "booths": Booth.objects.public().count(),
                "booth": Booth.objects.public().order_by("slug").values_list("slug", flat=True).first(),
                # What the server started with the same environment keeps pages for.
                "lifetime": settings.PORTAL_PUBLIC_PAGE_SECONDS,
                "spread": settings.PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS,
            }
        )
    )


def recordings_at(when):
    """Every paper's recording (a video hosted elsewhere, as an author may give one) released
    at `when` (epoch seconds), as the release rule stores it; "clear" deletes them again."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from datetime import UTC, datetime

    from posters.models import Paper
    from schedule.recordings.models import Recording

    bench = Recording.objects.filter(external_url__startswith=BENCH_VIDEOS)
    bench.delete()
    if when == "clear":
        return
    at = datetime.fromtimestamp(float(when), UTC)
    Recording.objects.bulk_create(
        Recording(
            subject_key=f"paper:{uid}",
            title=title[:500],
            external_url=f"{BENCH_VIDEOS}{uid}",
            release_day=at.date(),
            release_at=at,  # bulk_create skips save(): the instant as given, not the 02:00 rule's
            status=Recording.Status.READY,
        )
        for uid, title in Paper.objects.values_list("uid", "title").iterator()
    )


# --- Processes --------------------------------------------------------------------------------


class Stack:
    """gunicorn (deploy/start.sh web) and nginx (the template + a static server) for one database."""

    def __init__(self, database_url, workdir):
        self.workdir = Path(workdir)
        self.static_pages = self.workdir / "pages"
        self.static_pages.mkdir(parents=True, exist_ok=True)
        self.web_port, self.port, self.static_port = free_port(), free_port(), free_port()
        self.env = {
            **os.environ,
            "PATH": f"{REPO / '.venv' / 'bin'}:{os.environ.get('PATH', '')}:/usr/sbin:/sbin",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ["BENCH_REDIS_URL"],
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_MANIFEST": "1",
            "STATIC_ROOT": str(self.workdir / "static"),
            "LOG_LEVEL": "WARNING",
            "BIND": f"127.0.0.1:{self.web_port}",
            # The live conference (its dates are ICLR 2020's; by the calendar it is archived).
            "PORTAL_PHASE": "live",
        }
        self.web = self.nginx = None

    def collect_static(self):
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=REPO, env=self.env, check=True
        )

    def start_web(self):
        # No access log, as in production (deploy/gunicorn.conf.py: nginx keeps it); errors
        # to a file whose tracebacks are shown at the end.
        self.web_log = open(self.workdir / "web.log", "wb")  # noqa: SIM115  (closed in close)
        self.web = subprocess.Popen(
            ["bash", str(REPO / "deploy" / "start.sh"), "web"],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.web_log,
            start_new_session=True,
        )
        wait_for(self.web_port, self.web, "gunicorn")

    def start_nginx(self, access_log=False):
        """nginx on an empty page cache: the template as deployed, plus the static server;
        with `access_log`, each answer's time and X-Cache-Status in `self.access_log`."""
        conf = self.workdir / "nginx"
        cache = self.workdir / "nginx-cache"
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()
        render = {
            **self.env,
            "NGINX_LISTEN": f"127.0.0.1:{self.port}",
            "NGINX_WEB_UPSTREAM": f"127.0.0.1:{self.web_port}",
            "NGINX_WS_UPSTREAM": f"127.0.0.1:{free_port()}",
            "NGINX_STATIC_ROOT": self.env["STATIC_ROOT"],
            "NGINX_MEDIA_ROOT": str(self.workdir / "media"),
            "NGINX_CACHE_DIR": str(cache),
        }
        subprocess.run(["bash", str(REPO / "deploy/nginx/render-local.sh"), str(conf)], env=render, check=True)
        # render-local.sh's main config is for tests (one worker, 256 connections); the
        # image's (deploy/nginx/nginx.conf): a worker per core, room for thousands of
        # clients, each worker accepting every waiting connection at once (multi_accept).
        # No access log on either server, so the comparison is even (but for the release
        # that reads it).
        self.access_log = conf / "access.log"
        logging = (
            "    log_format bench '$msec $upstream_cache_status $status $uri';\n"
            f"    access_log {self.access_log} bench buffer=256k flush=1s;\n"
            if access_log
            else "    access_log off;\n"
        )
        temp = "".join(
            f"    {kind}_temp_path {conf / 'tmp' / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (conf / "nginx.conf").write_text(
            f"worker_processes auto;\nworker_rlimit_nofile 16384;\npid {conf}/nginx.pid;\n"
            f"error_log {conf}/error.log warn;\n"
            "events { worker_connections 8192; multi_accept on; }\n"
            "http {\n"
            "    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            "    sendfile on;\n    keepalive_timeout 65;\n"
            f"{logging}{temp}"
            f"    include {conf}/conf.d/*.conf;\n"
            f"    server {{ listen 127.0.0.1:{self.static_port}; root {self.static_pages}; }}\n"
            "}\n"
        )
        # Workers (nobody, when started as root) read the saved pages and write the cache.
        for folder in (self.workdir, self.static_pages):
            folder.chmod(0o755)
        self.nginx = subprocess.Popen(
            [NGINX, "-c", str(conf / "nginx.conf"), "-e", str(conf / "error.log"), "-g", "daemon off;"],
            start_new_session=True,
        )
        wait_for(self.port, self.nginx, "nginx")

    def restart_nginx(self, access_log=False):
        stop(self.nginx)
        self.start_nginx(access_log)

    def get(self, path, cookie=""):
        """(status, X-Cache-Status, body) through nginx."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            return response.status, response.headers.get("X-Cache-Status") or "-", response.read()
        finally:
            connection.close()

    def close(self):
        for process in (self.nginx, self.web):
            stop(process)
        if self.web is not None:
            self.web_log.close()
            errors = (self.workdir / "web.log").read_text(errors="replace")
            if "Traceback" in errors:
                log(f"gunicorn logged errors (the last of them):\n{errors[-3000:]}")


def wait_for(port, process, name):
    import socket

    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on {port}")


def stop(process):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def flush_redis():
    import redis

    redis.Redis.from_url(os.environ["BENCH_REDIS_URL"]).flushdb()


# --- Measurements ------------------------------------------------------------------------------


def cache_statuses(stack, path, cookie, samples=20):
    """How nginx answered `samples` requests, e.g. "HIT 20/20" or "MISS 20/20"."""
    counts = {}
    for _ in range(samples):
        status = stack.get(path, cookie)[1]
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{status} {n}/{samples}" for status, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def errors_of(result):
    return result.non_2xx + result.errors


def page_row(stack, size, name, visitor, path, cookie, seconds, connections):
    status, _, body = stack.get(path, cookie)
    if status != 200:
        log(f"[{size}] {name} / {visitor}: HTTP {status}")
    static_name = re.sub(r"[^a-z0-9]+", "-", f"{name} {visitor}".lower()).strip("-") + ".html"
    (stack.static_pages / static_name).write_bytes(body)
    targets = [(path, cookie)]
    url = f"http://127.0.0.1:{stack.port}"
    saturation(url, targets, 1, connections=connections, timeout=60)  # warm-up: connections, the cache
    ours = saturation(url, targets, seconds, connections=connections, timeout=60)
    cache = cache_statuses(stack, path, cookie)
    static = saturation(f"http://127.0.0.1:{stack.static_port}", [f"/{static_name}"], seconds, connections=connections)
    log(f"[{size}] {name} / {visitor}: {ours.rps:,.0f} req/s (p50 {ours.p50} ms); static {static.rps:,.0f}; {cache}")
    return (
        size,
        name,
        visitor,
        f"{len(body):,}",
        f"{ours.rps:,.0f}",
        f"{ours.p99:.1f}",
        f"{static.rps:,.0f}",
        f"{ours.rps / static.rps:.1%}" if static.rps else "-",
        cache + (f"; {errors_of(ours)} errors" if errors_of(ours) else ""),
    )


def state_path(html):
    """/me/state.json with the query static/js/state.js builds for this page's HTML before
    its calls end (state.js leaves out those the page says have ended, as every call in the
    bench's 2020 sessions has): its call slots, chat rooms and features' parts
    (`data-state-part` / `data-state-key`)."""
    from urllib.parse import urlencode

    def found(pattern):
        return list(dict.fromkeys(re.findall(pattern, html)))

    query = {"calls": found(r'data-call-slot="([^"]+)"'), "rooms": found(r'data-chat-room="([^"]+)"')}
    for part in found(r'data-state-part="([^"]+)"'):
        query[part] = found(rf'data-state-part="{re.escape(part)}" data-state-key="([^"]+)"')
    query = {name: ",".join(keys) for name, keys in query.items() if keys}
    return "/me/state.json" + (f"?{urlencode(query, safe=':,')}" if query else "")


def state_row(stack, size, name, path, cookie, args):
    url = f"http://127.0.0.1:{stack.port}"
    status = stack.get(path, cookie)[0]
    saturation(url, [(path, cookie)], 1, connections=args.connections, timeout=60)
    state = saturation(url, [(path, cookie)], args.seconds, connections=args.connections, timeout=60)
    notes = f"HTTP {status}; {path.partition('?')[2] or 'no keys'}"
    if errors_of(state):
        notes += f"; {errors_of(state)} non-2xx or errors"
    return (size, name, "logged in", "", f"{state.rps:,.0f}", f"{state.p99:.1f}", "", "", notes)


def cold_row(stack, size, uids, count):
    """Paper pages never opened before, one at a time, on empty caches: time to last byte."""
    stack.restart_nginx()
    flush_redis()
    # Start-up first (each gunicorn worker imports and compiles on its first requests),
    # on pages that are not measured; then the caches are emptied again.
    for uid in uids[-20:]:
        stack.get(f"/papers/{uid}/")
    stack.get("/")
    stack.restart_nginx()
    flush_redis()
    times, statuses = [], {}
    for uid in uids[:count]:
        started = time.perf_counter()
        status, cache, _ = stack.get(f"/papers/{uid}/")
        times.append((time.perf_counter() - started) * 1000)
        statuses[(status, cache)] = statuses.get((status, cache), 0) + 1
    seen = ", ".join(f"{status} {cache} {n}" for (status, cache), n in statuses.items())
    log(f"[{size}] cold paper page: p50 {percentile(times, 50):.1f} ms, p99 {percentile(times, 99):.1f} ms ({seen})")
    return (
        size,
        f"cold paper page ({count} never opened, one at a time)",
        "anonymous",
        "",
        "",
        f"{percentile(times, 99):.1f}",
        "",
        "",
        f"p50 {percentile(times, 50):.1f} ms; {seen}",
    )


def open_every_page(stack, paths, threads=4):
    """Each page opened once through nginx (a few at a time): the day's visitors before 02:00."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(lambda path: stack.get(path)[0], paths))
    return sum(status != 200 for status in statuses)


def stale_answers(access_log, since):
    """From nginx's log after `since` (epoch s): the answers by X-Cache-Status, and for
    each page the seconds from `since` to the last copy from before it that was sent
    (STALE or UPDATING: nginx answering while Django renders the page afresh)."""
    counts, last_stale = {}, {}
    for line in access_log.read_text().splitlines():
        at, status, _code, uri = line.split(" ", 3)
        if float(at) < since or not uri.startswith("/papers/"):
            continue
        counts[status] = counts.get(status, 0) + 1
        if status in ("STALE", "UPDATING"):
            last_stale[uri] = float(at) - since
    return counts, sorted(last_stale.values())


def cache_shares(counts):
    total = sum(counts.values()) or 1
    return ", ".join(f"{status} {n / total:.0%}" for status, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def static_crowd(stack, size, uids, clients, seconds):
    """The release's crowd against nginx alone: the same clients opening random pages of N,
    each a static file of its own holding the paper page's bytes (N files in memory, as
    nginx's cache holds N; hard links of one file would be one page). What this machine
    gives at that concurrency with neither the cache nor Django: the release rows are
    compared with it."""
    body = stack.get(f"/papers/{uids[0]}/")[2]
    folder = stack.static_pages / "crowd"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for uid in uids:
        (folder / f"{uid}.html").write_bytes(body)
    url, targets = f"http://127.0.0.1:{stack.static_port}", [f"/crowd/{uid}.html" for uid in uids]
    result = saturation(url, targets, seconds, connections=clients, threads=2, timeout=60)
    notes = f"; p50 {result.p50:.1f} ms, p90 {result.p90:.1f} ms; {len(body):,} bytes"
    log(f"[{size}] the release's crowd on nginx static: {result.rps:,.0f} req/s, p99 {result.p99:.1f} ms{notes}")
    what = f"nginx static: {len(uids):,} files of the paper page's bytes, no cache, no Django"
    return result, crowd_row(size, clients, what, result, notes)


def crowd_row(size, clients, what, result, notes, static=None):
    log(f"[{size}] release ({what}): {clients} clients, {result.rps:,.0f} req/s, p99 {result.p99:.1f} ms{notes}")
    if static is not None:
        notes += f"; static p99 {static.p99:.1f} ms"
    return (
        size,
        f"release: {clients:,} clients, random paper pages ({what})",
        "anonymous",
        "",
        f"{result.rps:,.0f}",
        f"{result.p99:.1f}",
        f"{static.rps:,.0f}" if static else "",
        f"{result.rps / static.rps:.1%}" if static and static.rps else "",
        f"{result.non_2xx} non-2xx (5xx among them), {result.errors} socket errors; max {result.max:.0f} ms{notes}",
    )


def release_row(stack, size, uids, clients, seconds, lifetime, opened_before=False, static=None):
    """The 02:00 release, `clients` opening random papers of all N at once.

    Without `opened_before`: nginx's and Django's caches empty (a restart at the worst
    moment): every page's first request is a render. With it: every page was opened once
    before 02:00 and every entry has expired at once, as at a release without the spread
    (PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS=0): nginx answers from the copy it has while one request
    a page renders it afresh (`proxy_cache_use_stale updating`, background update). The
    notes then say how long visitors were still sent the page from before the release."""
    stack.restart_nginx(access_log=opened_before)
    flush_redis()
    url = f"http://127.0.0.1:{stack.port}"
    targets = [f"/papers/{uid}/" for uid in uids]
    notes = ""
    if opened_before:
        started = time.perf_counter()
        failed = open_every_page(stack, targets)
        log(f"[{size}] opened all {len(targets)} pages before the release in {time.perf_counter() - started:.0f} s")
        # PORTAL_PUBLIC_PAGE_SECONDS after the last: every copy nginx holds has expired.
        time.sleep(lifetime + 1)
        flush_redis()  # the release changes what Django's fragments show: none kept
        release = time.time()
    # A slow answer is a latency here, not an error: wrk waits up to 60 s for each.
    result = saturation(url, targets, seconds, connections=clients, threads=2, timeout=60)
    if opened_before:
        time.sleep(1.5)  # nginx writes its log every second
        counts, stale = stale_answers(stack.access_log, release)
        notes = f"; {cache_shares(counts)}"
        if stale:
            notes += (
                f"; the page from before sent until {percentile(stale, 50):.1f} s after the release "
                f"(p50 of {len(stale):,} pages), {stale[-1]:.1f} s at most"
            )
        if failed:
            notes += f"; {failed} pages failed while opening"
    what = "pages opened before, every copy expired at once: no spread" if opened_before else "caches empty"
    notes = f"; p50 {result.p50:.1f} ms, p90 {result.p90:.1f} ms{notes}"
    return crowd_row(size, clients, what, result, notes, static)


def spread_release_row(stack, size, uids, clients, seconds, spread, child, static=None):
    """The 02:00 release as it happens: every paper's recording released at one instant
    (`recordings_at`: the instant the release rule stores), on a portal already running.

    Every page is opened once before the instant (a few at a time, as the day's visitors
    do; each copy kept until the release, or up to PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS
    after it at the page's own point, or PORTAL_PUBLIC_PAGE_SECONDS if that is sooner),
    `clients` open random paper pages for the last seconds before it (not measured), then
    again from the instant for the spread and `seconds` more: that run is measured. The
    notes give nginx's answers by X-Cache-Status and how many of 20 pages opened after the
    run show their video (all of them, or the release did not happen), and how many of
    those the sample's own request rendered afresh (still expired after the run)."""
    stack.restart_nginx(access_log=True)
    flush_redis()
    url = f"http://127.0.0.1:{stack.port}"
    targets = [f"/papers/{uid}/" for uid in uids]
    # Room to store the recordings and open every page (about 10 ms a page) before it.
    release = time.time() + 20 + len(uids) * 0.02
    child("--recordings-at", f"{release:.3f}")
    try:
        started = time.perf_counter()
        failed = open_every_page(stack, targets)
        opened, left = time.perf_counter() - started, release - time.time()
        log(f"[{size}] opened all {len(targets)} pages in {opened:.0f} s; the release in {left:.0f} s")
        before = int(left) - 1
        if before >= 1:
            saturation(url, targets, min(before, 5), connections=clients, threads=2, timeout=60)
        time.sleep(max(0.0, release - time.time()))
        result = saturation(url, targets, spread + seconds, connections=clients, threads=2, timeout=60)
        time.sleep(1.5)  # nginx writes its log every second
        counts, _ = stale_answers(stack.access_log, release)
        sample = targets[:: max(1, len(targets) // 20)][:20]
        # A page found expired is rendered afresh by the sample's own request (no refresh
        # in the background): counted apart, it says nothing of the run.
        answers = [stack.get(path) for path in sample]
        shown = sum(BENCH_VIDEOS.encode() in body for _, _, body in answers)
        fresh = sum(cache == "EXPIRED" and BENCH_VIDEOS.encode() in body for _, cache, body in answers)
    finally:
        child("--recordings-at", "clear")
    notes = f"; p50 {result.p50:.1f} ms, p90 {result.p90:.1f} ms; {cache_shares(counts)}"
    notes += f"; the video shown after the run on {shown}/{len(sample)} pages"
    if fresh:
        notes += f" ({fresh} rendered afresh by that request)"
    if failed:
        notes += f"; {failed} pages failed while opening"
    what = f"every recording released at one instant, copies spread over {spread} s"
    return crowd_row(size, clients, what, result, notes, static)


def bench_size(size, args, rows, largest):
    name = f"read_path_bench_{size}"
    database_url = f"{POSTGRES}/{name}"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY}
    env.pop("REDIS_URL", None)
    info = None
    if args.reuse and database_exists(name):
        out = subprocess.run([PYTHON, __file__, "--facts"], cwd=REPO, env=env, capture_output=True, text=True)
        info = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 and out.stdout.strip() else None
        if info and info["papers"] != size:
            info = None
    if info is None:
        recreate_database(name)
        log(f"[{size}] seeding (bench/seed_papers.py: papers, sessions, assignment, discovery) …")
        subprocess.run(
            [PYTHON, str(REPO / "bench" / "seed_papers.py"), str(size)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        out = subprocess.run(
            [PYTHON, __file__, "--facts"], cwd=REPO, env=env, capture_output=True, text=True, check=True
        )
        info = json.loads(out.stdout.strip().splitlines()[-1])
    else:
        log(f"[{size}] reusing {name}")
    if args.booths and not info.get("booths"):
        log(f"[{size}] seeding {args.booths} booths and {args.jobs} jobs (bench/booths_pages.py --seed-only) …")
        seed = [str(REPO / "bench" / "booths_pages.py"), "--seed-only", "--booths", str(args.booths)]
        subprocess.run([PYTHON, *seed, "--jobs", str(args.jobs)], cwd=REPO, env=env, check=True)
        out = subprocess.run(
            [PYTHON, __file__, "--facts"], cwd=REPO, env=env, capture_output=True, text=True, check=True
        )
        info = json.loads(out.stdout.strip().splitlines()[-1])
    uids, cookie = info["uids"], info["cookie"]
    # What a logged-in browser sends: its session, the CSRF cookie (its log-in form set it;
    # without it every state answer would set a new one) and its zone.
    logged_in = f"{cookie}; csrftoken={CSRF_SECRET}; tz={ZONE}"
    workdir = tempfile.mkdtemp(prefix="read-path-bench-")
    stack = Stack(database_url, workdir)
    try:
        stack.collect_static()
        flush_redis()
        stack.start_web()
        stack.start_nginx()
        paper = f"/papers/{uids[len(uids) // 2]}/"
        pages = [
            ("paper page", "anonymous", paper, ""),
            ("paper page", "logged in", paper, logged_in),
            ("home", "anonymous", "/", ""),
            ("/papers/", "anonymous", "/papers/", ""),
            ("/schedule/", "anonymous", "/schedule/", ""),
            ("/now/", "anonymous", "/now/", ""),
        ]
        if info.get("booth"):
            pages += [
                (f"/booths/ ({info['booths']} booths)", "anonymous", "/booths/", ""),
                ("a booth page", "anonymous", f"/booths/{info['booth']}/", ""),
                ("/sponsors/", "anonymous", "/sponsors/", ""),
                (f"/sponsors/jobs/ ({args.jobs:,} jobs)", "anonymous", "/sponsors/jobs/", ""),
            ]
        # Every gunicorn worker loads the portal on its first requests (seconds on a busy
        # machine): done before anything is measured.
        url = f"http://127.0.0.1:{stack.port}"
        warm = [(path, page_cookie) for _, _, path, page_cookie in pages]
        saturation(url, warm, max(3, args.seconds // 2), connections=args.connections, timeout=60)
        if not args.only_release:
            for page, visitor, path, page_cookie in pages:
                rows.append(page_row(stack, size, page, visitor, path, page_cookie, args.seconds, args.connections))
            # The bare request (the figure the issue names), then the one the paper page makes.
            page_state = state_path(stack.get(paper)[2].decode())
            for what, path in (
                ("", "/me/state.json"),
                (", as a paper page asks it before its sessions end", page_state),
            ):
                name = f"/me/state.json ({info['stars']} stars){what}"
                rows.append(state_row(stack, size, name, path, logged_in, args))
            if largest:
                rows.append(cold_row(stack, size, uids, args.cold))

        def child(*child_args):
            subprocess.run([PYTHON, __file__, *child_args], cwd=REPO, env=env, stdout=subprocess.DEVNULL, check=True)

        release = (stack, size, uids, args.clients, args.seconds)
        static, row = static_crowd(*release)
        rows.append(row)
        rows.append(spread_release_row(*release, info["spread"], child, static=static))
        if not args.only_release:
            rows.append(release_row(*release, info["lifetime"], opened_before=True, static=static))
            rows.append(release_row(*release, info["lifetime"], static=static))
    finally:
        stack.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[687, 20000])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16, help="wrk's connections for the page rows")
    parser.add_argument("--clients", type=int, default=2000, help="concurrent clients at the release")
    parser.add_argument("--cold", type=int, default=300, help="cold paper pages to time")
    parser.add_argument("--booths", type=int, default=300, help="public booths to seed (0: no booth rows)")
    parser.add_argument("--jobs", type=int, default=2000, help="sponsors' jobs to seed with the booths")
    parser.add_argument("--reuse", action="store_true", help="keep a bench database of the right size")
    parser.add_argument("--quick", action="store_true", help="check the script: small sizes, short rows")
    parser.add_argument("--facts", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--recordings-at", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only-release",
        action="store_true",
        help="only the release as it happens (to try PORTAL_PUBLIC_PAGE_SECONDS and _CHANGE_SPREAD_SECONDS)",
    )
    args = parser.parse_args()
    if args.facts:
        facts()
        return
    if args.recordings_at:
        recordings_at(args.recordings_at)
        return
    if not os.environ.get("BENCH_REDIS_URL"):
        parser.error("set BENCH_REDIS_URL (e.g. redis://127.0.0.1:6379/4): a Redis database the bench may empty")
    if not NGINX or not shutil.which("wrk"):
        parser.error("needs nginx and wrk (apt-get install nginx wrk)")
    if args.quick:
        args.papers, args.seconds, args.clients, args.cold = [120], 2, 200, 30
    rows = []
    speed_before = cpu_speed()
    for size in args.papers:
        bench_size(size, args, rows, largest=size == max(args.papers))
    header = (
        "papers",
        "what",
        "visitor",
        "bytes",
        "req/s via nginx",
        "p99 ms",
        "nginx static req/s",
        "% of static",
        "notes (X-Cache-Status of 20 requests after the run)",
    )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print(
        f"\n{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end (the machine is shared); "
        f"wrk with {args.connections} connections for {args.seconds} s a row."
    )
    print(f"CPU speed (bench._load.cpu_speed, lower is faster): {speed_before:.1f} ms before, {cpu_speed():.1f} after.")


if __name__ == "__main__":
    main()
