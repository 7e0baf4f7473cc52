from django.core.management.base import BaseCommand, CommandError

from posters.importers import InvalidImport, import_papers_file


class Command(BaseCommand):
    help = (
        "Create or update papers from FILE: OpenReview notes JSON (an object keyed by id, or a list) "
        "or a Mini-Conf papers CSV (UID,title,authors,abstract,keywords,… with |-separated lists). "
        "All or nothing; re-importing the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        try:
            result = import_papers_file(file)
        except InvalidImport as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        self.stdout.write(result.summary())
