"""manage.py export_static DIR: the whole public portal as static files (portal/export)."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.export import ExportError, ExportRefused, export_site


class Command(BaseCommand):
    help = (
        "Write the public portal (pages, papers' search index, programme, calendars, paper map, "
        "API JSON, static assets) into DIR as static files with relative links."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Where the export goes (empty, or replaced with --force).")
        parser.add_argument("--force", action="store_true", help="Replace what DIR holds (swapped in at the end).")
        parser.add_argument(
            "--with-media", action="store_true", help="Copy the released media (videos, slides, captions) in."
        )
        parser.add_argument(
            "--site-url", default="", help="The live portal's address: links to what the export lacks go there."
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="Render in this many processes (default: one per core on a database server, one on SQLite).",
        )
        parser.add_argument(
            "--media-url", default="", help="Base URL of released media (a mirror); default: the first MEDIA_MIRRORS."
        )

    def handle(self, *args, **options):
        try:
            report = export_site(
                options["directory"],
                force=options["force"],
                with_media=options["with_media"],
                site_url=options["site_url"],
                media_url=options["media_url"],
                jobs=max(1, options["jobs"] if options["jobs"] is not None else default_jobs()),
            )
        except (ExportRefused, ExportError) as refusal:
            raise CommandError(str(refusal)) from None
        for problem in report.problems[:20]:
            self.stderr.write(f"skipped {problem}")
        self.stdout.write(f"Exported to {options['directory']}: {report.summary()}")


def default_jobs(db=connection):
    """Every core of this machine when the pages come from a database server (each process
    its own connection); one on SQLite, or inside a transaction (other processes would not
    see what it holds)."""
    if db.vendor == "sqlite" or db.in_atomic_block:
        return 1
    return os.cpu_count() or 1
