"""Benchmark of the schedule's feeds and day page; prints a table.

It empties the database it runs on, so give it a database of its own:

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE sched_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sched_bench .venv/bin/python bench/schedule_feeds.py

It migrates that database and loads the ICLR 2020 programme (its 17 calendars and site
data from ../shared/data, PORTAL_SHARED_DATA), the 687 ICLR papers with their 1,374
poster slots, and 2,000 generated papers with two poster slots each. Then it times:

- `/calendar.ics` (the whole programme) in-process, the first request after a change
  (nothing cached) and the following ones;
- a personal feed `/me/agenda.ics?token=…` with 50 items, first and following requests;
- `/schedule/<day>/` in-process, nothing cached and cached;
- `/schedule/<day>/` served by gunicorn with 2 sync worker processes, driven over HTTP
  (bench/_load.py): saturation throughput with `wrk` (closed loop, 16 connections), the
  same for `/help/` as the harness's ceiling, and latency at a fixed 200 requests/s
  (open loop, measured from each request's due time, so a stall is counted), for
  anonymous visitors across the conference's days in four zones.

Each row carries the 1-minute load average just before it was measured: the machine is
shared, so compare runs made on a quiet machine.
"""

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench._load import fixed_rate, percentile, saturation  # noqa: E402
from portal.models import Conference, User  # noqa: E402
from posters.models import Paper, PosterSlot  # noqa: E402
from schedule.agenda import add_to_agenda, agenda_settings_for  # noqa: E402
from schedule.models import AgendaItem, Session  # noqa: E402

