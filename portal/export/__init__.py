"""The static export: the whole public portal as files (issue 19; docs/deploy.md,
"Fallback and archive").

    export_site("/srv/portal-export", force=True, with_media=False, site_url="https://portal.example.org")

What goes in is what the apps register as public (portal.public.register_public_paths,
from each AppConfig.ready), rendered through the real views as an anonymous visitor in
UTC: nobody's state, no CSRF token, no call link, nothing unreleased (the views apply the
release rule), exactly what nginx may cache for everyone. A source of many pages of one kind
(every author's) renders them many at a time through the same view code (`pages`, see
portal.public), on the request that view would see (`Export.request_for`). Files that are no page of the
portal (the papers' search index) come from portal.public.register_export_file. Links are
made relative (portal/export/links.py); static assets and, with `with_media`, released
media are copied as they are linked. Browser-side, static/js/export.js turns times into
the reader's zone, searches the papers and filters by keyword.

It streams: one page at a time is rendered, rewritten and written; the paths are
generators over the database. Everything is written into a temporary directory beside the
target and swapped in at the end, so an interrupted export leaves the previous one whole.
"""

import contextlib
import json
import os
import resource
import shutil
import tempfile
import time
import zlib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve
from django.utils import timezone

from portal.export.links import LinkRewriter, disk_name
from portal.models import _request_memo
from portal.public import ExportPlan, export_files, export_render, for_nobody, public_path_sources
from portal.timezones import ViewerTimeZoneMiddleware, cookie_zone_name
from schedule.recordings.media import asset_files
from schedule.recordings.models import Recording
from schedule.recordings.release import is_public

UTC = zoneinfo.ZoneInfo("UTC")


class ExportRefused(Exception):
    """The export cannot go where it was asked to (the message says why)."""


class ExportError(Exception):
    """A rendering process failed (the message says how); nothing was swapped in."""


@dataclass
class Report:
    pages: int = 0  # HTML pages
    files: int = 0  # every file written (pages, JSON, calendars, assets, media)
    bytes: int = 0
    media_files: int = 0
    skipped: int = 0  # registered paths that did not answer 200 (listed in `problems`)
    seconds: float = 0.0
    peak_rss_mib: float = 0.0
    problems: list = field(default_factory=list)

    def summary(self):
        return (
            f"{self.pages} pages, {self.files} files ({self.media_files} media), "
            f"{self.bytes / 1_000_000:.1f} MB in {self.seconds:.1f} s; peak memory {self.peak_rss_mib:.0f} MiB"
            + (f"; {self.skipped} paths skipped" if self.skipped else "")
        )


