"""Benchmark of the importers and the demo seeder; prints a table.

It empties the database it runs on, so give it a database of its own:

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/import_papers.py

It migrates that database, then times (wall clock, in-process, through `call_command`):
the 687 ICLR 2020 papers (OpenReview JSON) into an empty database and again unchanged,
the same papers as a Mini-Conf CSV, their 1,374 poster slots, 20,000 generated papers
(a Mini-Conf CSV written by the demo generator) fresh and again, and `seed_demo`.
The ICLR files are read from ../shared/data (PORTAL_SHARED_DATA); those rows are skipped
when the files are absent.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from portal.demo import generate_papers  # noqa: E402
from posters.importers import write_papers_csv  # noqa: E402
from posters.models import Author, Paper, PosterSlot  # noqa: E402

SHARED_DATA = Path(os.environ.get("PORTAL_SHARED_DATA", REPO.parent / "shared" / "data"))


# Similar papers and the map are a separate job (posters.discovery).
NO_DISCOVERY = ("--no-discovery",)


def empty_database():
    call_command("flush", interactive=False, verbosity=0)


def timed(label, *command, rows):
    out = io.StringIO()
    start = time.perf_counter()
    call_command(*command, stdout=out)
    seconds = time.perf_counter() - start
    counts = f"{Paper.objects.count()} papers, {Author.objects.count()} authors, {PosterSlot.objects.count()} slots"
    rows.append((label, seconds, counts))
    print(f"  {label:<52} {seconds:7.2f} s   {counts}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated", type=int, default=20_000, help="How many generated papers (default 20,000).")
    parser.add_argument("--yes", action="store_true", help="Run even when the database name has no 'bench' in it.")
    args = parser.parse_args()
    db = settings.DATABASES["default"]
    if "bench" not in str(db["NAME"]) and not args.yes:
        sys.exit(f"This empties the database {db['NAME']!r}; use a database named *bench* or pass --yes.")

    call_command("migrate", interactive=False, verbosity=0)
    rows = []
    papers_json = SHARED_DATA / "iclr2020" / "sitedata" / "papers.json"
    papers_csv = SHARED_DATA / "miniconf" / "sitedata" / "papers.csv"
    slots_csv = SHARED_DATA / "iclr2020_poster_slots.csv"
    if papers_json.is_file():
        empty_database()
        timed("ICLR 687 papers, JSON, empty database", "import_papers", str(papers_json), *NO_DISCOVERY, rows=rows)
        timed(
            "ICLR 687 papers, JSON, again (unchanged)", "import_papers", str(papers_json), "--no-discovery", rows=rows
        )
        timed(
            "ICLR 687 papers, Mini-Conf CSV (updates all)",
            "import_papers",
            str(papers_csv),
            "--no-discovery",
            rows=rows,
        )
        timed("ICLR 1,374 poster slots, 20 sessions", "import_poster_slots", str(slots_csv), rows=rows)
        timed("ICLR 1,374 poster slots, again (unchanged)", "import_poster_slots", str(slots_csv), rows=rows)
    else:
        print(f"(no ICLR data at {SHARED_DATA}: those rows are skipped)", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "generated_papers.csv"
        start = time.perf_counter()
        with generated.open("w", encoding="utf-8", newline="") as handle:
            write_papers_csv(generate_papers(args.generated, seed=7), handle)
        rows.append((f"generate {args.generated:,} papers as CSV (not a DB step)", time.perf_counter() - start, ""))
        empty_database()
        label = f"{args.generated:,} generated papers, CSV"
        timed(f"{label}, empty database", "import_papers", str(generated), *NO_DISCOVERY, rows=rows)
        timed(f"{label}, again (unchanged)", "import_papers", str(generated), *NO_DISCOVERY, rows=rows)

    empty_database()
    timed("seed_demo (700 papers), empty database", "seed_demo", rows=rows)
    timed("seed_demo (700 papers), again", "seed_demo", rows=rows)
    empty_database()

    vendor = connection.vendor
    version = ".".join(str(part) for part in divmod(connection.pg_version, 10000)) if vendor == "postgresql" else ""
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\nDatabase: {vendor} {version}; {os.cpu_count()} CPUs; load average at the end: {load}\n")
    print("| step | seconds |")
    print("| --- | ---: |")
    for label, seconds, _counts in rows:
        print(f"| {label} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
