"""The access-checked media view: the release rule first, then nginx (X-Accel-Redirect)
in production or a streamed, seekable (HTTP Range) response in the embedded default."""

import os
import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from schedule.recordings.media import MIME, asset_files
from schedule.recordings.models import Recording
from schedule.recordings.release import is_public, is_released

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

# Released media may sit in shared caches (a CDN, the media mirror) only briefly: an
# organiser who holds a recording back after its release needs it gone within minutes,
# not the day that "max-age=86400" kept it (issue 13, item 12). Five minutes still lets a
# cache absorb a crowd starting the same video; browsers revalidate cheaply after it
# (nginx answers 304 for the unchanged file).
PUBLIC_MEDIA_CACHE = "public, max-age=300"
# What the portal's own slides viewer loads (templates/posters/_recording.html: an
# <object> on a portal page) is shown inline; any other request for the slides, above all
# opening the URL itself, gets a download (issue 13, item 11: a PDF polyglot must never
# render in the portal's origin). Browsers say how a response will be used in
# Sec-Fetch-Dest / Sec-Fetch-Site; one that does not gets the download.
VIEWER_DESTINATIONS = {"object", "embed", "iframe"}


def _slides_in_viewer(request):
    return (
        request.GET.get("view") == "1"
        and request.headers.get("Sec-Fetch-Dest") in VIEWER_DESTINATIONS
        and request.headers.get("Sec-Fetch-Site") == "same-origin"
    )


async def _achunks(path, start, length):
    """The same for ASGI: Django would otherwise read a sync iterator whole into memory."""
    from asgiref.sync import sync_to_async

    handle = await sync_to_async(open)(path, "rb")
    try:
        await sync_to_async(handle.seek)(start)
        while length > 0:
            data = await sync_to_async(handle.read)(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        await sync_to_async(handle.close)()


def _chunks(path, start, length):
    with open(path, "rb") as handle:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data


# Same-origin framing so the paper page can show the slides inline.
@xframe_options_sameorigin
@require_http_methods(["GET", "HEAD"])
def recording_media(request, pk, asset):
    recording = Recording.objects.select_related("current_version").filter(pk=pk).first()
    # An unreleased recording is indistinguishable from a missing one (404, not 403).
    if recording is None or not is_released(recording, request.user, timezone.now()):
        raise Http404("No such media.")
    stored = asset_files(recording).get(asset)
    if stored is None:
        raise Http404("No such media.")
    content_type = MIME.get(os.path.splitext(asset)[1], "application/octet-stream")
    public = is_public(recording, timezone.now())
    cache = PUBLIC_MEDIA_CACHE if public else "private, no-store"
    disposition = "attachment" if request.GET.get("download") else "inline"
    vary = None
    if asset == "slides.pdf":
        disposition = "inline" if _slides_in_viewer(request) else "attachment"
        vary = "Sec-Fetch-Dest, Sec-Fetch-Site"
        if request.GET.get("view") and public:
            cache = "private, no-cache"  # the viewer's copy is kept by no shared cache
    filename = f"{recording.subject_key.replace(':', '-')}-{asset}"
    headers = {"Cache-Control": cache, "Content-Disposition": f'{disposition}; filename="{filename}"'}
    if vary:
        headers["Vary"] = vary
    if settings.PORTAL_MEDIA_ACCEL:
        response = HttpResponse(content_type=content_type, headers=headers)
        response["X-Accel-Redirect"] = settings.PORTAL_MEDIA_ACCEL_PREFIX + stored
        return response
    try:
        path = default_storage.path(stored)
        size = os.path.getsize(path)
    except (OSError, NotImplementedError):
        raise Http404("No such media.") from None
    start, end, status = 0, size - 1, 200
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        else:  # the last N bytes
            start, end = max(0, size - int(last)), size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        status = 206
    length = end - start + 1
    if request.method == "HEAD":
        body = iter(())
    elif isinstance(request, ASGIRequest):
        body = _achunks(path, start, length)
    else:
        body = _chunks(path, start, length)
    response = StreamingHttpResponse(body, status=status, content_type=content_type, headers=headers)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
