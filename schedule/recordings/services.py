"""What authors and organisers do with a recording. Views call these; nothing else writes.

Every upload is checked in full before anything is stored or changed, so a refused file
leaves the recording exactly as it was.
"""

import contextlib
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from schedule import subjects
from schedule.recordings.models import Recording, RecordingEvent, RecordingVersion
from schedule.recordings.processing import enqueue_or_fail, recording_status
from schedule.recordings.validation import Refused, captions_to_webvtt, check_pdf, check_size, probe_video

CAPTIONS_MAX_BYTES = 2 * 1024 * 1024
VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".ogv"}


def recording_for(subject_key, *, kind, title="", release_day=None):
    """The recording of a subject, made on first use; its title and day kept current."""
    recording, created = Recording.objects.get_or_create(
        subject_key=subject_key, defaults={"kind": kind, "title": title[:500], "release_day": release_day}
    )
    if not created and (recording.title != title[:500] or recording.release_day != release_day):
        recording.title, recording.release_day = title[:500], release_day
        recording.save(update_fields=["title", "release_day", "updated_at"])
    return recording


def _local_path(uploaded):
    """A path ffprobe can read: the upload's temporary file, else a copy streamed to disk."""
    if hasattr(uploaded, "temporary_file_path"):
        return Path(uploaded.temporary_file_path()), None
    handle = tempfile.NamedTemporaryFile(suffix=".upload", delete=False)  # noqa: SIM115
    with handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
    return Path(handle.name), handle.name


def accept_video(recording, uploaded, actor):
    """Validate an uploaded video, store it as a new version and queue its processing.

    When the queue is down the version is kept, marked failed with the reason, and
    `processing.QueueUnavailable` says so (the live version stays live)."""
    check_size(uploaded.size)
    path, cleanup = _local_path(uploaded)
    try:
        # Without ffprobe on this server the file is kept, and processing says why it was skipped.
        with contextlib.suppress(FileNotFoundError):
            probe_video(path, recording.max_duration)
    finally:
        if cleanup:
            Path(cleanup).unlink(missing_ok=True)
    suffix = Path(uploaded.name or "").suffix.lower()
    suffix = suffix if suffix in VIDEO_SUFFIXES else ".video"
    with transaction.atomic():
        Recording.objects.select_for_update().get(pk=recording.pk)
        number = (recording.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = RecordingVersion(recording=recording, number=number, original_name=(uploaded.name or "")[:255])
        uploaded.seek(0)
        version.original.save(f"original{suffix}", uploaded, save=False)
        version.uploaded_by = actor if actor and actor.is_authenticated else None
        version.save()
        Recording.objects.filter(pk=recording.pk).update(status=Recording.Status.PROCESSING)
        _log(recording, RecordingEvent.Action.UPLOADED, actor, f"v{number}: {version.original_name}")
    try:
        enqueue_or_fail(version)  # after the commit: the worker must find the version
    finally:
        recording.refresh_from_db()
    return version


def retry(version, actor=None):
    """Process a failed version again (finished outputs are reused, not remade);
    `processing.QueueUnavailable` when the queue is down (it stays failed)."""
    if version.status != RecordingVersion.Status.FAILED:
        return version
    with transaction.atomic():
        RecordingVersion.objects.filter(pk=version.pk).update(status=RecordingVersion.Status.PROCESSING)
        Recording.objects.filter(pk=version.recording_id).update(status=Recording.Status.PROCESSING)
    enqueue_or_fail(version)
    return version


def accept_slides(recording, uploaded, actor):
    check_size(uploaded.size)
    uploaded.seek(0)
    check_pdf(uploaded)
    old = recording.slides.name
    with transaction.atomic():
        recording.slides.save("slides.pdf", uploaded, save=False)
        recording.save(update_fields=["slides", "updated_at"])
        _log(recording, RecordingEvent.Action.SLIDES, actor, uploaded.name or "")
    _delete_later(recording.slides.storage, old, keep=recording.slides.name)


def accept_captions(recording, uploaded, actor):
    if uploaded.size > CAPTIONS_MAX_BYTES:
        raise Refused(f"A captions file is at most {CAPTIONS_MAX_BYTES // 1024 // 1024} MB.")
    check_size(uploaded.size)
    uploaded.seek(0)
    text = captions_to_webvtt(uploaded.read())
    old = recording.captions.name
    with transaction.atomic():
        recording.captions.save("captions.vtt", ContentFile(text.encode()), save=False)
        recording.save(update_fields=["captions", "updated_at"])
        _log(recording, RecordingEvent.Action.CAPTIONS, actor, uploaded.name or "")
    _delete_later(recording.captions.storage, old, keep=recording.captions.name)


def set_external_url(recording, url, actor):
    recording.external_url = url
    recording.status = recording_status(recording)
    recording.save(update_fields=["external_url", "status", "updated_at"])
    _log(recording, RecordingEvent.Action.UPLOADED, actor, f"external: {url}")


def _delete_later(storage, old, keep):
    if old and old != keep:
        transaction.on_commit(lambda: storage.delete(old))


def _log(recording, action, actor, detail=""):
    RecordingEvent.objects.create(
        recording=recording,
        at=timezone.now(),
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        detail=detail,
    )


def upload_limit_mb():
    return settings.PORTAL_UPLOAD_MAX_BYTES // (1024 * 1024)


def send_upload_reminders(recordings, actor=None):
    """E-mail the authors of each recording still without a video, with the link to its
    upload page (both its subject's, schedule/subjects.py); returns how many were sent. A
    recording whose subject has no upload page gets no reminder."""
    from django.core.mail import send_mass_mail

    recordings = [recording for recording in recordings if not recording.has_video]
    by_key = subjects.subjects_by_key(recording.subject_key for recording in recordings)
    base = settings.PORTAL_BASE_URL.rstrip("/")
    messages_out, reminded = [], []
    for recording in recordings:
        subject = by_key.get(recording.subject_key)
        if subject is None or not subject.upload_url:
            continue
        emails = set(subject.author_emails) | {u.email for u in recording.uploaders.all() if u.email}
        if not emails:
            continue
        when = f" It is released on {recording.release_at:%A %d %B %Y, %H:%M} UTC." if recording.release_at else ""
        body = (
            f"Hello,\n\nthe pre-recorded talk for “{recording.title or subject.title}” "
            "has not been uploaded yet."
            f"{when}\n\nUpload the video, slides and captions here: {base}{subject.upload_url}\n"
        )
        messages_out.append(("Please upload your pre-recorded talk", body, settings.DEFAULT_FROM_EMAIL, sorted(emails)))
        reminded.append(recording)
    send_mass_mail(messages_out, fail_silently=False)
    for recording in reminded:
        _log(recording, RecordingEvent.Action.REMINDED, actor, "")
    return len(reminded)
