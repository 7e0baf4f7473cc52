from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from booths.importers import import_booths
from schedule.importers import ImportFailed


class Command(BaseCommand):
    help = (
        "Make the booths of a Mini-Conf sitedata folder: each social of socials.yml becomes a social booth "
        "with its slots (run import_schedule_yaml first; “All Day” socials become all-day booths), and every "
        "workshop gets its booth for the week. One transaction; re-importing changes nothing. "
        "Admin does the same (Imports → Booths)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="SITEDATA_DIR")
        parser.add_argument("--dry-run", action="store_true", help="check and count everything, write nothing")

    def handle(self, folder, dry_run=False, **options):
        socials = Path(folder) / "socials.yml"
        try:
            lines = import_booths(socials if socials.is_file() else None, dry_run=dry_run)
        except ImportFailed as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        for line in lines:
            self.stdout.write(line)
