"""Bench: `manage.py export_static` at ICLR's size and at 20,000 papers (issue 19).

Each size gets a PostgreSQL database of its own (`export_bench_<n>`, seeded by
bench/seed_papers.py: papers from the ICLR 2020 texts, poster sessions, assignment,
discovery; reused with --reuse), then the export runs in a child process, as an operator
runs it, into a fresh directory. Prints a table: pages, files, size, wall time, pages per
second and the child's peak memory (its own report, ru_maxrss), against the targets
(687 papers < 60 s, 20,000 papers < 10 min).

    .venv/bin/python bench/export_static.py                # 687 and 20000
    .venv/bin/python bench/export_static.py --sizes 687 --reuse
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PYTHON = str(REPO / ".venv" / "bin" / "python")
TARGET_SECONDS = {687: 60, 20000: 600}

from bench.seed_papers import POSTGRES, database_exists, log, recreate_database  # noqa: E402

SUMMARY = re.compile(
    r"(?P<pages>\d+) pages, (?P<files>\d+) files \((?P<media>\d+) media\), (?P<mb>[\d.]+) MB in "
    r"(?P<seconds>[\d.]+) s; peak memory (?P<peak>\d+) MiB"
)


def paper_count(env):
    code = "import django; django.setup(); from posters.models import Paper; print(Paper.objects.count())"
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=REPO, env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"}, capture_output=True
    )
    return int(out.stdout.strip() or 0) if out.returncode == 0 else 0


def bench_size(size, reuse, jobs):
    name = f"export_bench_{size}"
    env = {**os.environ, "DATABASE_URL": f"{POSTGRES}/{name}"}
    env.pop("REDIS_URL", None)
    if not (reuse and database_exists(name) and paper_count(env) == size):
        recreate_database(name)
        log(f"[{size}] seeding {name} (bench/seed_papers.py) …")
        started = time.perf_counter()
        subprocess.run([PYTHON, str(REPO / "bench/seed_papers.py"), str(size)], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        log(f"[{size}] seeded in {time.perf_counter() - started:.0f} s")
    else:
        log(f"[{size}] reusing {name}")
    work = Path(tempfile.mkdtemp(prefix="export-bench-"))
    try:
        started = time.perf_counter()
        out = subprocess.run(
            [PYTHON, "manage.py", "export_static", str(work / "site"), "--jobs", str(jobs)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - started
        found = SUMMARY.search(out.stdout)
        if not found:
            raise SystemExit(f"no summary in the command's output:\n{out.stdout}\n{out.stderr[-2000:]}")
        row = {k: float(v) for k, v in found.groupdict().items()}
        row.update(size=size, wall=wall, target=TARGET_SECONDS.get(size), jobs=jobs)
        return row
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="687,20000")
    parser.add_argument("--reuse", action="store_true", help="reuse a seeded database of the right size")
    parser.add_argument("--jobs", default="2", help="processes rendering (export_static --jobs); a list: 1,2")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [
        bench_size(int(size), args.reuse, int(jobs)) for size in args.sizes.split(",") for jobs in args.jobs.split(",")
    ]
    if args.json:
        print(json.dumps(rows))
        return
    print(f"{'papers':>7} {'jobs':>4} {'pages':>7} {'files':>7} {'MB':>7} {'export s':>9} {'wall s':>7} {'pages/s':>8} "
          f"{'peak MiB':>9} {'target s':>9} {'met':>4}")  # fmt: skip
    for r in rows:
        met = "yes" if r["target"] and r["wall"] < r["target"] else ("no" if r["target"] else "-")
        print(
            f"{r['size']:>7} {r['jobs']:>4} {r['pages']:>7.0f} {r['files']:>7.0f} {r['mb']:>7.1f} {r['seconds']:>9.1f} "
            f"{r['wall']:>7.1f} {r['pages'] / r['seconds']:>8.1f} {r['peak']:>9.0f} {r['target'] or '-':>9} {met:>4}"
        )


if __name__ == "__main__":
    main()
