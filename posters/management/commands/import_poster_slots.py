from django.core.management.base import BaseCommand, CommandError

from posters.importers import InvalidImport, import_poster_slots_file
from posters.uploads import sync_release_days


class Command(BaseCommand):
    help = (
        "Create or update poster sessions and the papers' slots in them from a CSV "
        "UID,session_name,starttime,endtime,timezone,zoom_join_link. Times are ISO 8601, with Z or an "
        "offset, or wall-clock times in the row's zone. All or nothing; the papers must be imported first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        try:
            result = import_poster_slots_file(file)
        except InvalidImport as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        self.stdout.write(result.summary())
        # Bulk writes send no signals: move recordings whose paper's first session moved.
        moved = sync_release_days()
        if moved:
            self.stdout.write(f"{moved} recordings moved to their paper's new release day.")
