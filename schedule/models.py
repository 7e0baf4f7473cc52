"""Time: every timed block of the conference, stored as aware UTC instants, and each
person's agenda of them.

`Session` answers what happens when; `AgendaItem` is one thing a person plans to attend
(a session, or something inside it such as one paper's poster, named by an opaque
`subject_key` like ``paper:<uid>`` because this app never imports the features);
`AgendaSettings` holds their calendar-feed secret and reminder preference.
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

# A live Q&A shorter than this is not worth the name (issue 4).
MIN_KEYNOTE_QA = timedelta(minutes=15)
# Call links appear this long before a session starts, and until it ends.
CALL_LINK_LEAD = timedelta(minutes=15)


def new_session_uid():
    """A globally unique iCalendar UID for a session made in admin or by a script."""
    return f"{uuid.uuid4().hex}@conference-portal"


def new_feed_token():
    return secrets.token_urlsafe(24)


class SessionQuerySet(models.QuerySet):
    def overlapping(self, start, end):
        """Sessions that share any instant with [start, end)."""
        return self.filter(start__lt=end, end__gt=start)

    def live_at(self, instant):
        return self.filter(start__lte=instant, end__gt=instant)

    def streamed(self):
        return self.filter(kind__in=Session.STREAMED_KINDS)


class Session(models.Model):
    """Any timed block of the programme: a keynote, a poster session, a social, ..."""

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening"
        KEYNOTE = "keynote", "Keynote talk"
        KEYNOTE_QA = "keynote_qa", "Keynote live Q&A"
        POSTER = "poster", "Poster session"
        WORKSHOP = "workshop", "Workshop"
        WORKSHOP_TALK = "workshop_talk", "Workshop talk"
        SOCIAL = "social", "Social"
        SPONSOR = "sponsor", "Sponsor / expo"
        LIVESTREAM = "livestream", "Livestream segment"
        BREAK = "break", "Break"
        BOOTH_SLOT = "booth_slot", "Booth slot"
        OTHER = "other", "Other"

    # What the conference livestream shows: its own segments and the plenary moments.
    STREAMED_KINDS = (Kind.LIVESTREAM, Kind.OPENING, Kind.KEYNOTE, Kind.KEYNOTE_QA)

    uid = models.CharField(
        max_length=255,
        unique=True,
        default=new_session_uid,
        help_text="Stable identifier (iCalendar UID or import key); re-imports update by it.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER, db_index=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text="E.g. the workshop a talk belongs to, or the keynote a live Q&A follows.",
    )
    location = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=500, blank=True, help_text="A public page for it (not a call link).")
    call_link = models.URLField(
        max_length=500,
        blank=True,
        help_text="Private video-call link: shown under the conference's visibility policy and only "
        "from 15 minutes before the start until the end; never in feeds, e-mails or exports.",
    )
    # iCalendar SEQUENCE: goes up whenever the session moves, so calendars update it.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["start", "end", "title"]
        indexes = [models.Index(fields=["kind", "start"]), models.Index(fields=["end"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="session_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        stored = getattr(self, "_stored_times", None)
        if self.pk and stored and None not in stored and stored != (self.start, self.end):
            self.sequence += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "sequence", "updated_at"}
        super().save(*args, **kwargs)
        self._stored_times = (self.start, self.end)

    def get_absolute_url(self):
        return reverse("schedule:session_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "A session must end after it starts."
        elif self.kind == self.Kind.KEYNOTE_QA and self.start and self.end and self.end - self.start < MIN_KEYNOTE_QA:
            errors["end"] = "A keynote's live Q&A lasts at least 15 minutes."
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = "A session cannot be part of itself."
        # Imported here: schedule.call_links reads this module.
        from schedule.call_links import refuse_call_links

        try:
            refuse_call_links(self, ("title", "description", "location", "url"), where="this session")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so save() can tell a move (and raise SEQUENCE) without a query.
        instance._stored_times = (instance.__dict__.get("start"), instance.__dict__.get("end"))
        return instance

    @property
    def duration(self):
        return self.end - self.start

    def is_live(self, now):
        return self.start <= now < self.end


class AgendaItem(models.Model):
    """Something one person plans to attend: a session, or a subject inside it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agenda_items")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    subject_key = models.CharField(
        max_length=120,
        blank=True,
        help_text="What inside the session, by key (e.g. paper:<uid>); empty for the session itself.",
    )
    label = models.CharField(max_length=300, blank=True, help_text="How the subject is shown (e.g. the paper title).")
    added_at = models.DateTimeField(auto_now_add=True)
    # Set once, when the reminder went out: a reminder is never sent twice.
    reminded_at = models.DateTimeField(null=True, blank=True)
    notice_dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session__start", "session__end", "session__title", "label"]
        constraints = [
            models.UniqueConstraint(fields=["user", "session", "subject_key"], name="agendaitem_unique"),
        ]
        indexes = [models.Index(fields=["reminded_at", "session"])]

    def __str__(self):
        return f"{self.title} for {self.user}"

    @property
    def title(self):
        return self.label or self.session.title

    @property
    def key(self):
        """The browser's key for this item (the same shape the local agenda uses)."""
        return f"{self.session_id}|{self.subject_key}"


class AgendaSettings(models.Model):
    """A person's agenda preferences and the secret of their calendar subscription."""

    class ReminderMinutes(models.IntegerChoices):
        OFF = 0, "No reminders"
        FIVE = 5, "5 minutes before"
        TEN = 10, "10 minutes before"
        FIFTEEN = 15, "15 minutes before"
        THIRTY = 30, "30 minutes before"
        HOUR = 60, "1 hour before"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="agenda_settings"
    )
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    reminder_minutes = models.PositiveSmallIntegerField(
        choices=ReminderMinutes.choices, default=ReminderMinutes.FIFTEEN
    )
    email_reminders = models.BooleanField(default=True, help_text="Also send reminders by e-mail.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "agenda settings"
        verbose_name_plural = "agenda settings"

    def __str__(self):
        return f"Agenda settings of {self.user}"

    def regenerate_token(self):
        self.feed_token = new_feed_token()
        self.save(update_fields=["feed_token", "updated_at"])


# Pre-recorded talks live in their own module; imported here so Django registers them.
from schedule.recordings.models import (  # noqa: E402
    Recording,
    RecordingEvent,
    RecordingVersion,
    ReleaseAnnouncement,
)

__all__ = [
    "AgendaItem",
    "AgendaSettings",
    "Recording",
    "RecordingEvent",
    "RecordingVersion",
    "ReleaseAnnouncement",
    "Session",
]
