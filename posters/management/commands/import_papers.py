from django.core.management.base import BaseCommand, CommandError

from posters.importers import InvalidImport, import_papers_file
from posters.tasks import compute_discovery


class Command(BaseCommand):
    help = (
        "Create or update papers from FILE: OpenReview notes JSON (an object keyed by id, or a list) "
        "or a Mini-Conf papers CSV (UID,title,authors,abstract,keywords,… with |-separated lists). "
        "All or nothing; re-importing the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--no-discovery",
            action="store_true",
            help="Do not recompute similar papers and the map afterwards (run compute_discovery later).",
        )

    def handle(self, file, no_discovery=False, **options):
        try:
            result = import_papers_file(file)
        except InvalidImport as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        self.stdout.write(result.summary())
        if (result.created or result.updated) and not no_discovery:
            # Similar papers and the map follow the papers; a worker computes them (or,
            # on the embedded default, this process does, now).
            compute_discovery.delay()
            self.stdout.write("Similar papers and the paper map are being recomputed.")
