"""The media a viewer may have: URLs of a recording's renditions, audio, poster frame,
captions and slides, and only when the release rule lets this viewer see them."""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from portal.public import exporting
from schedule.recordings.processing import rendition_height
from schedule.recordings.release import is_public, is_released

MIME = {
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".jpg": "image/jpeg",
    ".pdf": "application/pdf",
    ".vtt": "text/vtt; charset=utf-8",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
}


def asset_files(recording):
    """{asset name in the URL: storage name} of what the live version and the recording hold."""
    files = {}
    version = recording.current_version
    if version is not None:
        if version.outputs:
            for stored in version.outputs.values():
                files[stored.rsplit("/", 1)[-1]] = stored
        else:  # kept as uploaded (processing skipped)
            files["original." + version.original.name.rsplit(".", 1)[-1]] = version.original.name
    if recording.slides:
        files["slides.pdf"] = recording.slides.name
    if recording.captions:
        files["captions.vtt"] = recording.captions.name
    return files


@dataclass
class Media:
    released: bool
    release_at: object
    sources: list = field(default_factory=list)  # [{"label", "height", "url", "type"}], best first
    audio: str = ""
    poster: str = ""
    captions: str = ""
    slides: str = ""
    slides_viewer: str = ""  # for the page's own viewer: inline, on the portal's origin
    external_url: str = ""
    duration: object = None
    mirrors: list = field(default_factory=list)  # base URLs holding the same paths, tried in order on error
    # The portal's own media go with the session cookie (an author's preview); a static
    # copy (file://, any host) loads them plainly: a CORS request to a file fails.
    credentials: bool = True

    @property
    def mirrors_attr(self):
        return " ".join(self.mirrors)

    @property
    def has_video(self):
        return bool(self.sources or self.external_url)


def media_bases():
    """(first, mirrors): the base URL released media is served from first ("" = the portal
    itself, or the export's own copy), and the mirrors to try after it, in order."""
    plan = exporting()
    if plan is not None:
        return plan.media_base, list(plan.mirrors)
    first = settings.PORTAL_MEDIA_MIRROR_URL.rstrip("/")
    mirrors = [m.rstrip("/") for m in settings.MEDIA_MIRRORS]
    return first, [m for m in mirrors if m and m != first]


def media_path(recording, asset):
    """The path of an asset, the same on the portal and on every mirror."""
    return reverse("schedule:recording_media", args=[recording.pk, asset])


def _url(recording, asset, public, first=None):
    path = media_path(recording, asset)
    first = media_bases()[0] if first is None else first
    if public and first:
        return first + path
    return path


def media_for(recording, user, now):
    """What this viewer may play now; no URL at all before the release (unless previewing)."""
    if recording is None:
        return Media(released=False, release_at=None)
    if not is_released(recording, user, now):
        return Media(released=False, release_at=recording.release_at)
    public = is_public(recording, now)
    media = Media(released=True, release_at=recording.release_at, external_url=recording.external_url)
    first, mirrors = media_bases()
    media.credentials = exporting() is None
    if public:  # a preview is the portal's alone: mirrors hold released media only
        media.mirrors = mirrors
    version = recording.current_version
    for asset in asset_files(recording):
        suffix = "." + asset.rsplit(".", 1)[-1]
        url = _url(recording, asset, public, first)
        if asset.endswith("p.mp4"):
            label = asset[:-4]
            media.sources.append(
                {
                    "label": label,
                    "height": rendition_height(label),
                    "url": url,
                    "path": media_path(recording, asset),
                    "type": MIME[suffix],
                }
            )
        elif asset.startswith("original"):
            media.sources.append(
                {
                    "label": "original",
                    "height": version.height or 0,
                    "url": url,
                    "path": media_path(recording, asset),
                    "type": MIME.get(suffix, "video/mp4"),
                }
            )
        elif asset == "audio.m4a":
            media.audio = url
        elif asset == "poster.jpg":
            media.poster = url
        elif asset == "captions.vtt":
            media.captions = url
        elif asset == "slides.pdf":
            media.slides = url
            media.slides_viewer = media_path(recording, asset) + "?view=1"
    media.sources.sort(key=lambda s: -s["height"])
    media.duration = version.duration if version else None
    return media
