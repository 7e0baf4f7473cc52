"""What an upload must be, judged by its content, never its name (issue 5, "Bad input").

Each check raises `Refused` with a sentence the author can act on.
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from pypdf import PdfReader


class Refused(Exception):
    """An upload that is not accepted; str() says exactly why."""


@dataclass(frozen=True)
class Probe:
    duration: timedelta
    width: int | None
    height: int | None
    video_codec: str
    audio_codec: str | None
    container: str


def check_size(size):
    limit = settings.PORTAL_UPLOAD_MAX_BYTES
    if size == 0:
        raise Refused("The file is empty (0 bytes).")
    if size > limit:
        raise Refused(f"The file is {size / 1e6:.0f} MB; the limit is {limit / 1e6:.0f} MB.")


def _human(duration):
    seconds = round(duration.total_seconds())
    return f"{seconds // 60} min {seconds % 60:02d} s"


def probe_video(path, max_duration=None):
    """Read the file with ffprobe: a readable container, a decodable video stream, a length."""
    ffprobe = shutil.which(settings.PORTAL_FFPROBE)
    if ffprobe is None:
        raise FileNotFoundError(settings.PORTAL_FFPROBE)
    result = subprocess.run(  # noqa: S603  (a fixed program on a path we chose)
        [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        with open(path, "rb") as handle:
            head = handle.read(12)
        if "moov atom not found" in result.stderr and head[4:8] == b"ftyp":
            raise Refused(
                "The video file is incomplete (truncated, or the upload stopped early): its index is missing."
            )
        reason = (result.stderr.strip().splitlines() or ["unknown format"])[-1]
        raise Refused(f"This is not a video we can read ({reason.split(': ')[-1]}).")
    info = json.loads(result.stdout or "{}")
    streams = info.get("streams", [])
    video = next(
        (s for s in streams if s.get("codec_type") == "video" and s.get("disposition", {}).get("attached_pic") != 1),
        None,
    )
    if video is None:
        raise Refused("The file has no video stream (is it an audio file or an image?).")
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    try:
        seconds = float(info.get("format", {}).get("duration") or video.get("duration"))
    except (TypeError, ValueError):
        raise Refused("The video's length cannot be read; the file may be truncated.") from None
    duration = timedelta(seconds=seconds)
    if max_duration is not None and duration > max_duration + timedelta(seconds=0.5):
        raise Refused(f"The video is {_human(duration)} long; the limit for this talk is {_human(max_duration)}.")
    _check_caps(video, duration)
    _decode_check(path, seconds)
    return Probe(
        duration=duration,
        width=video.get("width"),
        height=video.get("height"),
        video_codec=video.get("codec_name", ""),
        audio_codec=audio.get("codec_name") if audio else None,
        container=info.get("format", {}).get("format_name", ""),
    )


def _frame_rate(video):
    """Frames a second on average (ffprobe's "30000/1001"), else the stream's base rate."""
    for key in ("avg_frame_rate", "r_frame_rate"):
        num, _, den = str(video.get(key) or "").partition("/")
        try:
            rate = float(num) / float(den or 1)
        except (ValueError, ZeroDivisionError):
            continue
        if rate > 0:
            return rate
    return None


def _check_caps(video, duration):
    """What processing may cost: size, pixels, frame rate and length each within a setting
    (issue 13: a 2.9 MB, 8K, 240 s file took ~265 s of two cores), checked before decoding."""
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    max_w, max_h = settings.PORTAL_VIDEO_MAX_WIDTH, settings.PORTAL_VIDEO_MAX_HEIGHT
    export = "Export it at a smaller size (the portal shows it at 720p at most)."
    if width > max_w or height > max_h:
        raise Refused(f"The video is {width}x{height}; the largest accepted is {max_w}x{max_h}. {export}")
    if width * height > settings.PORTAL_VIDEO_MAX_PIXELS:
        raise Refused(
            f"The video is {width}x{height} ({width * height:,} pixels a frame); "
            f"the most accepted is {settings.PORTAL_VIDEO_MAX_PIXELS:,}. {export}"
        )
    rate = _frame_rate(video)
    if rate is not None and rate > settings.PORTAL_VIDEO_MAX_FPS + 0.5:
        raise Refused(
            f"The video has {rate:.0f} frames a second; the most accepted is {settings.PORTAL_VIDEO_MAX_FPS}. "
            "Export it at a lower frame rate."
        )
    longest = timedelta(seconds=settings.PORTAL_VIDEO_MAX_SECONDS)
    if duration > longest + timedelta(seconds=0.5):
        raise Refused(f"The video is {_human(duration)} long; the limit is {_human(longest)}.")


def _decode_check(path, seconds):
    """Decode the first and last second: a truncated file fails here though its header reads."""
    ffmpeg = shutil.which(settings.PORTAL_FFMPEG) or settings.PORTAL_FFMPEG
    for start in sorted({0.0, max(0.0, seconds - 1.0)}):
        result = subprocess.run(  # noqa: S603
            [ffmpeg, "-v", "error", "-xerror", "-ss", f"{start:.3f}", "-i", str(path), "-t", "1", "-f", "null", "-"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0 or result.stderr.strip():
            reason = (result.stderr.strip().splitlines() or ["cannot decode"])[-1]
            raise Refused(f"The video cannot be decoded to its end; the file may be truncated ({reason}).")


def check_pdf(handle):
    """Slides are a PDF that parses, with pages (pypdf), not merely a file that starts with
    %PDF- (issue 13: a "%PDF…<script>" polyglot passed a header check)."""
    head = handle.read(1024)
    handle.seek(0)
    if not head.lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF-"):
        start = head[:40].decode("latin-1", "replace").strip().lower()
        if start.startswith(("<!doctype", "<html", "<?xml", "<")):
            raise Refused("The slides are not a PDF: the file is an HTML or XML page. Export the slides as PDF.")
        raise Refused("The slides are not a PDF (a PDF starts with “%PDF-”). Export the slides as PDF.")
    try:
        pages = len(PdfReader(handle).pages)
    # A parser of hostile input: any failure of it is a file we cannot read.
    except Exception as exc:  # noqa: BLE001
        raise Refused(f"The slides are not a PDF that can be read ({exc}). Export the slides as PDF again.") from None
    finally:
        handle.seek(0)
    if pages == 0:
        raise Refused("The slides PDF has no pages.")


_TIMING_VTT = re.compile(
    r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})\s+-->\s+(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})(?:\s.*)?$"
)
_TIMING_SRT = re.compile(
    r"^(\d{1,}):([0-5]\d):([0-5]\d)[,.](\d{1,3})\s+-->\s+(\d{1,}):([0-5]\d):([0-5]\d)[,.](\d{1,3})"
)


def _ms(h, m, s, frac):
    return ((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))


def captions_to_webvtt(raw):
    """WebVTT as given (checked) or SRT converted; `Refused` if neither parses."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("The captions are not UTF-8 text.") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("WEBVTT"):
        return _check_webvtt(text)
    return _srt_to_webvtt(text)


def _check_webvtt(text):
    first = text.split("\n", 1)[0]
    if first not in ("WEBVTT",) and not first.startswith(("WEBVTT ", "WEBVTT\t")):
        raise Refused("The captions' first line must be “WEBVTT”.")
    cues = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if "-->" in line:
            match = _TIMING_VTT.match(line.strip())
            if not match:
                raise Refused(f"Caption line {number} has a malformed timing: “{line.strip()[:60]}”.")
            g = match.groups()
            if _ms(*g[4:]) < _ms(*g[:4]):
                raise Refused(f"Caption line {number} ends before it starts.")
            cues += 1
    if not cues:
        raise Refused("The WebVTT file has no cues (no “00:00:01.000 --> 00:00:04.000” timings).")
    return text if text.endswith("\n") else text + "\n"


def _srt_to_webvtt(text):
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    if not blocks:
        raise Refused("The captions file is empty.")
    out = ["WEBVTT", ""]
    for n, block in enumerate(blocks, start=1):
        lines = block.split("\n")
        if lines[0].strip().isdigit():
            lines = lines[1:]
        match = _TIMING_SRT.match(lines[0].strip()) if lines else None
        if not match:
            raise Refused(
                f"Caption {n} is neither WebVTT nor SRT: expected a timing like “00:00:01,000 --> 00:00:04,000”."
            )
        g = match.groups()
        start, end = _ms(*g[:4]), _ms(*g[4:])
        if end < start:
            raise Refused(f"Caption {n} ends before it starts.")
        out += [f"{_vtt_time(start)} --> {_vtt_time(end)}", *lines[1:], ""]
    return "\n".join(out)


def _vtt_time(ms):
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"