def check_target(target, force):
    """Refuse a target that is a file, cannot be written, or holds something (without force)."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ExportRefused(f"{target} is a file, not a directory: give a directory to export into.")
    parent = target.parent
    if not parent.is_dir():
        raise ExportRefused(f"{parent} does not exist: create it, or give another directory.")
    # The export is written beside the target and renamed into place: the parent must take it.
    if not os.access(parent, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK | os.X_OK)):
        raise ExportRefused(f"{target} cannot be written by this user ({os.getuid()}).")
    try:
        Path(tempfile.mkdtemp(prefix=f".{target.name}.check-", dir=parent)).rmdir()
    except OSError as problem:
        raise ExportRefused(f"{target} cannot be written: {problem.strerror} in {parent}.") from None
    if target.exists() and any(target.iterdir()) and not force:
        raise ExportRefused(f"{target} is not empty: give an empty directory, or --force to replace what is there.")
    if not settings.PORTAL_PUBLIC_BROWSING:
        raise ExportRefused("PORTAL_PUBLIC_BROWSING is off: the portal is for members only, and an export is public.")


def _host():
    for host in settings.ALLOWED_HOSTS:
        host = host.lstrip(".")
        if host and "*" not in host:
            return host
    return "localhost"


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Export:
    def __init__(self, root, *, with_media, site_url, media_url, now):
        self.root = Path(root)
        self.with_media = with_media
        self.site_url = site_url.rstrip("/")
        self.now = now
        self.host = _host()
        self.client = Client(HTTP_HOST=self.host, raise_request_exception=True)
        self.client.cookies["tz"] = "UTC"
        self.factory = RequestFactory(HTTP_HOST=self.host)
        self.factory.cookies["tz"] = "UTC"
        self.report = Report()
        self.paths = set()
        self.assets = {}  # path in the export: file to copy there
        self.rewriter = LinkRewriter(
            host=self.host, site_url=self.site_url, exported=self.paths.__contains__, asset=self.asset
        )
        mirrors = [m.rstrip("/") for m in (*settings.MEDIA_MIRRORS, settings.PORTAL_MEDIA_MIRROR_URL) if m]
        # With media: the export's own copy first ("" base), then the mirrors.
        first = "" if with_media else (media_url or (mirrors[0] if mirrors else self.site_url)).rstrip("/")
        self.plan = ExportPlan(media_base=first, mirrors=tuple(dict.fromkeys(m for m in mirrors if m != first)))

    # --- files -------------------------------------------------------------------------

    def write(self, name, data):
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.report.files += 1
        self.report.bytes += len(data)

    @contextlib.contextmanager
    def open(self, name):
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            yield handle
        self.report.files += 1
        self.report.bytes += path.stat().st_size

    def asset(self, path):
        """Whether /static/<name> or a released /media/recordings/<id>/<asset> can be in the
        export; noted to be copied at the end (`copy_assets`), once whatever the pages."""
        if path in self.assets:
            return True
        source = self._static_source(path) if path.startswith("/static/") else self._media_source(path)
        if source is None or disk_name(path) is None:
            return False
        self.assets[path] = str(source)
        return True

    def copy_assets(self):
        copied = set()
        while len(copied) < len(self.assets):  # a stylesheet may name more
            for path, source in list(self.assets.items()):
                if path in copied:
                    continue
                copied.add(path)
                target = self.root / disk_name(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                self.report.files += 1
                self.report.bytes += target.stat().st_size
                if path.startswith("/media/"):
                    self.report.media_files += 1
                if path.endswith(".css"):
                    self.rewriter.stylesheet(Path(source).read_text(encoding="utf-8", errors="replace"), path)

    def _static_source(self, path):
        name = path.removeprefix(settings.STATIC_URL)
        if settings.STATIC_MANIFEST:
            candidate = Path(staticfiles_storage.path(name))
            return candidate if candidate.is_file() else None
        found = finders.find(name)
        return Path(found) if found else None

    def _media_source(self, path):
        """Only a released medium, whatever linked it (the release rule, read now)."""
        if not self.with_media:
            return None
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.url_name != "recording_media":
            return None
        recording = Recording.objects.select_related("current_version").filter(pk=match.kwargs["pk"]).first()
        if recording is None or not is_public(recording, self.now):
            return None
        stored = asset_files(recording).get(match.kwargs["asset"])
        if stored is None:
            return None
        try:
            source = Path(default_storage.path(stored))
        except NotImplementedError:
            return None
        return source if source.is_file() else None

    # --- pages -------------------------------------------------------------------------

    def get(self, path):
        return self.client.get(path, secure=settings.SECURE_SSL_REDIRECT)

    def request_for(self, path):
        """The request a public view sees for `path` from the export's client (after the
        middleware and portal.public.for_nobody), for sources that render many pages at once."""
        request = self.factory.get(path, secure=settings.SECURE_SSL_REDIRECT)
        request.resolver_match = resolve(path)
        ViewerTimeZoneMiddleware._activate(request, *cookie_zone_name(request))
        request.viewer_zone_chosen = True
        return for_nobody(request)

    def render(self, path):
        self.keep(path, self.get(path))

    def keep(self, path, response):
        """Write a page's response into the export (or note why not)."""
        if response.status_code != 200:
            self.report.skipped += 1
            self.report.problems.append(f"{path}: {response.status_code}")
            self.paths.discard(path)
            return
        name = disk_name(path)
        content_type = response.get("Content-Type", "")
        if "text/html" in content_type:
            html = self.rewriter.page(response.content.decode(response.charset or "utf-8"), path)
            self.write(name, html.encode("utf-8"))
            self.report.pages += 1
        elif "json" in content_type and path.startswith("/api/"):
            self.api(path, name, response)
        else:
            self.write(name, self.absolute_links(response.content))

    def absolute_links(self, data):
        """Feeds and JSON name pages by absolute URL: the live portal's, when known."""
        for origin in (f"http://{self.host}", f"https://{self.host}"):
            data = data.replace(origin.encode(), self.site_url.encode())
        return data

    def api(self, path, name, response):
        """An API list is written whole (its pages followed); a detail as it is."""
        body = json.loads(response.content)
        if not (isinstance(body, dict) and "results" in body and "next" in body):
            self.write(name, self.absolute_links(response.content))
            return
        with self.open(name) as out:
            out.write('{"next": null, "previous": null, "results": [')
            first = True
            while True:
                for item in body["results"]:
                    out.write(("" if first else ",\n") + self.absolute_links(json.dumps(item).encode()).decode())
                    first = False
                following = body.get("next")
                if not following:
                    break
                parts = urlsplit(following)
                body = json.loads(self.get(f"{parts.path}?{parts.query}").content)
            out.write("]}\n")

    def run(self, jobs=1):
        sources = public_path_sources()
        extras = export_files()
        self.paths.update("/" + extra.name for extra in extras)
        for source in sources:
            for path in source.paths():
                if disk_name(path) is not None:
                    self.paths.add(path)
        if jobs > 1:
            self.render_in_processes(sources, jobs)
        else:
            self.render_share(sources, 0, 1)
        for extra in extras:
            with self.open(extra.name) as out:
                extra.write(out, self)
        self.copy_assets()
        self.write("robots.txt", b"User-agent: *\nAllow: /\n")

    def render_share(self, sources, share, shares):
        """Render this process's part of the paths: by a hash of the path, so that a source
        alternating costly and cheap paths (a paper's page, its calendar) is split evenly."""

        def wanted(path):
            return path in self.paths and (shares == 1 or zlib.crc32(path.encode()) % shares == share)

        for source in sources:
            if source.pages is None:
                for path in source.paths():
                    if wanted(path):
                        self.render(path)
                continue
            # Many pages at once: the Conference read once for all of them, as for one request.
            token = _request_memo.set({})
            try:
                for path, response in source.pages(wanted, self.request_for):
                    self.keep(path, response)
            finally:
                _request_memo.reset(token)

    def render_in_processes(self, sources, jobs):
        """The pages in `jobs` forked processes (each its own database connection); what
        they wrote and the assets they linked come back through a pipe."""
        connections.close_all()  # never shared across a fork
        children = []
        for share in range(jobs):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: render its share, report, and leave without cleaning up the parent's state
                os.close(read)
                status = 0
                try:
                    self.render_share(sources, share, jobs)
                    result = {"report": self.report.__dict__, "assets": self.assets, "peak": peak_rss_mib()}
                except BaseException as problem:  # noqa: BLE001  (reported to the parent, which raises)
                    result, status = {"error": f"{type(problem).__name__}: {problem}"}, 1
                with os.fdopen(write, "w") as out:
                    json.dump(result, out)
                os._exit(status)
            os.close(write)
            children.append((pid, read))
        errors, peaks = [], []
        for pid, read in children:
            with os.fdopen(read) as pipe:
                text = pipe.read()
            os.waitpid(pid, 0)
            result = json.loads(text) if text else {"error": "a rendering process died"}
            if "error" in result:
                errors.append(result["error"])
                continue
            for name in ("pages", "files", "bytes", "media_files", "skipped"):
                setattr(self.report, name, getattr(self.report, name) + result["report"][name])
            self.report.problems += result["report"]["problems"]
            self.assets.update(result["assets"])
            peaks.append(result["peak"])
        if errors:
            raise ExportError("; ".join(errors))
        self.report.peak_rss_mib = max(peaks, default=0.0)

    def relative_url(self, path, from_path):
        """For export files' writers: a path's link as seen from the page at `from_path`."""
        return self.rewriter.target(path, from_path) or ""


def export_site(target, *, force=False, with_media=False, site_url="", media_url="", now=None, jobs=1):
    """Export into `target` (see the module docstring); the Report. `jobs` > 1 renders the
    pages in that many forked processes (a database server, not SQLite in memory)."""
    started = time.perf_counter()
    target = Path(target).absolute()
    check_target(target, force)
    now = now or timezone.now()
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.export-", dir=target.parent))
    try:
        work.chmod(0o755)  # served by nginx or any static host: readable by others
        export = Export(work, with_media=with_media, site_url=site_url, media_url=media_url, now=now)
        with export_render(export.plan), timezone.override(UTC):
            export.run(jobs)
        swap(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    report = export.report
    report.seconds = time.perf_counter() - started
    report.peak_rss_mib = max(peak_rss_mib(), report.peak_rss_mib)  # the largest process's
    return report


def swap(work, target):
    """Put `work` where `target` is; the previous export is removed only once it is replaced."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.previous-", dir=target.parent))
        old.rmdir()
        target.rename(old)
    work.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
