"""Keynotes with live Q&A (issue 16).

A `Keynote` is a pre-recorded talk by one or more `Speaker`s, released like every other
recording (schedule.recordings, subject `keynote:<slug>`), followed by a live Q&A
`Session` of kind `keynote_qa` (at least 15 minutes: schedule validates it). Its Q&A is
a list of `Question`s that registered attendees ask and upvote (`Vote`), moderated by
the Moderators group, organisers and the keynote's chairs. The verbs are in
keynotes/services.py; this module says what is true.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse

from schedule.call_links import refuse_call_links
from schedule.models import Session

KIND = "keynote"
QUESTION_MAX_CHARS = 500


class Keynote(models.Model):
    slug = models.SlugField(max_length=80, unique=True, help_text="Its address: /keynotes/<slug>/ and keynote:<slug>.")
    title = models.CharField(max_length=300)
    abstract = models.TextField(blank=True)
    import_key = models.CharField(
        max_length=120,
        blank=True,
        db_index=True,
        help_text="Where an import made it (e.g. speakers.yml's id): re-imports update it by this.",
    )
    talk_session = models.ForeignKey(
        Session,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": Session.Kind.KEYNOTE},
        help_text="The programme's slot of the talk itself, if it has one.",
    )
    qa_session = models.OneToOneField(
        Session,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="keynote",
        limit_choices_to={"kind": Session.Kind.KEYNOTE_QA},
        help_text="The live Q&A (kind “Keynote live Q&A”, at least 15 minutes). Its call link is shown under "
        "the conference's call-link rule; without one the conference livestream is the place.",
    )
    pre_moderated = models.BooleanField(
        default=False, help_text="Questions appear only once a moderator or chair approves them."
    )
    chairs = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="chaired_keynotes",
        help_text="Session chairs: they moderate this keynote's questions (as the Moderators group does).",
    )
    on_air = models.ForeignKey(
        "Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # The most Q&A sockets open at once (approximate: counted per connect, never lowered).
    peak_watchers = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["qa_session__start", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("keynotes:detail", args=[self.slug])

    @property
    def subject_key(self):
        return f"{KIND}:{self.slug}"

    @property
    def room_key(self):
        return self.subject_key

    def clean(self):
        refuse_call_links(self, ("title", "abstract"), where="its live Q&A session")
        qa = self.qa_session
        if qa is not None:
            if qa.kind != Session.Kind.KEYNOTE_QA:
                raise ValidationError({"qa_session": f"“{qa.title}” is not a keynote live Q&A session."})
            try:
                qa.clean()
            except ValidationError as exc:
                reasons = " ".join(m for messages in exc.message_dict.values() for m in messages)
                raise ValidationError({"qa_session": f"“{qa.title}”: {reasons}"}) from exc


def photo_path(speaker, filename):
    return f"keynotes/speakers/{speaker.keynote_id}/{filename}"


class Speaker(models.Model):
    keynote = models.ForeignKey(Keynote, on_delete=models.CASCADE, related_name="speakers")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    affiliation = models.CharField(max_length=300, blank=True)
    bio = models.TextField(blank=True)
    photo = models.FileField(
        upload_to=photo_path,
        max_length=300,
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    email = models.EmailField(
        blank=True, help_text="Never shown. Whoever has verified it may upload the keynote's recording."
    )

    class Meta:
        ordering = ["keynote", "position", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        refuse_call_links(self, ("name", "affiliation", "bio"), where="the keynote's live Q&A session")


class Question(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden by a moderator"
        MERGED = "merged", "Merged into another"

    keynote = models.ForeignKey(Keynote, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="keynote_questions")
    body = models.TextField(max_length=QUESTION_MAX_CHARS)
    anonymous = models.BooleanField(default=False, help_text="Shown without the asker's name (moderators see it).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE, db_index=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Kept equal to the number of Vote rows by the services (under a lock on the row).
    votes = models.PositiveIntegerField(default=0)
    # Raised with every change of `votes`: clients keep the count of the highest version,
    # since frames sent by different server processes may arrive out of order.
    votes_version = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-votes", "created_at", "pk"]
        indexes = [models.Index(fields=["keynote", "status", "-votes", "created_at"])]

    def __str__(self):
        return self.body[:80]

    @property
    def answered(self):
        return self.answered_at is not None


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="vote_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="keynote_vote_once")]

    def __str__(self):
        return f"{self.user_id} → {self.question_id}"
