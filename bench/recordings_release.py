"""Benchmark of the recordings pipeline; prints a table. Figures on a shared machine are provisional.

It empties the recordings of the database it runs on, so give it a database of its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rec_bench .venv/bin/python bench/recordings_release.py
    .venv/bin/python bench/recordings_release.py --process      # + a 5-minute 1080p upload

- release: 700 recordings due at once, released by one run of the release task's verb
  (row locks, events, the day's announcement); target < 2 s;
- media view: a 1 MB rendition through the access-checked view (full request through
  Django's middleware, test client) against reading the same file directly; target < 5 ms more;
- processing (--process): a 5-minute 1920x1080 30 fps upload with audio into 360p + 720p
  H.264/AAC, audio-only and a poster frame; target < 2x its duration (600 s).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="rec-bench-media-"))

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from schedule.models import Recording, RecordingVersion, ReleaseAnnouncement  # noqa: E402
from schedule.recordings.release import release_due_recordings, release_instant  # noqa: E402

DAY = date(2027, 6, 10)


def bench_release(n=700):
    Recording.objects.all().delete()
    ReleaseAnnouncement.objects.all().delete()
    rows = [
        Recording(subject_key=f"paper:bench{i}", release_day=DAY, external_url="https://v.example.org/x")
        for i in range(n)
    ]
    instant = release_instant(DAY)
    for row in rows:
        row.release_at = instant
    Recording.objects.bulk_create(rows, batch_size=500)
    started = time.perf_counter()
    released = release_due_recordings(instant + timedelta(minutes=1))
    seconds = time.perf_counter() - started
    if released != n:
        raise SystemExit(f"released {released} of {n}")
    return seconds


def bench_media(requests=200):
    Recording.objects.filter(subject_key="paper:media").delete()
    recording = Recording.objects.create(subject_key="paper:media", release_day=date(2020, 1, 1))
    version = RecordingVersion(recording=recording, number=1, status="ready")
    body = os.urandom(1024 * 1024)
    version.original.save("original.mp4", ContentFile(body), save=False)
    folder = version.original.name.rsplit("/", 1)[0]
    version.original.storage.save(f"{folder}/720p.mp4", ContentFile(body))
    version.outputs = {"720p": f"{folder}/720p.mp4"}
    version.save()
    recording.current_version = version
    recording.save()
    path = version.original.storage.path(f"{folder}/720p.mp4")
    client = Client()
    url = f"/media/recordings/{recording.pk}/720p.mp4"
    view, direct = [], []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        data = b"".join(response.streaming_content)
        view.append(time.perf_counter() - started)
        if len(data) != len(body):
            raise SystemExit("the media view returned a short body")
        started = time.perf_counter()
        with open(path, "rb") as handle:
            while handle.read(256 * 1024):
                pass
        direct.append(time.perf_counter() - started)
    return statistics.median(view) * 1000, statistics.median(direct) * 1000


def bench_processing(seconds=300):
    from schedule.recordings.processing import process_version

    folder = Path(tempfile.mkdtemp(prefix="rec-bench-src-"))
    source = folder / "talk1080.mp4"
    subprocess.run(
        [
            *["/usr/bin/ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i"],
            f"testsrc2=size=1920x1080:rate=30:duration={seconds}",
            *["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast"],
            *["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(source)],
        ],
        check=True,
    )
    Recording.objects.filter(subject_key="paper:process").delete()
    recording = Recording.objects.create(subject_key="paper:process", kind="oral")
    version = RecordingVersion(recording=recording, number=1)
    with open(source, "rb") as handle:
        version.original.save("original.mp4", ContentFile(handle.read()), save=False)
    version.save()
    started = time.perf_counter()
    result = process_version(version.pk)
    elapsed = time.perf_counter() - started
    if result.status != "ready":
        raise SystemExit(result.error)
    return elapsed, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--process", action="store_true", help="also time processing a 5-minute 1080p upload")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"cores: {os.cpu_count()}, load: {os.getloadavg()[0]:.1f}, database: {django.db.connection.vendor}")
    print(f"{'measure':<48} {'value':>12} {'target':>10}")
    seconds = bench_release()
    print(f"{'release 700 recordings (one run)':<48} {seconds:>10.3f} s {'< 2 s':>10}")
    view, direct = bench_media()
    print(f"{'1 MB rendition via the media view (median)':<48} {view:>9.2f} ms")
    print(f"{'1 MB read directly from disk (median)':<48} {direct:>9.2f} ms")
    print(f"{'media view overhead':<48} {view - direct:>9.2f} ms {'< 5 ms':>10}")
    if args.process:
        elapsed, duration = bench_processing()
        print(f"{'process a 5-min 1080p upload':<48} {elapsed:>10.1f} s {'< 600 s':>10}")
        print(f"{'  = x its duration':<48} {elapsed / duration:>10.2f} x {'< 2 x':>10}")
    Recording.objects.filter(subject_key__startswith="paper:bench").delete()


if __name__ == "__main__":
    main()
