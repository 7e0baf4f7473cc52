"""Media mirrors (settings.MEDIA_MIRRORS): other hosts holding the same released media at
the same paths (/media/recordings/<id>/<asset>), tried by the player when the first fails.

`sync_mirror(target)` copies every released medium (the release rule, read now) into a
mirror the portal can write (a file:// URL or a local path: a volume another host serves,
or a staging directory that rclone pushes to object storage), and removes what is there
but no longer released (an organiser held it back). It never copies an unreleased file.
A mirror that cannot be reached is reported (MirrorUnreachable) and its record
(MirrorSync) is left as it was.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from schedule.recordings.media import asset_files
from schedule.recordings.models import MirrorSync, Recording
from schedule.recordings.release import public_filter


class MirrorUnreachable(Exception):
    pass


@dataclass
class SyncResult:
    mirror: str
    files: int = 0
    bytes: int = 0
    copied: int = 0
    removed: int = 0


def mirror_root(mirror):
    """The local directory behind a file:// URL or a path; MirrorUnreachable otherwise."""
    parts = urlsplit(mirror)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise MirrorUnreachable(f"{mirror}: a file:// mirror on another host ({parts.netloc}) cannot be written")
        return Path(unquote(parts.path))
    if parts.scheme in ("", None) and mirror.startswith("/"):
        return Path(mirror)
    raise MirrorUnreachable(
        f"{mirror}: sync_mirror writes file:// or local-path mirrors; copy to {parts.scheme}:// ones with rclone "
        "(docs/deploy.md, “Fallback and archive”)"
    )


def released_files(now):
    """{path under the mirror: stored name} of every released medium."""
    files = {}
    recordings = Recording.objects.filter(public_filter(now)).select_related("current_version")
    for recording in recordings.iterator(chunk_size=500):
        for asset, stored in asset_files(recording).items():
            path = reverse("schedule:recording_media", args=[recording.pk, asset]).lstrip("/")
            files[path] = stored
    return files


def sync_mirror(mirror, now=None):
    now = now or timezone.now()
    root = mirror_root(mirror)
    if not root.is_dir():
        raise MirrorUnreachable(f"{mirror}: {root} is not a directory that can be reached")
    if not os.access(root, os.W_OK | os.X_OK):
        raise MirrorUnreachable(f"{mirror}: {root} cannot be written")
    result = SyncResult(mirror)
    wanted = released_files(now)
    for path, stored in wanted.items():
        source = Path(default_storage.path(stored))
        if not source.is_file():
            continue
        target = root / path
        size, changed = source.stat().st_size, source.stat().st_mtime
        if not (target.is_file() and target.stat().st_size == size and target.stat().st_mtime >= changed):
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            shutil.copy2(source, partial)
            partial.replace(target)  # readers see the old file or the new one, never half
            result.copied += 1
        result.files += 1
        result.bytes += size
    media = root / "media" / "recordings"
    if media.is_dir():
        for found in sorted(media.rglob("*")):
            relative = found.relative_to(root).as_posix()
            if found.is_file() and relative not in wanted:
                found.unlink()  # no longer released (held back), or never was
                result.removed += 1
    MirrorSync.objects.update_or_create(
        mirror=mirror,
        defaults={
            "synced_at": now,
            "files": result.files,
            "bytes": result.bytes,
            "copied": result.copied,
            "removed": result.removed,
        },
    )
    return result
