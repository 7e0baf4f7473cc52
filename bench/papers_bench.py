"""Benchmark of the papers pages, search and discovery; prints a table.

For each size (default 2,000 and 20,000 papers) it creates a PostgreSQL database of its
own (`papers_bench_<n>`, dropped first), migrates it and fills it with papers generated
from the ICLR 2020 texts in ../shared/data (titles, abstracts, keywords and author names
recombined), 20 poster sessions on ICLR's grid, and assigns the papers with
`assign_posters`. It times `compute_discovery` (similar papers + map), then serves the
portal with gunicorn as deployed (deploy/gunicorn.conf.py, 2 sync worker processes) and
drives it over HTTP:

- saturation: `wrk` (closed loop, 16 connections), and
- latency at a fixed rate (open loop, each request timed from when it was due, so a
  stall is counted): the paper page at 200 requests/s, the browser's first page and a
  search at 100 requests/s; both from bench/_load.py, as the schedule bench uses them;
- the paper page twice: *cold* (the page cache emptied first, every one of the N papers
  at random, so most visits are first visits that render) and *warm* (every paper's
  shared page rendered first by the portal's warming task, `posters.warm_paper_pages`, in a
  Celery worker of 2 processes, as after an import, discovery or assignment; see
  posters/warming.py). Warm
  visitors are spread over 12 time zones (the page is rendered once for every zone),
  and the row reports the share of 300 sampled visits served from the cache;

for an anonymous and a logged-in (registered) visitor. Last, nginx serves the bytes of
one paper page as a static file and `wrk` measures it: our throughput is reported as a
fraction of that physical limit.

    .venv/bin/python bench/papers_bench.py [--sizes 2000 20000] [--seconds 10] [--reuse]

`--reuse` keeps a bench database left by an earlier run with the right number of papers
(no seeding; its discovery and assignment times are then not measured).

Run it from a snapshot of a commit (`git archive HEAD | tar -x -C /tmp/wt`, with .venv
linked in), not from a checkout someone is editing: gunicorn imports the URLconf on the
first request, and a half-saved file elsewhere (e.g. a view importing a name its module
does not have yet) makes every request a 500 while it lasts. A row's "(N errors)" counts
answers other than 200 (wrk's Non-2xx or 3xx and the open loop's); gunicorn's log (this
process's stderr) has their tracebacks.

Needs PostgreSQL (BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432) and a Redis
database of its own (BENCH_REDIS_URL: the cache and the warming worker's broker; emptied).
The machine is shared: treat figures as indicative and compare runs made on a quiet machine.
"""

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("PORTAL_SHARED_DATA", REPO.parent / "shared" / "data"))
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
sys.path.insert(0, str(REPO))
from bench._load import cpu_speed, fixed_rate, saturation  # noqa: E402  (wrk and the open-loop client, shared)

PYTHON = str(REPO / ".venv" / "bin" / "python")
GUNICORN = str(REPO / ".venv" / "bin" / "gunicorn")
CELERY = str(REPO / ".venv" / "bin" / "celery")
ZONES = [
    "UTC",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
]
QUERIES = [
    "graph neural",
    "reinforcement learning",
    "adversarial robustness",
    "transformer",
    "generalization",
    "bengio",
    "variational inference",
    "meta-learning",
    "pruning",
    "contrastive",
]


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- Seeding (runs in a child process whose DATABASE_URL is the bench database) ---------


