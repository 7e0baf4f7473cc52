from django.core.management.base import BaseCommand, CommandError

from schedule.importers import ImportFailed
from schedule.importers.ical import import_calendar_files
from schedule.models import Session


class Command(BaseCommand):
    help = (
        "Create or update sessions from iCalendar files, keyed by each event's UID (re-importing changes "
        "nothing). All files in one transaction: any bad event aborts the whole import. A file named "
        "workshop_<code>.ics becomes the talks of one workshop session. Mini-Conf calendar JSON files "
        "(overall_calendar.json, main_calendar.json, …) are read too. Adds and updates; only events the file "
        "marks cancelled are removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.ics")
        parser.add_argument(
            "--kind",
            choices=Session.Kind.values,
            help="Give every event this kind (default: guessed from each title).",
        )
        parser.add_argument("--workshop", metavar="CODE", help="Import the events as talks of workshop CODE.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report what would change; write nothing.")

    def handle(self, files, kind=None, workshop=None, dry_run=False, **options):
        try:
            results = import_calendar_files(files, kind=kind, workshop=workshop, dry_run=dry_run)
        except ImportFailed as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        if dry_run:
            self.stdout.write("Dry run, nothing was written.")
        for result in results:
            self.stdout.write(result.summary())
            for note in result.notes:
                self.stdout.write(f"  {note}")
