from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from booths.importers import import_social_booths, sync_workshop_booths
from schedule.importers import ImportFailed


class Command(BaseCommand):
    help = (
        "Make the booths of a Mini-Conf sitedata folder: each social of socials.yml becomes a social booth "
        "with its slots (run import_schedule_yaml first; “All Day” socials become all-day booths), and every "
        "workshop gets its booth for the week. One transaction each; re-importing changes nothing. "
        "Admin does the same (Booths → Import socials and workshop booths)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="SITEDATA_DIR")

    def handle(self, folder, **options):
        socials = Path(folder) / "socials.yml"
        try:
            if socials.is_file():
                result = import_social_booths(socials)
                self.stdout.write(
                    f"socials.yml: booths {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged; {result.matched} slots linked."
                )
                for note in result.notes:
                    self.stdout.write(f"  {note}")
            result = sync_workshop_booths()
        except ImportFailed as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        self.stdout.write(f"workshops: {result.created} booths created.")
