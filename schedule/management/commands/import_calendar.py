from django.core.management.base import BaseCommand, CommandError

from schedule.importers import ImportFailed
from schedule.importers.ical import import_calendar_files
from schedule.models import Session


class Command(BaseCommand):
    help = (
        "Create or update sessions from iCalendar files, keyed by each event's UID (re-importing changes "
        "nothing). All files in one transaction: any bad event aborts the whole import. A file named "
        "workshop_<code>.ics becomes the talks of one workshop session."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.ics")
        parser.add_argument(
            "--kind",
            choices=Session.Kind.values,
            help="Give every event this kind (default: guessed from each title).",
        )
        parser.add_argument("--workshop", metavar="CODE", help="Import the events as talks of workshop CODE.")

    def handle(self, files, kind=None, workshop=None, **options):
        try:
            results = import_calendar_files(files, kind=kind, workshop=workshop)
        except ImportFailed as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        for result in results:
            self.stdout.write(result.summary())
            for note in result.notes:
                self.stdout.write(f"  {note}")
