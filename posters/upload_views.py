"""Author upload pages (/me/papers/authored/ and /me/papers/<uid>/recording/): thin wiring
to schedule.recordings.services. A refusal says why, as JSON to the upload script (it
shows a progress bar) or as a message on the page without JavaScript."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portal.page_parts import render_page_parts
from posters.models import Paper
from posters.uploads import authored_papers, may_upload, recording_for_paper, recordings_by_uid
from schedule.recordings import services
from schedule.recordings.media import media_for
from schedule.recordings.models import RecordingVersion
from schedule.recordings.processing import QueueUnavailable
from schedule.recordings.validation import Refused

KINDS = {"video": services.accept_video, "slides": services.accept_slides, "captions": services.accept_captions}


def _paper_for_author(request, uid):
    paper = get_object_or_404(Paper.objects.defer("search_vector"), uid=uid[:64])
    if not may_upload(request.user, paper):
        raise PermissionDenied("Only the paper's authors and the organisers may upload its recording.")
    return paper


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or request.headers.get("X-Requested-With")


@login_required
@require_GET
def authored(request):
    papers = list(authored_papers(request.user))
    recordings = recordings_by_uid(papers)
    rows = [{"paper": p, "recording": recordings.get(p.uid)} for p in papers]
    # What layers above add (people: the minimum-answer policy and this author's progress).
    parts = render_page_parts("my_papers", request)
    return render(request, "posters/my_papers_authored.html", {"rows": rows, "page_parts": parts})


@login_required
@require_GET
def recording_page(request, uid):
    paper = _paper_for_author(request, uid)
    recording = recording_for_paper(paper)
    return render(request, "posters/my_papers_recording.html", _context(request, paper, recording))


def _context(request, paper, recording):
    versions = list(recording.versions.order_by("-number")[:10])
    return {
        "paper": paper,
        "recording": recording,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "events": list(recording.events.order_by("-at", "-id")[:20]),
        "media": media_for(recording, request.user, timezone.now()),
        "limit_mb": services.upload_limit_mb(),
        "max_minutes": int(recording.max_duration.total_seconds() // 60),
        "max_size": f"{settings.PORTAL_VIDEO_MAX_WIDTH}x{settings.PORTAL_VIDEO_MAX_HEIGHT}",
        "max_fps": settings.PORTAL_VIDEO_MAX_FPS,
    }


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
@require_POST
def upload(request, uid, kind):
    paper = _paper_for_author(request, uid)
    accept = KINDS.get(kind)
    if accept is None:
        return JsonResponse({"error": "Unknown upload."}, status=404)
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
    recording = recording_for_paper(paper)
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
    return redirect("posters:upload_recording", uid=paper.uid)


@login_required
@require_GET
def status(request, uid):
    paper = _paper_for_author(request, uid)
    return JsonResponse(_status_payload(recording_for_paper(paper)))


@login_required
@require_POST
def retry(request, uid):
    paper = _paper_for_author(request, uid)
    recording = recording_for_paper(paper)
    version = recording.versions.filter(status=RecordingVersion.Status.FAILED).order_by("-number").first()
    if version is not None:
        try:
            services.retry(version, request.user)
        except QueueUnavailable as failure:
            messages.error(request, str(failure))
        else:
            messages.info(request, f"Processing of version {version.number} was started again.")
    return redirect("posters:upload_recording", uid=paper.uid)
