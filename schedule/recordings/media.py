"""The media a viewer may have: URLs of a recording's renditions, audio, poster frame,
captions and slides, and only when the release rule lets this viewer see them."""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

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

    @property
    def has_video(self):
        return bool(self.sources or self.external_url)


def _url(recording, asset, public):
    path = reverse("schedule:recording_media", args=[recording.pk, asset])
    if public and settings.PORTAL_MEDIA_MIRROR_URL:
        return settings.PORTAL_MEDIA_MIRROR_URL.rstrip("/") + path
    return path


def media_for(recording, user, now):
    """What this viewer may play now; no URL at all before the release (unless previewing)."""
    if recording is None:
        return Media(released=False, release_at=None)
    if not is_released(recording, user, now):
        return Media(released=False, release_at=recording.release_at)
    public = is_public(recording, now)
    media = Media(released=True, release_at=recording.release_at, external_url=recording.external_url)
    version = recording.current_version
    for asset in asset_files(recording):
        suffix = "." + asset.rsplit(".", 1)[-1]
        url = _url(recording, asset, public)
        if asset.endswith("p.mp4"):
            label = asset[:-4]
            media.sources.append({"label": label, "height": rendition_height(label), "url": url, "type": MIME[suffix]})
        elif asset.startswith("original"):
            media.sources.append(
                {"label": "original", "height": version.height or 0, "url": url, "type": MIME.get(suffix, "video/mp4")}
            )
        elif asset == "audio.m4a":
            media.audio = url
        elif asset == "poster.jpg":
            media.poster = url
        elif asset == "captions.vtt":
            media.captions = url
        elif asset == "slides.pdf":
            media.slides = url
            media.slides_viewer = _url(recording, asset, public=False) + "?view=1"
    media.sources.sort(key=lambda s: -s["height"])
    media.duration = version.duration if version else None
    return media
