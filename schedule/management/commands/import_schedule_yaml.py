from django.core.management.base import BaseCommand, CommandError

from schedule.importers import ImportFailed
from schedule.importers.sitedata import FILES, import_sitedata


class Command(BaseCommand):
    help = (
        f"Create or update keynotes, workshops, socials and sponsor talks from a Mini-Conf sitedata folder "
        f"({', '.join(FILES)}); a workshop's times come from its calendar (../static/workshop_<cal>.ics) "
        "unless import_calendar made it already. One transaction; re-importing changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="SITEDATA_DIR")

    def handle(self, folder, **options):
        try:
            results = import_sitedata(folder)
        except ImportFailed as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        for result in results:
            self.stdout.write(result.summary())
            for note in result.notes:
                self.stdout.write(f"  {note}")
