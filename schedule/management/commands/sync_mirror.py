"""manage.py sync_mirror [MIRROR ...]: copy the released media to mirrors (schedule/recordings/mirrors.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from schedule.recordings.mirrors import MirrorUnreachable, sync_mirror


class Command(BaseCommand):
    help = (
        "Copy every released video, audio, poster frame, captions and slides to each mirror (a file:// URL "
        "or a local path; default: the file:// ones of MEDIA_MIRRORS), removing what is no longer released."
    )

    def add_arguments(self, parser):
        parser.add_argument("mirrors", nargs="*", help="file:///srv/mirror or /srv/mirror")

    def handle(self, *args, **options):
        mirrors = options["mirrors"] or [m for m in settings.MEDIA_MIRRORS if m.startswith("file://")]
        if not mirrors:
            raise CommandError("No mirror to sync: name one (file:///path or /path), or set MEDIA_MIRRORS.")
        failed = []
        for mirror in mirrors:
            try:
                result = sync_mirror(mirror)
            except MirrorUnreachable as problem:
                failed.append(mirror)
                self.stderr.write(f"not synced: {problem}; its record is unchanged")
                continue
            self.stdout.write(
                f"{mirror}: {result.files} released files ({result.bytes / 1_000_000:.1f} MB), "
                f"{result.copied} copied, {result.removed} removed"
            )
        if failed:
            raise CommandError(f"{len(failed)} of {len(mirrors)} mirrors could not be synced: {', '.join(failed)}")