def seed(size):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from datetime import UTC, datetime, timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils.text import slugify

    from portal.models import Conference, RegisteredEmail, User
    from posters.assignment import assign_posters
    from posters.discovery import compute_discovery
    from posters.models import Author, Authorship, Bookmark, Keyword, Paper, PaperKeyword
    from schedule.models import Session

    call_command("migrate", verbosity=0)
    Conference.get()
    notes = json.loads((SHARED_DATA / "iclr2020/sitedata/papers.json").read_text())
    notes = list(notes.values()) if isinstance(notes, dict) else notes
    rng = random.Random(size)
    firsts = sorted({a.split()[0] for n in notes for a in n["content"]["authors"] if a.split()})
    lasts = sorted({a.split()[-1] for n in notes for a in n["content"]["authors"] if a.split()})
    started = time.perf_counter()
    authors, keywords, papers, links, tags = {}, {}, [], [], []
    for i in range(size):
        base, other = notes[i % len(notes)]["content"], rng.choice(notes)["content"]
        sentences = base.get("abstract", "").split(". ") + other.get("abstract", "").split(". ")[:2]
        title = base["title"] if i < len(notes) else f"{base['title']} ({rng.choice(other['title'].split())})"
        papers.append(
            Paper(uid=f"bench{i:06d}", title=title[:500], abstract=". ".join(sentences), tldr=base.get("TL;DR", ""))
        )
        names = (
            base["authors"]
            if i < len(notes)
            else [f"{rng.choice(firsts)} {rng.choice(lasts)}" for _ in range(rng.randint(1, 6))]
        )
        links.append(list(dict.fromkeys(n[:300] for n in names)))
        tags.append(list(dict.fromkeys(k[:200] for k in (base.get("keywords") or [])[:6])))
        for name in links[-1]:
            authors.setdefault(name, None)
        for name in tags[-1]:
            keywords.setdefault(name, None)
    used = set()

    def unique_slug(name):
        slug = slugify(name, allow_unicode=True)[:280] or "x"
        candidate, n = slug, 1
        while candidate in used:
            n += 1
            candidate = f"{slug}-{n}"
        used.add(candidate)
        return candidate

    Author.objects.bulk_create([Author(name=n, slug=unique_slug(n)) for n in authors], batch_size=5000)
    used.clear()
    Keyword.objects.bulk_create([Keyword(name=n, slug=unique_slug(n)) for n in keywords], batch_size=5000)
    Paper.objects.bulk_create(papers, batch_size=2000)
    author_ids = dict(Author.objects.values_list("name", "id"))
    keyword_ids = dict(Keyword.objects.values_list("name", "id"))
    paper_ids = dict(Paper.objects.values_list("uid", "id"))
    Authorship.objects.bulk_create(
        [
            Authorship(paper_id=paper_ids[p.uid], author_id=author_ids[name], position=pos)
            for p, names in zip(papers, links, strict=True)
            for pos, name in enumerate(names)
        ],
        batch_size=5000,
    )
    PaperKeyword.objects.bulk_create(
        [
            PaperKeyword(paper_id=paper_ids[p.uid], keyword_id=keyword_ids[name], position=pos)
            for p, names in zip(papers, tags, strict=True)
            for pos, name in enumerate(names)
        ],
        batch_size=5000,
    )
    monday = datetime(2020, 4, 27, tzinfo=UTC)
    for day in range(4):
        for n, hour in enumerate((5, 8, 12, 17, 20)):
            start = monday + timedelta(days=day, hours=hour)
            Session.objects.create(
                uid=f"bench-poster-{day}-{n}",
                kind=Session.Kind.POSTER,
                title=f"Day {day + 1} session {n + 1}",
                start=start,
                end=start + timedelta(hours=2),
            )
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    assign_posters()
    assigned = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("UPDATE posters_posterslot SET call_link = 'https://video.example.org/j/' || id")
        cursor.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    run = compute_discovery()
    discovery = time.perf_counter() - started
    user = User.objects.create_user("bench@example.org", "bench-password", display_name="Bench")
    # A registered attendee: their address on the list, and verified (portal.models.verified_addresses).
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    RegisteredEmail.objects.create(email=user.email)
    Bookmark.objects.bulk_create([Bookmark(user=user, paper_id=pid) for pid in list(paper_ids.values())[:40]])
    _report(
        user,
        {
            "seed_s": round(seeded, 1),
            "assign_s": round(assigned, 1),
            "discovery_s": round(discovery, 1),
            "discovery_method": run.method,
        },
    )


def describe():
    """What `seed` prints, for a bench database seeded earlier (--reuse)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from portal.models import User

    _report(User.objects.get(email="bench@example.org"), {})


def _report(user, timings):
    """Print the bench's facts as one JSON line: a session cookie for `user`, the UIDs."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from posters.models import Paper, PosterSlot

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sample = list(Paper.objects.order_by("?").values_list("uid", flat=True)[:200])
    every = list(Paper.objects.order_by("uid").values_list("uid", flat=True))
    print(
        json.dumps(
            {
                "papers": Paper.objects.count(),
                "slots": PosterSlot.objects.count(),
                **timings,
                "cookie": f"sessionid={session.session_key}",
                "uids": sample,
                "all_uids": every,
            }
        )
    )


