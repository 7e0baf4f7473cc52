from django.core.management.base import BaseCommand, CommandError

from booths.importers import FILES, import_sponsors, sponsor_report
from schedule.importers import ImportFailed


class Command(BaseCommand):
    help = (
        f"Create or update the sponsors (by tier, each with a booth) from a Mini-Conf sitedata folder "
        f"({', '.join(FILES)}), linking the expo talks that import_schedule_yaml made. One transaction; "
        "re-importing changes nothing. Admin does the same (Imports → Sponsors)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="SITEDATA_DIR")
        parser.add_argument("--dry-run", action="store_true", help="check and count everything, write nothing")

    def handle(self, folder, dry_run=False, **options):
        try:
            result = import_sponsors(folder, dry_run=dry_run)
        except ImportFailed as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        for line in sponsor_report(result, dry_run=dry_run):
            self.stdout.write(line)
