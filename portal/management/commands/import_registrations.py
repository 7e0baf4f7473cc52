from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.registrations import RegistrationImportError, import_registrations


class Command(BaseCommand):
    help = "Add the registered attendees' e-mails in FILE (CSV with an 'email' column, or one a line)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            with path.open("rb") as handle:
                result = import_registrations(handle, source=path.name)
        except RegistrationImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result.created} registrations added, {result.existing} already on the list.")
