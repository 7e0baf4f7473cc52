"""Meeting people: what is true about profiles, blocks, introductions and the queue.

A person's name, affiliation and interests are the User's own fields (portal.models);
`Profile` adds what they choose to share and whether they share it at all. Nothing about a
person is shown to others unless `Profile.public` is on (`people.profiles.public_profiles`
is the one query every page, list and state part reads).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from posters.models import Author, Paper


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="people_profile")
    public = models.BooleanField(
        default=False, help_text="Shown on /people/, on their papers' pages and in “who's around”."
    )
    suggestible = models.BooleanField(default=False, help_text="May be suggested and matched with others.")
    ask_me_about = models.CharField("ask me about", max_length=300, blank=True)
    links = models.TextField(blank=True, help_text="Web addresses, one a line (at most 5).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["public"], name="people_profile_public")]

    def __str__(self):
        return f"Profile of {self.user}"

    @property
    def link_list(self):
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Block(models.Model):
    """`blocker` no longer matches, is introduced to, mentioned by or shown to `blocked`."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="people_block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="people_block_not_self"),
        ]

    def __str__(self):
        return f"{self.blocker} blocked {self.blocked}"


class Introduction(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "waiting for an answer"
        ACCEPTED = "accepted", "accepted"
        DECLINED = "declined", "declined"

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    room_key = models.CharField(max_length=120, blank=True, help_text="The private booth opened on accept.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requester", "created_at"], name="people_intro_requester_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "recipient"], condition=Q(status="pending"), name="people_intro_one_pending"
            ),
            models.CheckConstraint(condition=~Q(requester=F("recipient")), name="people_intro_not_self"),
        ]

    def __str__(self):
        return f"{self.requester} → {self.recipient} ({self.status})"


class QueueEntry(models.Model):
    """A person waiting to meet someone now: one entry a person, by the database."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=200, blank=True)
    group_size = models.PositiveSmallIntegerField(default=2)
    # Order of the queue: the join time, or earlier than everyone when a skip returns them.
    position = models.DateTimeField(default=timezone.now, db_index=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "queue entries"
        constraints = [
            models.CheckConstraint(condition=Q(group_size__in=(2, 3)), name="people_queue_group_2_or_3"),
        ]

    def __str__(self):
        return f"{self.user} waiting since {self.joined_at:%H:%M:%S}"


class Match(models.Model):
    class Status(models.TextChoices):
        OFFERED = "offered", "offered (waiting for answers)"
        ACCEPTED = "accepted", "accepted by everyone"
        SKIPPED = "skipped", "skipped"
        EXPIRED = "expired", "not answered in time"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    answer_by = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    shared = models.CharField(max_length=500, blank=True, help_text="What they have in common.")
    room_key = models.CharField(max_length=120, blank=True, help_text="The private booth opened when all accept.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "matches"

    def __str__(self):
        return f"Match #{self.pk} ({self.status})"


class Seat(models.Model):
    """A person's place in a match. `open` while the match waits for answers: one open
    seat a person, by the database, so no one is offered two matches at once."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    open = models.BooleanField(default=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    # Where they were in the queue, so a partner's skip returns them to the front.
    position = models.DateTimeField()
    topic = models.CharField(max_length=200, blank=True)
    group_size = models.PositiveSmallIntegerField(default=2)

    class Meta:
        ordering = ["match_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["match", "user"], name="people_seat_once_per_match"),
            models.UniqueConstraint(fields=["user"], condition=Q(open=True), name="people_one_open_seat"),
        ]
        indexes = [models.Index(fields=["user", "match"], name="people_seat_user_match")]

    def __str__(self):
        return f"{self.user} in match #{self.match_id}"


class Presence(models.Model):
    """A logged-in person with a page open in a room (`place` is its key: `corridor`,
    `paper:<uid>`, `booth:<slug>`), from the chat's sockets (chat.signals). Only people who
    share a profile are ever shown; the rest count only in "online now"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    place = models.CharField(max_length=120)
    connections = models.PositiveIntegerField(default=1)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "place"], name="people_presence_once")]

    def __str__(self):
        return f"{self.user} in {self.place}"


class StreamSegment(models.Model):
    """One item of the livestream's running order, built by the organisers in admin, so
    the stream leads somewhere: a paper, a keynote, a booth where people can talk."""

    class Kind(models.TextChoices):
        LIVESTREAM = "livestream", "Livestream segment"
        KEYNOTE = "keynote", "Keynote or keynote Q&A"
        SPOTLIGHT = "spotlight", "Poster spotlight"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LIVESTREAM)
    title = models.CharField(max_length=300)
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    subject_key = models.CharField(
        "what it is about",
        max_length=120,
        blank=True,
        help_text="A key: paper:<UID> (a spotlight's paper), keynote:<slug>, booth:<slug>. Its page is linked.",
    )
    session = models.ForeignKey(
        "schedule.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A keynote's talk or Q&A session; a spotlight's next poster session (filled in when empty).",
    )
    clip_url = models.URLField("clip", blank=True, help_text="A spotlight's short clip (a public video address).")
    note = models.CharField(max_length=300, blank=True, help_text="One line shown under the title.")

    class Meta:
        ordering = ["start", "id"]
        verbose_name = "livestream segment"
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="people_segment_ends_after_start")]

    def __str__(self):
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M} UTC)"


class PaperEngagement(Paper):
    """Papers seen by their questions and answers (organisers' figures in admin)."""

    class Meta:
        proxy = True
        verbose_name = "paper engagement"
        verbose_name_plural = "engagement per paper"


class AuthorEngagement(Author):
    """Authors seen by the questions and answers across their papers (admin)."""

    class Meta:
        proxy = True
        verbose_name = "author engagement"
        verbose_name_plural = "engagement per author"