SHARED_DATA = Path(os.environ.get("PORTAL_SHARED_DATA", REPO.parent / "shared" / "data"))
ZONES = ["Pacific/Auckland", "Asia/Kolkata", "Europe/Berlin", "America/Los_Angeles"]
DAYS = ["2020-04-26", "2020-04-27", "2020-04-28", "2020-04-29", "2020-04-30"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def load(generated):
    out = io.StringIO()
    call_command("flush", interactive=False, verbosity=0)
    conference = Conference.get()
    conference.name, conference.short_name, conference.time_zone = "ICLR 2020", "ICLR 2020", "Africa/Addis_Ababa"
    conference.save()
    iclr = SHARED_DATA / "iclr2020"
    call_command("import_papers", str(iclr / "sitedata" / "papers.json"), stdout=out)
    call_command("import_poster_slots", str(SHARED_DATA / "iclr2020_poster_slots.csv"), stdout=out)
    call_command("import_calendar", *sorted(str(p) for p in (iclr / "static").glob("*.ics")), stdout=out)
    call_command("import_schedule_yaml", str(iclr / "sitedata"), stdout=out)
    posters = list(Session.objects.filter(kind=Session.Kind.POSTER).order_by("start"))
    papers = Paper.objects.bulk_create(
        Paper(uid=f"gen{n:05d}", title=f"Generated paper {n}", abstract="Generated for the benchmark.")
        for n in range(generated)
    )
    PosterSlot.objects.bulk_create(
        PosterSlot(
            paper=paper, session=posters[(n + k * 7) % len(posters)], call_link=f"https://video.example.org/{n}/{k}"
        )
        for n, paper in enumerate(papers)
        for k in range(2)
    )
    log(
        f"  loaded {Session.objects.count()} sessions, {Paper.objects.count()} papers, "
        f"{PosterSlot.objects.count()} poster slots"
    )


def subscriber():
    user = User.objects.create_user("bench@example.org", "bench-password-123", time_zone="Asia/Kolkata")
    sessions = list(Session.objects.filter(parent__isnull=True).order_by("start")[:30])
    slots = list(PosterSlot.objects.select_related("paper", "session").order_by("id")[:20])
    for session in sessions:
        add_to_agenda(user, session)
    for slot in slots:
        add_to_agenda(user, slot.session, subject_key=f"paper:{slot.paper.uid}", label=f"Poster: {slot.paper.title}")
    if AgendaItem.objects.filter(user=user).count() != 50:
        raise RuntimeError("the subscriber should have 50 agenda items")
    return agenda_settings_for(user).feed_token


def time_requests(client, url, repeats, clear=False):
    """Milliseconds of each request (the cache emptied before each when `clear`)."""
    times = []
    for _ in range(repeats):
        if clear:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return times


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def targets():
    """Each day of the conference in each of the four zones (the zone rides in the tz cookie)."""
    return [(f"/schedule/{day}/", f"tz={zone}") for day in DAYS for zone in ZONES]


def serve(port, workers):
    env = {**os.environ, "DEBUG": "0", "PYTHONUNBUFFERED": "1"}
    command = [
        str(REPO / ".venv" / "bin" / "gunicorn"),
        "portal.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--backlog",
        "2048",
    ]
    server = subprocess.Popen(command, cwd=REPO, env=env)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated", type=int, default=2_000, help="Generated papers (default 2,000).")
    parser.add_argument("--seconds", type=float, default=15.0, help="Length of each HTTP run (default 15 s).")
    parser.add_argument("--rate", type=int, default=200, help="Fixed rate of the latency run (default 200/s).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2).")
    parser.add_argument("--yes", action="store_true", help="Run even when the database name has no 'bench' in it.")
    args = parser.parse_args()

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        log("Warning: not PostgreSQL; the targets are for PostgreSQL.")
    if "bench" not in str(database["NAME"]) and not args.yes:
        sys.exit(f"This empties the database {database['NAME']!r}; use one named *bench* or pass --yes.")
    if not (SHARED_DATA / "iclr2020").is_dir():
        sys.exit(f"The ICLR data is not at {SHARED_DATA}.")

    log("Preparing the database …")
    call_command("migrate", interactive=False, verbosity=0)
    load(args.generated)
    token = subscriber()
    connection.close()

    client = Client()
    client.cookies["tz"] = "Asia/Kolkata"
    rows = []

    def row(label, target, value, spread, load_average):
        rows.append((label, target, value, spread, load_average))

    def in_process(label, target, url, repeats, clear):
        load_average = os.getloadavg()[0]
        times = time_requests(client, url, repeats, clear=clear)
        if clear:
            row(
                f"{label}, nothing cached (ms, median / max)",
                target,
                statistics.median(times),
                max(times),
                load_average,
            )
        else:
            row(
                f"{label}, cached (ms, median / p95)",
                target,
                statistics.median(times),
                percentile(times, 95),
                load_average,
            )

    # The process's own start-up (URLconf, middleware, database connection) is not the feed's cost.
    client.get("/help/")
    feed = f"/me/agenda.ics?token={token}"
    in_process("`/calendar.ics`", "< 300", "/calendar.ics", 7, clear=True)
    in_process("`/calendar.ics`", "", "/calendar.ics", 50, clear=False)
    in_process("personal feed, 50 items", "< 50", feed, 7, clear=True)
    in_process("personal feed, 50 items", "< 50", feed, 50, clear=False)
    in_process("`/schedule/2020-04-27/` in-process", "", "/schedule/2020-04-27/", 7, clear=True)
    in_process("`/schedule/2020-04-27/` in-process", "", "/schedule/2020-04-27/", 50, clear=False)
    connection.close()

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log(f"Serving with gunicorn, {args.workers} workers, on port {port} …")
    server = serve(port, args.workers)
    try:
        saturation(base_url, targets(), 3)  # warm every worker's connections and caches
        result = saturation(base_url, targets(), args.seconds)
        row(
            f"`/schedule/<day>/` saturation, wrk 16 connections ({result.non_2xx + result.errors} errors): "
            "req/s / p99 ms",
            ">= 200",
            result.rps,
            result.p99,
            result.load_average,
        )
        # The same harness on a page with nothing but the base template: the ceiling here.
        reference = [("/help/", f"tz={zone}") for zone in ZONES]
        result = saturation(base_url, reference, args.seconds)
        row(
            f"reference: `/help/` saturation, same wrk ({result.non_2xx + result.errors} errors): req/s / p99 ms",
            "",
            result.rps,
            result.p99,
            result.load_average,
        )
        result = fixed_rate("127.0.0.1", port, targets(), args.seconds, args.rate)
        row(
            f"`/schedule/<day>/` at {args.rate} req/s open loop ({result.non_2xx + result.errors} errors): "
            "achieved / p99 ms",
            "p99 < 100",
            result.rps,
            result.p99,
            result.load_average,
        )
        row(
            f"   … median / p90 ms at that rate (client used {result.client_cpu:.0%} of a core)",
            "",
            result.p50,
            result.p90,
            result.load_average,
        )
    finally:
        server.terminate()
        server.wait(10)

    engine = database["ENGINE"].rsplit(".", 1)[-1]
    load_average = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\nSchedule benchmark · {engine} · {os.cpu_count()} CPUs · load average at the end {load_average}\n")
    print("| measure | target | value | spread | load |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, target, value, spread, load_average in rows:
        print(f"| {label} | {target} | {value:,.1f} | {spread:,.1f} | {load_average:.1f} |")


if __name__ == "__main__":
    main()