# --- Load ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(database_url, port):
    """gunicorn as deployed (deploy/gunicorn.conf.py: sync workers, their recycling, the
    access log, here to /dev/null), with 2 worker processes."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    env.update(REDIS_URL=os.environ["BENCH_REDIS_URL"], WEB_CONCURRENCY="2", BIND=f"127.0.0.1:{port}")
    env.update(LOG_LEVEL="WARNING", GUNICORN_THREADS="1")
    process = subprocess.Popen(
        [GUNICORN, "portal.wsgi:application", "--config", str(REPO / "deploy" / "gunicorn.conf.py")],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def nginx_static(body, seconds, workdir):
    if not shutil.which("nginx") or not shutil.which("wrk"):
        return None
    root = Path(workdir) / "www"
    root.mkdir(exist_ok=True)
    (root / "paper.html").write_bytes(body)
    port = free_port()
    conf = Path(workdir) / "nginx.conf"
    conf.write_text(
        f"worker_processes 2; pid {workdir}/nginx.pid; error_log {workdir}/nginx-error.log; daemon off;\n"
        "events { worker_connections 1024; }\n"
        f"http {{ access_log off; server {{ listen 127.0.0.1:{port}; root {root}; }} }}\n"
    )
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", workdir])
    try:
        time.sleep(0.5)
        return saturation(f"http://127.0.0.1:{port}", ["/paper.html"], seconds).rps
    finally:
        process.terminate()
        process.wait(10)


def flush_cache():
    """Empty the bench's Redis database (pages, fragments, sessions' cached copies)."""
    import redis

    redis.Redis.from_url(os.environ["BENCH_REDIS_URL"]).flushdb()


WAIT_FOR_WARMING = """
import time
from django.core.cache import cache
from posters import tasks
cache.delete(tasks.WARMED_KEY)
tasks.warm_paper_pages.delay()
while cache.get(tasks.WARMED_KEY) is None:
    time.sleep(0.2)
print(f"warmed by the worker in {tasks.CHUNK_PAPERS}-paper chunks")
"""


def warm_pages(database_url, port):
    """The portal's own warming: the Celery task `posters.warm_paper_pages`, run by a
    worker with the production concurrency (deploy/start.sh worker: 2 processes), for
    anonymous visitors and the bench account's class; returns when it marked the pages warm."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "REDIS_URL": os.environ["BENCH_REDIS_URL"],
    }
    worker = subprocess.Popen(
        [CELERY, "-A", "portal", "worker", "--concurrency", "2", "--loglevel", "warning"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,  # its banner; warnings and tracebacks go to stderr
    )
    try:
        out = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", WAIT_FOR_WARMING],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        worker.terminate()
        worker.wait(60)
    log(out.strip())


def settle(base_url, limit=180):
    """Wait until the server has worked off what an overloaded run left queued (answers
    /healthz within 0.2 s), so the next row measures only itself."""
    import urllib.request

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=5):  # noqa: S310 (http://127.0.0.1)
                pass
        except OSError:
            pass
        if time.monotonic() - started < 0.2:
            return
        time.sleep(1)


def database_exists(name):
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    connection.close()
    return found


