from django.core.management.base import BaseCommand, CommandError

from posters.author_emails import import_author_emails_file
from posters.importers import InvalidImport


class Command(BaseCommand):
    help = (
        "Link authors' e-mail addresses to papers from a CSV UID,email or UID,author,email, so an author "
        "who signs up and verifies the address can upload at once. The addresses are never public. Adds and "
        "updates; --replace removes the addresses of the file's papers that it does not hold. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--replace", action="store_true", help="Remove the named papers' addresses that the file does not hold."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and print what would change; write nothing.")

    def handle(self, file, replace=False, dry_run=False, **options):
        try:
            result = import_author_emails_file(file, replace=replace, dry_run=dry_run)
        except InvalidImport as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        for line in result.report():
            self.stdout.write(line)
