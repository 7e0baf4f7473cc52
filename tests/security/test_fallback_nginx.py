"""The fallback through a real nginx (issue 19): in the archive the portal's access-checked
media reach nginx's X-Accel-Redirect path for every recording but a held one; the static
export, pointing its videos at a mirror that sync_mirror filled, is served by nginx with
deploy/nginx/export.conf.template, and the mirror answers ranges."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from portal.export import export_site
from portal.models import Conference
from schedule.recordings.mirrors import sync_mirror
from schedule.recordings.models import Recording
from tests.conftest import REPO
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory
from tests.production import NGINX, free_port
from tests.schedule.factories import recording_with_720p

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def render(template, values):
    text = template.read_text()
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values[m[1]], text)


def start_export_nginx(work, values):
    """nginx with deploy/nginx/export.conf.template; (process, error log)."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "temp").mkdir(exist_ok=True)
    (work / "export.conf").write_text(render(REPO / "deploy/nginx/export.conf.template", values))
    (work / "nginx.conf").write_text(
        f"worker_processes 1; pid {work}/nginx.pid; error_log {work}/error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http { include /etc/nginx/mime.types; default_type application/octet-stream; sendfile on;\n"
        f"  access_log {work}/access.log; client_body_temp_path {work}/temp/body; proxy_temp_path {work}/temp/proxy;\n"
        f"  fastcgi_temp_path {work}/temp/fastcgi; uwsgi_temp_path {work}/temp/uwsgi;\n"
        f"  scgi_temp_path {work}/temp/scgi;\n"
        f"  include {work}/export.conf;\n}}\n"
    )
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    process = subprocess.Popen(  # noqa: S603
        [NGINX, "-c", work / "nginx.conf", "-e", work / "error.log", "-g", directives],
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    port = int(values["EXPORT_LISTEN"].rsplit(":", 1)[1])
    for _ in range(100):
        try:
            get(f"http://127.0.0.1:{port}/")
            break
        except OSError:
            time.sleep(0.1)
    return process


def test_the_archive_media_and_the_export_with_its_mirror_through_nginx(production, settings, tmp_path):
    settings.PORTAL_PHASE = "archived"
    Conference.get()
    paper = PaperFactory(uid="late", title="A talk released by the archive")
    PosterSlotFactory(paper=paper, session=SessionFactory(start=datetime(2020, 4, 27, 5, tzinfo=UTC)))
    late = recording_with_720p("paper:late", date(2030, 1, 1), b"late-video")
    late.release_at = datetime(2030, 1, 1, tzinfo=UTC)
    late.save()
    held = recording_with_720p("paper:held", date(2020, 4, 26), b"held-video")
    held.release_override = Recording.Override.HELD
    held.save()

    # The live portal in the archive: X-Accel-Redirect serves what the archive released.
    stack = production(roles=("web", "nginx"), env={"PORTAL_PHASE": "archived"})
    status, headers, body = get(f"{stack.url}/media/recordings/{late.pk}/720p.mp4")
    assert (status, body) == (200, b"late-video")
    assert headers["X-Accel-Redirect"] is None  # nginx's internal path never reaches the client
    assert get(f"{stack.url}/media/recordings/{held.pk}/720p.mp4")[0] == 404

    # A mirror (a directory another host serves) and the export pointing at it.
    place = Path(tempfile.mkdtemp(prefix="portal-fallback-"))
    try:
        place.chmod(0o755)
        (place / "mirror").mkdir(mode=0o755)
        assert sync_mirror(str(place / "mirror")).files == 1
        ports = {"export": free_port(), "mirror": free_port()}
        mirror_url = f"http://127.0.0.1:{ports['mirror']}"
        report = export_site(place / "export", media_url=mirror_url)
        assert report.pages > 0
        process = start_export_nginx(
            place / "nginx",
            {
                "EXPORT_LISTEN": f"127.0.0.1:{ports['export']}",
                "EXPORT_ROOT": str(place / "export"),
                "EXPORT_MEDIA_SRC": mirror_url,
                "MIRROR_LISTEN": f"127.0.0.1:{ports['mirror']}",
                "MIRROR_ROOT": str(place / "mirror"),
            },
        )
        try:
            site = f"http://127.0.0.1:{ports['export']}"
            status, headers, body = get(f"{site}/papers/late/")
            assert status == 200
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            assert headers["Cache-Control"] == "public, max-age=300"
            assert f"media-src 'self' {mirror_url};" in headers["Content-Security-Policy"]
            page = body.decode()
            assert f'<source src="{mirror_url}/media/recordings/{late.pk}/720p.mp4"' in page
            assert "This is the archive of" in get(f"{site}/")[2].decode()
            assert get(f"{site}/calendar.ics")[1]["Content-Type"] == "text/calendar; charset=utf-8"
            # The mirror: ranges (seeking), CORS for captions; nothing held back.
            status, headers, body = get(f"{mirror_url}/media/recordings/{late.pk}/720p.mp4", {"Range": "bytes=0-3"})
            assert (status, body, headers["Access-Control-Allow-Origin"]) == (206, b"late", "*")
            assert get(f"{mirror_url}/media/recordings/{held.pk}/720p.mp4")[0] == 404
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)
    finally:
        shutil.rmtree(place, ignore_errors=True)
