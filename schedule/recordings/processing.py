"""ffmpeg: H.264/AAC renditions (no upscaling), an audio-only file and a poster frame.

Outputs are written beside the original under a temporary name and renamed when ffmpeg
succeeds, so a retry finds the finished ones and makes only what is missing.
"""

import logging
import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from schedule.recordings.models import RENDITIONS, Recording, RecordingEvent, RecordingVersion
from schedule.recordings.validation import Refused, probe_video

logger = logging.getLogger(__name__)

STDERR_TAIL = 2000


class ProcessingFailed(Exception):
    pass


def planned_outputs(width, height, has_audio):
    """{name: filename} for this source: renditions at or below its height (one at its own
    height when it is smaller than the smallest), the audio file, the poster frame."""
    outputs = {}
    heights = [(name, h) for name, h in RENDITIONS if height is None or h <= height]
    if not heights and height:
        heights = [(f"{height - height % 2}p", height - height % 2)]
    for name, _ in heights:
        outputs[name] = f"{name}.mp4"
    if has_audio:
        outputs["audio"] = "audio.m4a"
    outputs["poster"] = "poster.jpg"
    return outputs


def rendition_height(name):
    return int(name[:-1])


def _run(cmd):
    # A fixed program (settings) with arguments we built; no shell.
    result = subprocess.run(  # noqa: S603
        cmd, capture_output=True, text=True, timeout=settings.PORTAL_PROCESSING_TIMEOUT, check=False
    )
    if result.returncode != 0:
        raise ProcessingFailed(result.stderr[-STDERR_TAIL:].strip() or f"ffmpeg exited with {result.returncode}")


def _encode(ffmpeg, source, folder, wanted, seconds):
    """One ffmpeg run for every missing rendition and the audio (the source is decoded once)."""
    videos = [name for name in wanted if name.endswith("p")]
    cmd = [ffmpeg, "-y", "-v", "error", "-nostdin", "-i", str(source)]
    if videos:
        labels = "".join(f"[s{i}]" for i in range(len(videos)))
        scales = ";".join(f"[s{i}]scale=-2:{rendition_height(name)}[v{i}]" for i, name in enumerate(videos))
        cmd += ["-filter_complex", f"[0:v:0]split={len(videos)}{labels};{scales}"]
    for i, name in enumerate(videos):
        cmd += ["-map", f"[v{i}]", "-map", "0:a:0?", "-c:v", "libx264", "-preset", settings.PORTAL_X264_PRESET]
        cmd += ["-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart"]
        cmd += ["-f", "mp4", str(folder / f".{name}.mp4.part")]
    if "audio" in wanted:
        cmd += ["-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "64k", "-f", "mp4", str(folder / ".audio.m4a.part")]
    if len(cmd) > 7:
        _run(cmd)
    if "poster" in wanted:
        at = min(1.0, seconds / 3)
        _run(
            [
                *[ffmpeg, "-y", "-v", "error", "-nostdin", "-ss", f"{at:.2f}", "-i", str(source), "-frames:v", "1"],
                *["-vf", "scale=-2:'min(720,ih)'", "-f", "image2", str(folder / ".poster.jpg.part")],
            ]
        )


def process_version(version_id):
    """Process one uploaded version; make it live when ready. Safe to run twice."""
    with transaction.atomic():
        version = RecordingVersion.objects.select_for_update().select_related("recording").filter(pk=version_id).first()
        if version is None or version.status == RecordingVersion.Status.READY:
            return version
        version.attempts += 1
        version.status = RecordingVersion.Status.PROCESSING
        version.save(update_fields=["attempts", "status"])
    source = Path(version.original.path)
    folder = source.parent
    ffmpeg = shutil.which(settings.PORTAL_FFMPEG)
    if ffmpeg is None or shutil.which(settings.PORTAL_FFPROBE) is None:
        return _finish(
            version,
            RecordingVersion.Status.SKIPPED,
            RecordingEvent.Action.SKIPPED,
            "Processing was skipped: ffmpeg is not installed on this server. The original is kept and "
            "shown as uploaded; no smaller renditions or audio-only file were made.",
        )
    try:
        probe = probe_video(source)
        outputs = planned_outputs(probe.width, probe.height, probe.audio_codec is not None)
        wanted = [name for name, filename in outputs.items() if not (folder / filename).exists()]
        _encode(ffmpeg, source, folder, wanted, probe.duration.total_seconds())
        for name in wanted:
            os.replace(folder / f".{outputs[name]}.part", folder / outputs[name])
    except (ProcessingFailed, Refused, subprocess.TimeoutExpired, OSError) as exc:
        for leftover in folder.glob(".*.part"):
            leftover.unlink(missing_ok=True)
        return _finish(version, RecordingVersion.Status.FAILED, RecordingEvent.Action.FAILED, str(exc))
    base = os.path.dirname(version.original.name)
    version.outputs = {name: f"{base}/{filename}" for name, filename in outputs.items()}
    version.duration, version.width, version.height = probe.duration, probe.width, probe.height
    return _finish(version, RecordingVersion.Status.READY, RecordingEvent.Action.PROCESSED, "")


def _finish(version, status, action, detail):
    now = timezone.now()
    with transaction.atomic():
        version.status = status
        version.error = detail
        version.processed_at = now
        version.save(update_fields=["status", "error", "processed_at", "outputs", "duration", "width", "height"])
        recording = Recording.objects.select_for_update().get(pk=version.recording_id)
        live = status in (RecordingVersion.Status.READY, RecordingVersion.Status.SKIPPED)
        if live:
            # The new version replaces the live one only now that it is ready.
            recording.current_version = version
        recording.status = recording_status(recording, latest=version)
        recording.save(update_fields=["current_version", "status", "updated_at"])
        RecordingEvent.objects.create(
            recording=recording,
            at=now,
            action=action,
            detail=f"v{version.number}: {detail}" if detail else f"v{version.number}",
        )
    if status == RecordingVersion.Status.FAILED:
        logger.warning("recordings: v%s of %s failed: %s", version.number, version.recording_id, detail[-300:])
    return version


def recording_status(recording, latest=None):
    latest = latest or recording.versions.order_by("-number").first()
    if latest is None:
        return Recording.Status.READY if recording.external_url else Recording.Status.MISSING
    return {
        RecordingVersion.Status.PROCESSING: Recording.Status.PROCESSING,
        RecordingVersion.Status.FAILED: Recording.Status.FAILED,
    }.get(latest.status, Recording.Status.READY)


def storage_path(name):
    return default_storage.path(name)
