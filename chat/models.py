"""Rooms, messages and moderation: what is true about the conversation.

The verbs (post, edit, hide, mute...) live in `chat.services`; rooms are opened by key
through `chat.rooms.open_room`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Room(models.Model):
    """A stream of messages attached to something by a stable key (`paper:<uid>`, `corridor`...)."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, db_index=True)
    title = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    # Denormalised so /rooms/ sorts 700 paper rooms by activity without aggregating.
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    message_count = models.PositiveIntegerField(default=0)
    # A private subject's room (a self-organised booth's): only those its subject's kind lets
    # in may read or post (chat.rooms.may_enter); no directory, page or feed shows it.
    private = models.BooleanField(default=False)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.title or self.key

    @property
    def group_name(self):
        # Channel-layer group names allow only ASCII letters, digits, '-', '_' and '.'.
        return f"chat.room.{self.pk}"

    @property
    def arg(self):
        """The part of the key after `kind:` ('' for the Corridor)."""
        return self.key.partition(":")[2]


class Message(models.Model):
    class Badge(models.TextChoices):
        NONE = "", "none"
        AUTHOR = "author", "author"
        MODERATOR = "moderator", "moderator"
        ORGANISER = "organiser", "organiser"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    html = models.TextField()
    reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies")
    # Fixed when posted: an author of the paper in its room, a moderator...
    badge = models.CharField(max_length=20, choices=Badge.choices, blank=True, default="")
    # Set by the browser per post, so a post resent after a dropped connection is stored once.
    client_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(max_length=500, blank=True)
    # A question is a top-level message by a non-author in a room whose kind has authors;
    # it is answered once an author replies to it.
    is_question = models.BooleanField(default=False)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["room", "id"], name="chat_message_room_id"),
            models.Index(fields=["author", "created_at"], name="chat_message_author_time"),
            models.Index(fields=["room", "created_at"], name="chat_message_room_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"], condition=~Q(client_id=""), name="chat_message_client_id_once"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} in {self.room.key}"

    @property
    def is_visible(self):
        return self.hidden_at is None and self.deleted_at is None


class Report(models.Model):
    """A report of a message, or of a person (people's "report this person"): one queue
    and one audit log for both."""

    class Reason(models.TextChoices):
        HARASSMENT = "harassment", "Harassment or abuse"
        SPAM = "spam", "Spam or advertising"
        OFF_TOPIC = "off_topic", "Off topic"
        CONDUCT = "conduct", "Breaks the code of conduct"
        OTHER = "other", "Something else"

    class Resolution(models.TextChoices):
        OPEN = "", "open"
        HIDDEN = "hidden", "message hidden"
        DISMISSED = "dismissed", "dismissed"
        SANCTIONED = "sanctioned", "person muted or banned"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports", null=True, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_about",
        null=True,
        blank=True,
        help_text="The person reported (a report of a person, not of a message).",
    )
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True, default="")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="chat_report_once_per_reporter"),
            models.UniqueConstraint(
                fields=["person", "reporter"], condition=Q(resolution=""), name="chat_report_person_open_once"
            ),
            models.CheckConstraint(
                condition=Q(message__isnull=False, person__isnull=True) | Q(message__isnull=True, person__isnull=False),
                name="chat_report_message_or_person",
            ),
        ]

    def __str__(self):
        if self.person_id:
            return f"Report on person #{self.person_id}: {self.get_reason_display()}"
        return f"Report on #{self.message_id}: {self.get_reason_display()}"


class Sanction(models.Model):
    """A mute (in one room or everywhere, until a time) or a ban (everywhere, until lifted)."""

    class Kind(models.TextChoices):
        MUTE = "mute", "mute"
        BAN = "ban", "ban"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_sanctions")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, null=True, blank=True, help_text="Empty: everywhere.")
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: until lifted.")
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "lifted_at"], name="chat_sanction_user_active")]

    def __str__(self):
        where = self.room.key if self.room_id else "everywhere"
        return f"{self.get_kind_display()} of {self.user} ({where})"

    def is_active(self, now=None):
        now = now or timezone.now()
        return self.lifted_at is None and (self.until is None or self.until > now)


class ModerationAction(models.Model):
    """The audit log: one row per moderator action, never edited."""

    class Action(models.TextChoices):
        HIDE = "hide", "hid a message"
        UNHIDE = "unhide", "restored a message"
        DISMISS = "dismiss", "dismissed reports"
        MUTE = "mute", "muted a user"
        BAN = "ban", "banned a user"
        LIFT = "lift", "lifted a mute or ban"
        EXPORT = "export", "exported a room"
        RETENTION = "retention", "applied retention"

    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "moderation action"

    def __str__(self):
        return f"{self.moderator} {self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M} UTC"


class Mention(models.Model):
    """Someone named with @ in a message; shown to them live and on /me/mentions/."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_mentions")
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="chat_mention_once")]

    def __str__(self):
        return f"{self.user} in #{self.message_id}"
