"""The one upload page of a pre-recorded talk, for any subject whose kind has recordings
(schedule/subjects.py `RecordingTerms`: papers, keynotes, workshop talks): video, slides
and captions, the status while the video is processed, retrying a failed version.

Found by the subject's key (`/me/recordings/<key>/`); features may mount the same views
at their own addresses (a paper's `/me/papers/<uid>/recording/`), passing the key. Who
may use it is `release.may_upload` (organisers, the subject's authors, the uploaders an
organiser added). A refusal says why, as JSON to the upload script (static/js/upload.js,
with a progress bar) or as a message on the page without JavaScript.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from schedule import subjects
from schedule.recordings import services
from schedule.recordings.media import media_for
from schedule.recordings.models import RecordingVersion
from schedule.recordings.processing import QueueUnavailable
from schedule.recordings.release import may_upload
from schedule.recordings.validation import Refused

KINDS = {"video": services.accept_video, "slides": services.accept_slides, "captions": services.accept_captions}


def _target(request, key):
    """(subject, its kind's terms, its recording) for someone who may upload it; 404 for a
    subject that does not exist or cannot have a recording, 403 for anyone else."""
    found = subjects.subject(key)
    terms = subjects.recording_terms(key)
    if found is None or terms is None or found.private:
        raise Http404("There is no such talk to upload.")
    # Checked before the recording is made: looking is no reason to make one.
    if not may_upload(key, request.user):
        raise PermissionDenied(f"Only {terms.who_uploads} and the organisers may upload its recording.")
    recording = subjects.recording_of(key)
    if recording is None:
        raise Http404("This talk has no recording.")
    return found, terms, recording


def _page_url(subject):
    return subject.upload_url or reverse("schedule:recording_upload_page", args=[subject.key])


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or request.headers.get("X-Requested-With")


def _status_payload(recording):
    latest = recording.versions.order_by("-number").first()
    return {
        "status": recording.status,
        "status_label": recording.get_status_display(),
        "latest": None
        if latest is None
        else {"number": latest.number, "status": latest.status, "error": latest.error, "attempts": latest.attempts},
        "live_version": recording.current_version.number if recording.current_version else None,
        "slides": bool(recording.slides),
        "captions": bool(recording.captions),
    }


@login_required
@require_GET
def upload_page(request, key):
    subject, terms, recording = _target(request, key)
    versions = list(recording.versions.order_by("-number")[:10])
    context = {
        "subject": subject,
        "terms": terms,
        "home": (terms.home[0], reverse(terms.home[1])) if terms.home else None,
        "recording": recording,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "events": list(recording.events.order_by("-at", "-id")[:20]),
        "media": media_for(recording, request.user, timezone.now()),
        # The preview's element id (posters/_recording.html names it by `paper.uid`).
        "preview": {"uid": key.replace(":", "-")},
        "limit_mb": services.upload_limit_mb(),
        "max_minutes": int(recording.max_duration.total_seconds() // 60),
        "max_size": f"{settings.PORTAL_VIDEO_MAX_WIDTH}x{settings.PORTAL_VIDEO_MAX_HEIGHT}",
        "max_fps": settings.PORTAL_VIDEO_MAX_FPS,
        # Organisers add uploaders (a talk's speakers) in admin: shown to them only.
        "added_uploaders": list(recording.uploaders.order_by("email")) if request.user.is_organiser else None,
    }
    return render(request, "schedule/recording_upload.html", context)


@login_required
@require_POST
def upload(request, key, kind):
    subject, _, recording = _target(request, key)
    accept = KINDS.get(kind)
    if accept is None:
        if _wants_json(request):
            return JsonResponse({"error": "Unknown upload."}, status=404)
        messages.error(request, f"“{str(kind)[:20]}” is not something to upload: video, slides or captions.")
        return redirect(_page_url(subject))
    # Refuse an oversized body before Django reads it to disk.
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = settings.PORTAL_UPLOAD_MAX_BYTES
    problem = None
    if declared > limit + 64 * 1024:
        problem, status = f"The file is {declared / 1e6:.0f} MB; the limit is {limit / 1e6:.0f} MB.", 413
    else:
        uploaded = request.FILES.get("file")
        if uploaded is None:
            problem, status = "Choose a file to upload.", 400
    if problem is None:
        try:
            accept(recording, uploaded, request.user)
        except Refused as refusal:
            problem, status = str(refusal), 400
        except QueueUnavailable as failure:  # kept, marked failed: "Process again" later
            problem, status = str(failure), 503
    if _wants_json(request):
        recording.refresh_from_db()
        if problem:
            return JsonResponse({"error": problem, **_status_payload(recording)}, status=status)
        return JsonResponse({"ok": True, **_status_payload(recording)})
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, f"{kind.capitalize()} received.")
    return redirect(_page_url(subject))


@login_required
@require_GET
def status(request, key):
    _, _, recording = _target(request, key)
    return JsonResponse(_status_payload(recording))


@login_required
@require_POST
def retry(request, key):
    subject, _, recording = _target(request, key)
    version = recording.versions.filter(status=RecordingVersion.Status.FAILED).order_by("-number").first()
    if version is not None:
        try:
            services.retry(version, request.user)
        except QueueUnavailable as failure:
            messages.error(request, str(failure))
        else:
            messages.info(request, f"Processing of version {version.number} was started again.")
    return redirect(_page_url(subject))
