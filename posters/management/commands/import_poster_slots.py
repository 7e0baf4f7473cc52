from django.core.management.base import BaseCommand, CommandError

from posters.importers import InvalidImport, import_poster_slots_file
from posters.uploads import sync_release_days


class Command(BaseCommand):
    help = (
        "Create or update poster sessions and the papers' slots in them from a CSV "
        "UID,session_name,starttime,endtime,timezone,zoom_join_link (times ISO 8601, with Z or an offset, or "
        "wall-clock times in the row's zone) or a Mini-Conf paper_sessions.yml. Adds and updates what the file "
        "holds and removes nothing, so each track's file can be imported in turn; --replace removes the slots "
        "of the file's sessions that it does not hold. All or nothing; the papers must be imported first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="The file is the whole line-up of the sessions it names: remove their other slots.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and print what would change (and be removed); write nothing."
        )

    def handle(self, file, replace=False, dry_run=False, **options):
        try:
            result = import_poster_slots_file(file, replace=replace, dry_run=dry_run)
        except InvalidImport as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        for line in result.report():
            self.stdout.write(line)
        if dry_run:
            return
        # Bulk writes send no signals: move recordings whose paper's first session moved.
        moved = sync_release_days()
        if moved:
            self.stdout.write(f"{moved} recordings moved to their paper's new release day.")
