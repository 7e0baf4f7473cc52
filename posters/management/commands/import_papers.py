from django.core.management.base import BaseCommand, CommandError

from posters.importers import InvalidImport, import_papers_file
from posters.tasks import compute_discovery


class Command(BaseCommand):
    help = (
        "Create or update papers from FILE: OpenReview notes JSON (an object keyed by id, or a list) "
        "or a Mini-Conf papers CSV (UID,title,authors,abstract,keywords,… with |-separated lists). "
        "An author e-mail column (emails or author_emails, |-separated; OpenReview authorids) links the "
        "addresses to the authors, privately. Adds and updates, never removes papers. All or nothing; "
        "re-importing the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--no-discovery",
            action="store_true",
            help="Do not recompute similar papers and the map afterwards (run compute_discovery later).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report what would change; write nothing.")

    def handle(self, file, no_discovery=False, dry_run=False, **options):
        try:
            result = import_papers_file(file, dry_run=dry_run)
        except InvalidImport as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        self.stdout.write(result.summary())
        if (result.created or result.updated) and not (no_discovery or dry_run):
            # Similar papers and the map follow the papers; a worker computes them (or,
            # on the embedded default, this process does, now).
            compute_discovery.delay()
            self.stdout.write("Similar papers and the paper map are being recomputed.")