def hit_ratio(base_url, targets, samples=300):
    """The share of `samples` random visits the page cache answered (its X-Page-Cache header)."""
    import urllib.request

    hits = 0
    for path, cookie in random.Random(1).choices(targets, k=samples):
        request = urllib.request.Request(base_url + path, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http://127.0.0.1 only)
            hits += response.headers.get("X-Page-Cache") == "hit"
    return hits / samples


def recreate_database(name):
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return f"{POSTGRES}/{name}"


def bench_size(size, seconds, rows, reuse=False):
    name = f"papers_bench_{size}"
    env = {**os.environ, "DATABASE_URL": f"{POSTGRES}/{name}"}
    env.pop("REDIS_URL", None)
    info = None
    if reuse and database_exists(name):
        out = subprocess.run(
            [PYTHON, __file__, "--describe", str(size)], cwd=REPO, env=env, capture_output=True, text=True
        ).stdout
        info = json.loads(out.strip().splitlines()[-1]) if out.strip() else None
        if info and info["papers"] != size:
            info = None
    if info is None:
        recreate_database(name)
        log(f"[{size}] seeding, assigning, computing discovery …")
        out = subprocess.run(
            [PYTHON, __file__, "--seed", str(size)], cwd=REPO, env=env, capture_output=True, text=True, check=True
        ).stdout
        info = json.loads(out.strip().splitlines()[-1])
    else:
        log(f"[{size}] reusing {name}")
    database_url = env["DATABASE_URL"]
    log(
        f"[{size}] {info['papers']} papers, {info['slots']} slots; seed {info.get('seed_s', '-')} s, "
        f"assign {info.get('assign_s', '-')} s, discovery {info.get('discovery_s', '-')} s"
    )
    if "discovery_s" in info:
        rows.append((size, "compute_discovery (similar + map)", "-", f"{info['discovery_s']} s", "", "", ""))
        rows.append((size, "assign_posters (K=2, 20 sessions)", "-", f"{info['assign_s']} s", "", "", ""))
    port = free_port()
    server = serve(database_url, port)
    base_url = f"http://127.0.0.1:{port}"
    workdir = tempfile.mkdtemp(prefix="papers-bench-")
    try:
        papers = len(info["all_uids"])
        pages = {
            f"paper page, cold ({papers:,} papers)": (
                [f"/papers/{uid}/" for uid in info["all_uids"]],
                200,
            ),
            f"paper page, warm (all {papers:,} warmed)": ([f"/papers/{uid}/" for uid in info["all_uids"]], 200),
            "browser, first page": (["/papers/"], 100),
            "search": ([f"/papers/?q={q.replace(' ', '+')}" for q in QUERIES], 100),
        }
        for name, (paths, rate) in pages.items():
            for visitor, cookie in (("anonymous", ""), ("logged in", info["cookie"])):
                if "cold" in name:
                    flush_cache()
                if "warm" in name and visitor == "anonymous":
                    # Every paper, for both visitors (the bench account's class too), by the
                    # warming task as after an import; timed, since a portal waits for it.
                    started = time.perf_counter()
                    warm_pages(database_url, port)
                    rows.append(
                        (
                            size,
                            "warming task (every paper, 2 visitor classes, 2 worker processes)",
                            "-",
                            f"{time.perf_counter() - started:.1f} s",
                            "",
                            "",
                            "",
                        )
                    )
                if "warm" in name:
                    # Visitors in many zones (each one's cookie), all served by one warm page.
                    zoned = [f"{cookie}; tz={zone}" if cookie else f"tz={zone}" for zone in ZONES]
                    targets = [(path, zoned[n % len(zoned)]) for n, path in enumerate(paths)]
                else:
                    targets = [(path, cookie) for path in paths]
                settle(base_url)
                saturation(base_url, targets, 1)  # warm up the workers and their connections
                full = saturation(base_url, targets, seconds)
                timed = fixed_rate("127.0.0.1", port, targets, seconds, rate)
                errors = full.non_2xx + full.errors + timed.non_2xx + timed.errors
                hits = f"; {hit_ratio(base_url, targets):.0%} hits" if "warm" in name else ""
                rows.append(
                    (
                        size,
                        name,
                        visitor,
                        f"{full.rps:,.0f}",
                        f"{rate}",
                        f"{timed.p50:.1f}",
                        f"{timed.p99:.1f}" + (f" ({errors} errors)" if errors else "") + hits,
                    )
                )
                log(f"[{size}] {name} / {visitor}: {full.rps:,.0f} req/s; p99 {timed.p99:.1f} ms at {rate}/s")
        body = subprocess.run(
            ["curl", "-s", f"http://127.0.0.1:{port}/papers/{info['uids'][0]}/"], capture_output=True, check=True
        ).stdout
        static = nginx_static(body, seconds, workdir)
        if static:
            warm_row = next(r for r in rows if r[0] == size and r[1].startswith("paper page, warm"))
            ours = float(warm_row[3].replace(",", ""))
            rows.append(
                (
                    size,
                    f"nginx static ({len(body):,} B page)",
                    "-",
                    f"{static:,.0f}",
                    "",
                    "",
                    f"ours = {ours / static:.1%}",
                )
            )
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="keep a bench database of the right size")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--describe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.seed)
        return
    if args.describe:
        describe()
        return
    if not os.environ.get("BENCH_REDIS_URL"):
        parser.error("set BENCH_REDIS_URL (e.g. redis://127.0.0.1:6379/4): the page cache and the warming use it")
    rows = []
    speed_before = cpu_speed()
    for size in args.sizes:
        bench_size(size, args.seconds, rows, reuse=args.reuse)
    header = ("papers", "what", "visitor", "req/s (saturation) / time", "fixed rate /s", "p50 ms", "p99 ms")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"\n{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end (the machine is shared).")
    print(
        f"CPU speed (bench._load.cpu_speed, lower is faster): {speed_before:.1f} ms before, {cpu_speed():.1f} ms after."
    )


if __name__ == "__main__":
    main()
