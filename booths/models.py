"""Booths: video rooms with a host, a chat room (`booth:<slug>`) and slots in the programme.

Six kinds (the seed): sponsor, invited, workshop, affinity, social and self-organised. Five
are public once approved; a self-organised booth is private to its 2-3 members, is never
listed anywhere and closes by itself (booths/services/private.py).

What is true lives here; what happens (apply, approve, start, join, close) in
`booths.services`.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from schedule.call_links import refuse_call_links
from schedule.models import Session


class BoothQuerySet(models.QuerySet):
    def public(self):
        """What anyone may see listed: approved booths of the five public kinds."""
        return self.filter(status=Booth.Status.APPROVED).exclude(kind=Booth.Kind.SELF_ORGANISED)

    def private(self):
        return self.filter(kind=Booth.Kind.SELF_ORGANISED)


def new_invite_token():
    return secrets.token_urlsafe(18)


# A logo is an image a browser shows safely: these formats by their first bytes (no SVG,
# which can carry script).
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
MAX_LOGO_BYTES = 2 * 1024 * 1024


def email_lines(text):
    """Addresses one per line (a booth's co-hosts), lower case as allauth stores them."""
    return [line.strip().lower() for line in text.splitlines() if line.strip()]


def validate_logo(upload):
    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError(
            f"A logo is at most {MAX_LOGO_BYTES // (1024 * 1024)} MB; this one is {upload.size} bytes."
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not webp and not any(head.startswith(sig) for sig in IMAGE_SIGNATURES):
        raise ValidationError("The logo is not an image: upload a PNG, JPEG, GIF or WebP file.")


# The sessions that are a booth's times: a host's slots, and the programme's socials (the
# socials importer links a social's booth to its sessions).
SLOT_KINDS = (Session.Kind.BOOTH_SLOT, Session.Kind.SOCIAL)


class Booth(models.Model):
    class Kind(models.TextChoices):
        SPONSOR = "sponsor", "Sponsor"
        INVITED = "invited", "Invited"
        WORKSHOP = "workshop", "Workshop"
        AFFINITY = "affinity", "Affinity group"
        SOCIAL = "social", "Social"
        SELF_ORGANISED = "self_organised", "Self-organised"

    # Listing order on /booths/ (self-organised booths are never listed).
    PUBLIC_KINDS = (Kind.SPONSOR, Kind.INVITED, Kind.WORKSHOP, Kind.AFFINITY, Kind.SOCIAL)
    # Kinds only organisers create (the seed: "a curated list of invited booths"; affinity groups).
    ORGANISER_KINDS = (Kind.INVITED, Kind.AFFINITY)

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed (waiting for the organisers)"
        APPROVED = "approved", "Approved (public)"
        DECLINED = "declined", "Declined"

    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=96, unique=True, help_text="Its page is /booths/<slug>/; its chat booth:<slug>.")
    description = models.TextField(blank=True)
    logo = models.FileField(
        upload_to="booths/logos/", blank=True, validators=[validate_logo], help_text="PNG, JPEG, GIF or WebP."
    )
    links = models.TextField(blank=True, help_text="Public links (a website, slides), one per line; no call links.")
    hosts = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="hosted_booths")
    host_emails = models.TextField(
        blank=True,
        help_text="Co-hosts by e-mail, one per line: whoever has verified one of these addresses hosts the booth.",
    )
    slots = models.ManyToManyField(
        Session,
        blank=True,
        related_name="booths",
        limit_choices_to={"kind__in": SLOT_KINDS},
        help_text="Its times in the programme (sessions of kind “Booth slot”, or “Social” for a social).",
    )
    workshop = models.OneToOneField(
        Session,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_booth",
        limit_choices_to={"kind": Session.Kind.WORKSHOP},
        help_text="The workshop whose discussions this booth carries on through the week.",
    )
    call_link = models.URLField(
        max_length=500,
        blank=True,
        help_text="Private video-call link: shown under the conference's call-link visibility, only while "
        "one of its slots is open or a host has marked the booth open.",
    )
    # A host pressed "open now": the call link is shown until then (booths/services/hosting.py).
    open_until = models.DateTimeField(null=True, blank=True)
    all_day = models.BooleanField(
        default=False, help_text="Runs all day, every day of the conference (a social listed as “All Day”)."
    )
    # Applications (booths/services/applications.py) and the organisers' decision.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="booth_applications"
    )
    proposed_slots = models.JSONField(
        default=list, blank=True, help_text="Times proposed in the application ([start, end] in UTC, ISO 8601)."
    )
    decision_message = models.TextField(blank=True, help_text="Shown to the applicant and sent by e-mail.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Self-organised booths only (booths/services/private.py).
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="BoothMember", through_fields=("booth", "user"), related_name="booths"
    )
    topic = models.CharField(max_length=300, blank=True)
    invite_token = models.CharField(max_length=40, blank=True, default="")
    closes_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BoothQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("booths:detail", args=[self.slug])

    @property
    def is_private(self):
        return self.kind == self.Kind.SELF_ORGANISED

    @property
    def is_public(self):
        return self.status == self.Status.APPROVED and not self.is_private

    @property
    def room_key(self):
        return f"booth:{self.slug}"

    @property
    def link_list(self):
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    @property
    def host_email_list(self):
        return email_lines(self.host_emails)

    def clean(self):
        refuse_call_links(self, ("name", "description", "links"), where="this booth")


class BoothMember(models.Model):
    """A person in a self-organised booth (the one who started it among them)."""

    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booth_memberships")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["booth", "user"], name="boothmember_once")]

    def __str__(self):
        return f"{self.user} in {self.booth}"


from booths.sponsor_models import Job, MeetingAppointment, MeetingSlot, Sponsor  # noqa: E402, F401  (models of this app)
