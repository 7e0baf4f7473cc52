"""Time: every timed block of the conference, stored as aware UTC instants."""

from django.core.exceptions import ValidationError
from django.db import models


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

    uid = models.CharField(
        max_length=255,
        unique=True,
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
        help_text="E.g. the workshop a talk belongs to.",
    )
    location = models.CharField(max_length=300, blank=True)
    url = models.URLField(blank=True, help_text="A public page for it (not a call link).")
    # iCalendar SEQUENCE: goes up whenever the session moves, so calendars update it.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "end", "title"]
        indexes = [models.Index(fields=["kind", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="session_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "A session must end after it starts."})

    def is_live(self, now):
        return self.start <= now < self.end
