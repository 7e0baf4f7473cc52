"""ffmpeg: H.264/AAC renditions (no upscaling), an audio-only file and a poster frame.

Outputs are written beside the original under a temporary name and renamed when ffmpeg
succeeds, so a retry finds the finished ones and makes only what is missing.

A job survives a dead worker (issue 13, item 4): the task is acknowledged late and
re-queued when its worker is lost (schedule/tasks.py); a run claims its version with a
heartbeat refreshed while ffmpeg works, so a duplicate run finds it alive and leaves it;
and the beat's `sweep_stuck_versions` re-queues a version whose run fell silent, failing
it with a reason after PORTAL_PROCESSING_MAX_ATTEMPTS starts.
"""

import logging
import os
import shutil
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

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


# How often a running job says it is alive (RecordingVersion.heartbeat_at): well within
# the sweeper's deadline, so a live run is never taken for a dead one.
def _heartbeat_seconds():
    return min(15.0, settings.PORTAL_PROCESSING_STUCK_SECONDS / 4)


def _dies_with_the_worker(cmd):
    """`cmd` under util-linux's setpriv, so the encoder is killed when the worker that
    started it dies (a killed worker leaves no ffmpeg running on for hours); as it is where
    setpriv is missing."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--", *cmd] if setpriv else cmd


def _run(cmd, beat, deadline):
    """Run ffmpeg, calling `beat()` every few seconds; killed at `deadline` (monotonic)."""
    # A fixed program (settings) with arguments we built; no shell.
    process = subprocess.Popen(  # noqa: S603
        _dies_with_the_worker(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    every = _heartbeat_seconds()
    while True:
        try:
            _, stderr = process.communicate(timeout=max(0.0, min(every, deadline - time.monotonic())))
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                process.kill()
                process.communicate()
                raise subprocess.TimeoutExpired(cmd, settings.PORTAL_PROCESSING_TIMEOUT) from None
            beat()
    if process.returncode != 0:
        raise ProcessingFailed(stderr[-STDERR_TAIL:].strip() or f"ffmpeg exited with {process.returncode}")


def _encode(ffmpeg, source, folder, wanted, seconds, beat):
    """One ffmpeg run for every missing rendition and the audio (the source is decoded once)."""
    deadline = time.monotonic() + settings.PORTAL_PROCESSING_TIMEOUT
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
        _run(cmd, beat, deadline)
    if "poster" in wanted:
        at = min(1.0, seconds / 3)
        _run(
            [
                *[ffmpeg, "-y", "-v", "error", "-nostdin", "-ss", f"{at:.2f}", "-i", str(source), "-frames:v", "1"],
                *["-vf", "scale=-2:'min(720,ih)'", "-f", "image2", str(folder / ".poster.jpg.part")],
            ],
            beat,
            deadline,
        )


def process_version(version_id):
    """Process one uploaded version; make it live when ready. Safe to run twice: a version
    that is ready, failed or skipped is left as it is, one that another run is processing
    (its heartbeat is fresh) is left to that run, and a run after a crash starts clean."""
    now = timezone.now()
    with transaction.atomic():
        version = RecordingVersion.objects.select_for_update().select_related("recording").filter(pk=version_id).first()
        if version is None or version.status != RecordingVersion.Status.PROCESSING:
            return version
        if version.heartbeat_at is not None and version.heartbeat_at > now - _stuck_after():
            logger.info("recordings: v%s of %s is being processed by another run", version.number, version.recording_id)
            return version
        version.attempts += 1
        version.heartbeat_at = now
        version.save(update_fields=["attempts", "heartbeat_at"])
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
    _clean_partial(folder)  # what a run that died half-way left

    def beat():
        RecordingVersion.objects.filter(pk=version.pk).update(heartbeat_at=timezone.now())

    try:
        probe = probe_video(source)
        outputs = planned_outputs(probe.width, probe.height, probe.audio_codec is not None)
        wanted = [name for name, filename in outputs.items() if not (folder / filename).exists()]
        _encode(ffmpeg, source, folder, wanted, probe.duration.total_seconds(), beat)
        for name in wanted:
            os.replace(folder / f".{outputs[name]}.part", folder / outputs[name])
    except (ProcessingFailed, Refused, subprocess.TimeoutExpired, OSError) as exc:
        _clean_partial(folder)
        return _finish(version, RecordingVersion.Status.FAILED, RecordingEvent.Action.FAILED, str(exc))
    base = os.path.dirname(version.original.name)
    version.outputs = {name: f"{base}/{filename}" for name, filename in outputs.items()}
    version.duration, version.width, version.height = probe.duration, probe.width, probe.height
    return _finish(version, RecordingVersion.Status.READY, RecordingEvent.Action.PROCESSED, "")


def _clean_partial(folder):
    for leftover in folder.glob(".*.part"):
        leftover.unlink(missing_ok=True)


def _finish(version, status, action, detail):
    now = timezone.now()
    with transaction.atomic():
        version.status = status
        version.error = detail
        version.processed_at = now
        version.heartbeat_at = None
        version.save(
            update_fields=["status", "error", "processed_at", "heartbeat_at", "outputs", "duration", "width", "height"]
        )
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


class QueueUnavailable(Exception):
    """Processing could not be queued (the broker is down); str() says what to do."""


QUEUE_FAILED = (
    "The video was received, but its processing could not be started: the task queue is "
    "unavailable. The previous version stays live. Press “Retry processing” in a few minutes."
)


def enqueue(version):
    """Queue the processing of a version marked processing; `QueueUnavailable` if the
    broker refuses (nothing is changed then but `queued_at`)."""
    from schedule.tasks import process_recording

    RecordingVersion.objects.filter(pk=version.pk).update(queued_at=timezone.now(), heartbeat_at=None)
    try:
        process_recording.delay(version.pk)
    except OperationalError as exc:  # kombu's word for "the broker cannot be reached"
        logger.warning("recordings: queueing v%s of %s failed: %s", version.number, version.recording_id, exc)
        raise QueueUnavailable(QUEUE_FAILED) from exc


def enqueue_or_fail(version):
    """`enqueue`, and when the broker refuses, mark the version failed with the reason (the
    live version is untouched; "Retry processing" queues it later) before raising."""
    try:
        enqueue(version)
    except QueueUnavailable:
        version.refresh_from_db()
        if version.status == RecordingVersion.Status.PROCESSING:
            _finish(version, RecordingVersion.Status.FAILED, RecordingEvent.Action.FAILED, QUEUE_FAILED)
        raise


def _stuck_after():
    return timedelta(seconds=settings.PORTAL_PROCESSING_STUCK_SECONDS)


def sweep_stuck_versions(now):
    """Beat: re-queue every version in processing with no sign of life (queued or running)
    for PORTAL_PROCESSING_STUCK_SECONDS, e.g. its worker was killed; fail it with the
    reason once it was started PORTAL_PROCESSING_MAX_ATTEMPTS times. Returns (re-queued, failed)."""
    silent = now - _stuck_after()
    stuck = RecordingVersion.objects.filter(status=RecordingVersion.Status.PROCESSING).filter(
        Q(heartbeat_at__lt=silent) | Q(heartbeat_at=None, queued_at__lt=silent) | Q(heartbeat_at=None, queued_at=None)
    )
    requeued = failed = 0
    for version in stuck.select_related("recording").order_by("pk"):
        if version.attempts >= settings.PORTAL_PROCESSING_MAX_ATTEMPTS:
            reason = (
                f"Processing stopped without finishing {version.attempts} times (the worker was stopped or "
                "ran out of memory). The previous version stays live; upload a shorter or smaller video."
            )
            _finish(version, RecordingVersion.Status.FAILED, RecordingEvent.Action.FAILED, reason)
            failed += 1
            continue
        try:
            enqueue(version)
        except QueueUnavailable:
            break  # the broker is down: the next sweep tries again
        logger.warning("recordings: v%s of %s was stuck; queued again", version.number, version.recording_id)
        requeued += 1
    return requeued, failed


def storage_path(name):
    return default_storage.path(name)
