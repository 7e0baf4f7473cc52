from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.registrations import RegistrationImportError, import_registrations


class Command(BaseCommand):
    help = (
        "Add the registered attendees' e-mails in FILE (CSV with an 'email' column, or one a line). "
        "Adds only; --replace removes the addresses an earlier file of the same name gave that this one lacks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove the addresses imported from a file of this name that are no longer in it.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and print what would change; write nothing.")

    def handle(self, file, replace=False, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            with path.open("rb") as handle:
                result = import_registrations(handle, source=path.name, replace=replace, dry_run=dry_run)
        except RegistrationImportError as exc:
            raise CommandError(str(exc)) from exc
        for line in result.report():
            self.stdout.write(line)
