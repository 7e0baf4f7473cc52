from django.core.management.base import BaseCommand, CommandError

from booths.importers import FILES, import_sponsors
from schedule.importers import ImportFailed


class Command(BaseCommand):
    help = (
        f"Create or update the sponsors (by tier, each with a booth) from a Mini-Conf sitedata folder "
        f"({', '.join(FILES)}), linking the expo talks that import_schedule_yaml made. One transaction; "
        "re-importing changes nothing. Admin does the same (Sponsors → Import from sitedata files)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="SITEDATA_DIR")

    def handle(self, folder, **options):
        try:
            result = import_sponsors(folder)
        except ImportFailed as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        self.stdout.write(
            f"{result.source}: sponsors {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; {result.matched} expo talks linked."
        )
        for note in result.notes:
            self.stdout.write(f"  {note}")
