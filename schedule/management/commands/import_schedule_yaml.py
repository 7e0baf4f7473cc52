from django.core.management.base import BaseCommand, CommandError

from schedule.importers import ImportFailed
from schedule.importers.sitedata import FILES, import_sitedata


class Command(BaseCommand):
    help = (
        f"Create or update keynotes, workshops, tutorials, socials and sponsor talks from a Mini-Conf sitedata "
        f"folder ({', '.join(FILES)}), in ICLR 2020's layout or the later Mini-Conf one (lists whose sessions "
        "carry their times); an ICLR workshop's times come from its calendar (../static/workshop_<cal>.ics) "
        "unless import_calendar made it already. Adds and updates, removes nothing. One transaction; "
        "re-importing changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="SITEDATA_DIR")
        parser.add_argument("--dry-run", action="store_true", help="Check and report what would change; write nothing.")

    def handle(self, folder, dry_run=False, **options):
        try:
            results = import_sitedata(folder, dry_run=dry_run)
        except ImportFailed as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        if dry_run:
            self.stdout.write("Dry run, nothing was written.")
        for result in results:
            self.stdout.write(result.summary())
            for note in result.notes:
                self.stdout.write(f"  {note}")
