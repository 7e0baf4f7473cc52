"""Booth, sponsor and job pages next to the paper page, rendered by Django (issue 17,
"Speed"); prints one table.

Seeds a PostgreSQL database of its own (`booths_bench`, dropped first) with `--booths`
public booths (300; three slots each, a chat room each), `--jobs` jobs (2,000) across 30
sponsors, and one paper with a poster slot, then asks each page `--requests` times through
Django's test client in this process (no nginx: what a cache miss costs; every public page
here is then kept by nginx for its max-age, docs/architecture.md "The read path"). Rows:
median and p90 milliseconds per request and requests/s (the query counts are the tests':
tests/booths, `test_*_query_count`).

    .venv/bin/python bench/booths_pages.py [--booths 300] [--jobs 2000] [--requests 50]

`--seed-only` seeds the booths, sponsors, jobs and workshops (no paper) into the database
DATABASE_URL names and stops: bench/read_path.py measures these pages through nginx so.

Needs PostgreSQL (BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432). Cache off
(local memory), no Redis.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.seed_papers import log, recreate_database  # noqa: E402

DATABASE = "booths_bench"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--booths", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed-only", action="store_true", help="seed DATABASE_URL's database (migrated) and stop")
    args = parser.parse_args()
    if args.seed_only:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        seed(args.booths, args.jobs, paper=False)
        return
    os.environ["DATABASE_URL"] = recreate_database(DATABASE)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("PORTAL_PHASE", "live")  # the pages of the live conference, not its archive
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    seed(args.booths, args.jobs)
    from booths.models import Booth

    booth = Booth.objects.public().order_by("pk").first()
    pages = [
        ("paper page /papers/<uid>/", "/papers/BENCH1/"),
        (f"/booths/ ({args.booths} booths)", "/booths/"),
        ("a booth page", f"/booths/{booth.slug}/"),
        ("/sponsors/ (30 sponsors)", "/sponsors/"),
        (f"/sponsors/jobs/ ({args.jobs} jobs)", "/sponsors/jobs/"),
        ("/workshops/", "/workshops/"),
    ]
    client = Client()
    rows = []
    for label, url in pages:
        status = client.get(url).status_code
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p90 = times[int(len(times) * 0.9) - 1]
        rows.append((label, statistics.median(times), p90, 1000 / statistics.mean(times)))
    print(f"{'page':42} {'median ms':>10} {'p90 ms':>8} {'req/s':>7}")
    for label, median, p90, rate in rows:
        print(f"{label:42} {median:10.1f} {p90:8.1f} {rate:7.1f}")


def seed(booth_count, job_count, paper=True):
    from booths.models import Booth, Job, Sponsor
    from posters.models import Paper, PosterSlot
    from schedule.models import Session

    log(f"seeding {booth_count} booths, {job_count} jobs")
    first = datetime(2020, 4, 27, tzinfo=UTC)
    kinds = list(Booth.PUBLIC_KINDS)
    booths = Booth.objects.bulk_create(
        Booth(
            kind=kinds[i % len(kinds)],
            status=Booth.Status.APPROVED,
            name=f"Booth {i:04d}",
            slug=f"booth-{i:04d}",
            description="A booth to meet people who care about the same things. " * 3,
            call_link=f"https://zoom.us/j/{i:09d}",
        )
        for i in range(booth_count)
    )
    sessions = Session.objects.bulk_create(
        Session(
            uid=f"bench-slot-{i}-{n}",
            kind=Session.Kind.BOOTH_SLOT,
            title=f"Booth {i:04d} (booth)",
            start=first + timedelta(hours=(i * 3 + n * 8) % 96),
            end=first + timedelta(hours=(i * 3 + n * 8) % 96 + 1),
        )
        for i in range(booth_count)
        for n in range(3)
    )
    Booth.slots.through.objects.bulk_create(
        Booth.slots.through(booth_id=booths[k // 3].pk, session_id=s.pk) for k, s in enumerate(sessions)
    )
    sponsors = Sponsor.objects.bulk_create(
        Sponsor(
            name=f"Sponsor {i:02d}", slug=f"sponsor-{i:02d}", tier=["Diamond", "Gold", "Silver"][i % 3], tier_rank=i % 3
        )
        for i in range(30)
    )
    Job.objects.bulk_create(
        Job(
            sponsor=sponsors[i % 30],
            title=f"Research scientist {i}",
            place=["London", "Remote", "Paris"][i % 3],
            link=f"https://jobs.example.org/{i}",
        )
        for i in range(job_count)
    )
    if paper:
        compared = Paper.objects.create(uid="BENCH1", title="A paper to compare with", abstract="Words. " * 200)
        poster = Session.objects.create(
            uid="bench-poster",
            kind=Session.Kind.POSTER,
            title="Poster session 1",
            start=first,
            end=first + timedelta(hours=2),
        )
        PosterSlot.objects.create(paper=compared, session=poster, call_link="https://zoom.us/j/123")
    for i in range(4):
        Session.objects.create(
            uid=f"workshop:W{i}",
            kind=Session.Kind.WORKSHOP,
            title=f"Workshop {i}",
            start=first - timedelta(hours=20 - i),
            end=first - timedelta(hours=12 - i),
        )


if __name__ == "__main__":
    main()
