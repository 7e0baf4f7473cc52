"""Small real media for the recording tests, made once per run with ffmpeg's lavfi sources."""

import subprocess
from datetime import UTC, datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from schedule.models import Recording, RecordingVersion

FFMPEG = "/usr/bin/ffmpeg"


def make_video(path, seconds=2, size="320x180", rate=10, audio=True):
    cmd = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", "-b:a", "32k"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-shortest", str(path)]
    subprocess.run(cmd, check=True)  # noqa: S603
    return path


def make_long_video(path, seconds):
    """A long video cheaply: one tiny frame a second, no audio."""
    subprocess.run(  # noqa: S603
        [
            *[FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=blue:size=64x36:rate=1:duration={seconds}"],
            *["-c:v", "libx264", "-preset", "ultrafast", "-g", "600", str(path)],
        ],
        check=True,
    )
    return path


_made = {}


def make_media_dir(tmp_path_factory):
    """The test media, made once per run (modules share it through their `media_dir` fixture)."""
    if "folder" in _made:
        return _made["folder"]
    folder = _made["folder"] = tmp_path_factory.mktemp("recording-media")
    make_video(folder / "talk.mp4")
    make_video(folder / "talk720.mp4", seconds=1, size="1280x720", rate=5)
    make_long_video(folder / "six-minutes.mp4", 6 * 60)
    data = (folder / "talk.mp4").read_bytes()
    (folder / "truncated.mp4").write_bytes(data[: len(data) // 2])
    (folder / "renamed.mp4").write_bytes(b"This is a text file, not a video.\n" * 100)
    return folder


def upload(path, name=None, content_type="application/octet-stream"):
    """An upload as Django's TemporaryFileUploadHandler hands it over (on disk)."""
    data = path.read_bytes() if hasattr(path, "read_bytes") else path
    handle = TemporaryUploadedFile(name or getattr(path, "name", "file"), content_type, len(data), None)
    handle.write(data)
    handle.flush()
    handle.seek(0)
    return handle


def small_upload(data, name):
    return SimpleUploadedFile(name, data)


VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello and welcome.\n"
SRT = b"1\r\n00:00:00,000 --> 00:00:01,500\r\nHello and welcome.\r\n\r\n2\r\n00:00:01,500 --> 00:00:02,000\r\nBye.\r\n"


def make_pdf(*objects, head=b""):
    """A PDF of these numbered objects (1 is the catalogue) with a correct cross-reference
    table; `head` goes after the header line (a comment, say)."""
    out = b"%PDF-1.4\n" + head
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj%s endobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


PDF = make_pdf(
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>",
)


def ready_recording(subject_key, video, **fields):
    """A recording (`fields`) with a ready version whose 360p rendition is `video`, a real
    (small) file, stored as processing stores it."""
    recording = Recording.objects.create(subject_key=subject_key, **fields)
    version = RecordingVersion(recording=recording, number=1, status="ready")
    version.original.save("original.mp4", ContentFile(video.read_bytes()), save=False)
    folder = version.original.name.rsplit("/", 1)[0]
    version.outputs = {"360p": version.original.storage.save(f"{folder}/360p.mp4", ContentFile(video.read_bytes()))}
    version.save()
    recording.current_version = version
    recording.save()
    return recording


def recording(**kwargs):
    kwargs.setdefault("subject_key", f"test:{datetime.now(UTC).timestamp()}")
    return Recording.objects.create(**kwargs)


def past(days=1):
    return datetime.now(UTC) - timedelta(days=days)
