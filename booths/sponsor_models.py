"""Sponsors: by tier, each with its booth, its expo talks (sessions of kind `sponsor`), its
jobs and the meeting slots its recruiters publish. (Models of the booths app: imported by
booths/models.py.)"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from booths.models import validate_logo  # defined before booths.models imports this module
from schedule.call_links import refuse_call_links
from schedule.models import Session


class Sponsor(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=96, unique=True)
    tier = models.CharField(max_length=50, help_text="Diamond, Gold, Silver, Bronze, …")
    tier_rank = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first (the tiers' order).")
    website = models.URLField(max_length=500, blank=True)
    logo_url = models.URLField(max_length=500, blank=True, help_text="An image on the sponsor's site, or:")
    logo = models.FileField(
        upload_to="sponsors/logos/", blank=True, validators=[validate_logo], help_text="PNG, JPEG, GIF or WebP."
    )
    description = models.TextField(blank=True)
    booth = models.OneToOneField(
        "booths.Booth", null=True, blank=True, on_delete=models.SET_NULL, related_name="sponsor"
    )
    talks = models.ManyToManyField(
        Session, blank=True, related_name="sponsors", limit_choices_to={"kind": Session.Kind.SPONSOR}
    )
    recruiters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="recruits_for", help_text="They publish meeting slots."
    )

    class Meta:
        ordering = ["tier_rank", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("booths:sponsor", args=[self.slug])

    def clean(self):
        refuse_call_links(self, ("name", "tier", "website", "description"), where="the sponsor's booth")

    @property
    def logo_src(self):
        return self.logo.url if self.logo else self.logo_url


class Job(models.Model):
    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(max_length=300)
    place = models.CharField(max_length=200, blank=True, help_text="City, country, or Remote.")
    link = models.URLField(max_length=500)
    deadline = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sponsor__tier_rank", "sponsor__name", "title", "id"]
        indexes = [models.Index(fields=["deadline"])]

    def __str__(self):
        return f"{self.title} ({self.sponsor})"

    def clean(self):
        refuse_call_links(self, ("title", "place", "link"), where="a meeting slot, not a job")


class MeetingSlot(models.Model):
    """A recruiter's time a registered attendee may book (booths/services/meetings.py); at
    most one booking, under a row lock; cancelling frees it again."""

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="meeting_slots")
    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_slots"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    call_link = models.URLField(
        max_length=500, help_text="Shown only to the recruiter and the one who booked, from 15 minutes before."
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, help_text="The sponsor withdrew the slot.")

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="meetingslot_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.sponsor} meeting at {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def subject_key(self):
        return f"meeting:{self.pk}"


class MeetingAppointment(Session):
    """A booked meeting as it stands in its two people's agendas and feeds: never stored
    (schedule.agenda.register_agenda_source), its page the meetings page."""

    class Meta:
        proxy = True

    def get_absolute_url(self):
        return reverse("booths:meetings")

    @classmethod
    def for_slot(cls, slot):
        appointment = cls(
            uid=f"meeting-{slot.pk}-{int(slot.booked_at.timestamp())}",
            kind=Session.Kind.OTHER,
            title=f"Meeting with {slot.sponsor.name}",
            start=slot.start,
            end=slot.end,
        )
        appointment.pk = appointment.id = -slot.pk  # unique among the lines, never a stored session's
        appointment.updated_at = slot.booked_at
        appointment.sequence = 0
        return appointment
