"""What is true about a pre-recorded talk (DESIGN.md, "Release rule").

A `Recording` is what the programme promises for one subject; each uploaded video is a
`RecordingVersion`, processed on its own, so a replacement never touches the version that
is live until it is ready, and a failed one keeps its original. `RecordingEvent` is the
history (uploads, processing attempts, releases, an organiser's early release or hold).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models

# The longest video each kind of talk may have (issue 5).
MAX_DURATION = {
    "poster": timedelta(minutes=5),
    "oral": timedelta(minutes=15),
    "keynote": timedelta(minutes=60),
    "workshop_talk": timedelta(minutes=30),
}
# Renditions generated from each upload: (name, height). None is upscaled.
RENDITIONS = (("360p", 360), ("720p", 720))


def version_path(version, filename):
    return f"recordings/{version.recording_id}/v{version.number}/{filename}"


def recording_path(recording, filename):
    return f"recordings/{recording.pk}/{filename}"


class Recording(models.Model):
    class Kind(models.TextChoices):
        POSTER = "poster", "Poster talk"
        ORAL = "oral", "Oral talk"
        KEYNOTE = "keynote", "Keynote"
        WORKSHOP_TALK = "workshop_talk", "Workshop talk"

    class Status(models.TextChoices):
        MISSING = "missing", "Missing"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Override(models.TextChoices):
        NONE = "", "By the release rule"
        EARLY = "early", "Released early by an organiser"
        HELD = "held", "Held back by an organiser"

    subject_key = models.CharField(max_length=120, unique=True, help_text="What it records, e.g. paper:<uid>.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.POSTER)
    title = models.CharField(max_length=500, blank=True, help_text="How it is shown (e.g. the paper title).")
    # A calendar day in the release zone (a date, not an instant: "the NZ day of the talk").
    release_day = models.DateField(null=True, blank=True)
    # Computed from release_day by the release rule on save (release.release_instant).
    release_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set once by the release task (or an early release): the announcement marker.
    released_at = models.DateTimeField(null=True, blank=True)
    release_override = models.CharField(max_length=10, choices=Override.choices, default="", blank=True)
    external_url = models.URLField(max_length=500, blank=True, help_text="A video hosted elsewhere.")
    current_version = models.ForeignKey(
        "RecordingVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    slides = models.FileField(upload_to=recording_path, max_length=300, blank=True)
    captions = models.FileField(upload_to=recording_path, max_length=300, blank=True, help_text="WebVTT.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MISSING, db_index=True)
    # People an organiser added as able to upload (beyond the subject's own authors).
    uploaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["release_at", "subject_key"]
        indexes = [models.Index(fields=["released_at", "release_at"])]

    def __str__(self):
        return self.title or self.subject_key

    def save(self, *args, **kwargs):
        from schedule.recordings.release import release_instant

        self.release_at = release_instant(self.release_day) if self.release_day else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "release_day" in update_fields:
            kwargs["update_fields"] = {*update_fields, "release_at"}
        super().save(*args, **kwargs)

    @property
    def max_duration(self):
        return MAX_DURATION[self.kind]

    @property
    def has_video(self):
        return self.current_version_id is not None or bool(self.external_url)


class RecordingVersion(models.Model):
    """One uploaded video and what processing made of it."""

    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Kept as uploaded (not processed)"

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    original = models.FileField(upload_to=version_path, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    # {"360p": "recordings/1/v1/360p.mp4", "720p": ..., "audio": ..., "poster": ...}
    outputs = models.JSONField(default=dict, blank=True)
    duration = models.DurationField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When it was last queued, and the last sign of life of the run processing it (set when
    # a run starts, refreshed while ffmpeg works; empty while only queued). The beat's
    # sweeper re-queues a version that shows neither for PORTAL_PROCESSING_STUCK_SECONDS.
    queued_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why processing failed or was skipped (ffmpeg's words).")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recording", "-number"]
        constraints = [models.UniqueConstraint(fields=["recording", "number"], name="recordingversion_unique")]

    def __str__(self):
        return f"{self.recording} v{self.number} ({self.status})"


class RecordingEvent(models.Model):
    """One line of a recording's history."""

    class Action(models.TextChoices):
        UPLOADED = "uploaded", "Video uploaded"
        SLIDES = "slides", "Slides uploaded"
        CAPTIONS = "captions", "Captions uploaded"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Processing failed"
        SKIPPED = "skipped", "Processing skipped"
        RELEASED = "released", "Released"
        RELEASED_EARLY = "released_early", "Released early"
        HELD = "held", "Held back"
        UNHELD = "unheld", "Hold lifted"
        REMINDED = "reminded", "Reminder sent"

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["recording", "at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M} UTC"


class ReleaseAnnouncement(models.Model):
    """ "Today's N videos are out": one per release day, updated as more come out."""

    release_day = models.DateField(unique=True)
    count = models.PositiveIntegerField(default=0)
    announced_at = models.DateTimeField()

    class Meta:
        ordering = ["-release_day"]

    def __str__(self):
        return f"{self.count} videos out on {self.release_day}"


class MirrorSync(models.Model):
    """The last successful copy of the released media to one mirror (manage.py sync_mirror).
    A sync that fails (the mirror unreachable) changes nothing here."""

    mirror = models.CharField(max_length=500, unique=True, help_text="The mirror's base URL or path.")
    synced_at = models.DateTimeField()
    files = models.PositiveIntegerField(help_text="Released media files the mirror holds.")
    bytes = models.PositiveBigIntegerField()
    copied = models.PositiveIntegerField(help_text="Files copied by that sync (new or changed).")
    removed = models.PositiveIntegerField(help_text="Files removed (no longer released: held back).")

    class Meta:
        ordering = ["mirror"]
        verbose_name = "media mirror sync"

    def __str__(self):
        return f"{self.mirror} at {self.synced_at:%Y-%m-%d %H:%M} UTC"
