"""The ground of the portal: who people are and what the one conference is."""

import contextvars
import time
import unicodedata
import zoneinfo
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.functional import cached_property

MODERATORS_GROUP = "Moderators"
# Per-request memo of what every page reads (the Conference); set by portal.middleware.
_request_memo = contextvars.ContextVar("portal_request_memo", default=None)
# The Conference row, kept per process while its version (bumped by its post_save) holds.
CONFERENCE_VERSION_KEY = "portal:conference:version"
_process_memo = {}
BOOTH_HOSTS_GROUP = "Booth hosts"


def validate_time_zone(value):
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone name (e.g. Europe/Berlin).")


def validate_display_name(value):
    """No control or invisible formatting characters: a right-to-left override (U+202E)
    or an isolate makes a name, and the chat line it heads, read other than it is."""
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cf"}:
            name = unicodedata.name(char, "control character")
            raise ValidationError(
                f"A display name cannot contain invisible or text-direction control characters "
                f"(it has U+{ord(char):04X} {name})."
            )


def verified_address_rows():
    """allauth's e-mail address rows that their owner has verified (lower case, as allauth
    stores them). The one answer to "does this person own this address": every role that
    comes from an address (author, registered attendee, and later host, sponsor) reads
    these, never `User.email` alone, which anyone may type in at sign-up. The rows are
    reached through the relation allauth's model adds to User, so the ground imports
    nothing but Django."""
    return User._meta.get_field("emailaddress").related_model.objects.filter(verified=True)


def verified_addresses(user):
    """The addresses `user` (a User, a pk, or an expression) has verified: a flat
    queryset of e-mails, to use as a subquery (`email__in=`) or to read."""
    return verified_address_rows().filter(user=user).values_list("email", flat=True)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Users log in by e-mail: an e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """An attendee, author, moderator or organiser; they log in with their e-mail."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(max_length=150, blank=True, validators=[validate_display_name])
    affiliation = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="IANA zone name; empty means guessed from the browser.",
    )
    interests = models.CharField(max_length=500, blank=True, help_text="Comma-separated topics.")
    code_of_conduct_accepted_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.display_name or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def name(self):
        return self.shown_name(self.display_name, self.email)

    @staticmethod
    def shown_name(display_name, email):
        """The name others see: the display name, else the address's part before the @
        (for lists read as plain rows rather than people)."""
        return display_name or email.split("@")[0]

    @property
    def interest_list(self):
        return [i.strip() for i in self.interests.split(",") if i.strip()]

    @property
    def is_organiser(self):
        return self.is_active and self.is_staff

    @cached_property
    def is_moderator(self):
        return self.is_active and (self.is_superuser or self.groups.filter(name=MODERATORS_GROUP).exists())

    @cached_property
    def is_booth_host(self):
        return self.is_active and self.groups.filter(name=BOOTH_HOSTS_GROUP).exists()

    @cached_property
    def verified_emails(self):
        """The addresses this person has verified (`verified_addresses`), as a frozenset."""
        if self.pk is None:
            return frozenset()
        return frozenset(verified_addresses(self.pk))

    @cached_property
    def is_registered(self):
        """A registered attendee: one of their *verified* e-mails is on the organisers'
        registration list."""
        if not self.is_active:
            return False
        return self.is_staff or RegisteredEmail.objects.filter(email__in=verified_addresses(self.pk)).exists()

    @classmethod
    def _role_conditions(cls, pk):
        """The roles read from the database, as conditions on the row of person `pk`."""
        return {
            "registered": models.Exists(RegisteredEmail.objects.filter(email__in=verified_addresses(pk))),
            "moderator": models.Exists(
                cls.groups.through.objects.filter(user=models.OuterRef("pk"), group__name=MODERATORS_GROUP)
            ),
        }

    @classmethod
    def role_rows(cls, pk):
        """("roles", registered, moderator) of person `pk`, each "1" or "", as a row for a
        reader that asks for several kinds of a person's rows in one query
        (portal/state.py; `set_roles` takes them). No row for an inactive person."""
        flags = {
            name: models.Case(models.When(condition, then=models.Value("1")), default=models.Value(""))
            for name, condition in cls._role_conditions(pk).items()
        }
        return (
            cls.objects.filter(pk=pk, is_active=True)
            .order_by()
            .annotate(kind=models.Value("roles", models.CharField()), **flags)
            .values_list("kind", "registered", "moderator")
        )

    def set_roles(self, *, registered, moderator):
        """Keep roles read from the database (staff are registered, superusers moderate)."""
        active = self.is_active and self.pk is not None
        self.__dict__.setdefault("is_registered", active and (self.is_staff or bool(registered)))
        self.__dict__.setdefault("is_moderator", active and (self.is_superuser or bool(moderator)))

    def load_roles(self):
        """Read `is_registered` and `is_moderator` in one query (pages that show call links
        and a chat box need both); a no-op once both are known."""
        if "is_registered" in self.__dict__ and "is_moderator" in self.__dict__:
            return
        if not self.is_active or self.pk is None:
            self.set_roles(registered=False, moderator=False)
            return
        roles = (
            type(self)
            .objects.filter(pk=self.pk)
            .annotate(**self._role_conditions(self.pk))
            .values("registered", "moderator")
            .first()
        ) or {"registered": False, "moderator": False}
        self.set_roles(**roles)


class RegisteredEmail(models.Model):
    """One line of the organisers' list of registered attendees."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="File or person it came from.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        verbose_name = "registered e-mail"

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


def _new_conference_version():
    cache.set(CONFERENCE_VERSION_KEY, time.time_ns(), None)


def conference_version():
    """The Conference's version in the shared cache (started when missing)."""
    version = cache.get(CONFERENCE_VERSION_KEY)
    if version is None:
        cache.add(CONFERENCE_VERSION_KEY, time.time_ns(), None)
        version = cache.get(CONFERENCE_VERSION_KEY)
    return version


def bump_conference(**kwargs):
    """Every process reads the Conference afresh, now and again when the transaction
    commits (a process that read it mid-transaction reads it again)."""
    _process_memo.clear()
    _new_conference_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_conference_version)


class Phase(models.TextChoices):
    """Where the conference stands: before it, live, or over and kept as its archive."""

    BEFORE = "before", "Before the conference"
    LIVE = "live", "Live"
    ARCHIVED = "archived", "Archived"


class Conference(models.Model):
    """The one conference this portal runs (a single row, edited in admin)."""

    class CallLinkVisibility(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        LOGGED_IN = "logged_in", "Logged-in users"
        REGISTERED = "registered", "Registered attendees"
        NOBODY = "nobody", "Nobody"

    name = models.CharField(max_length=200, default="Virtual Conference")
    short_name = models.CharField(max_length=50, blank=True)
    start_date = models.DateField(default=date(2020, 4, 26))
    end_date = models.DateField(default=date(2020, 4, 30))
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="The conference's own zone: organiser screens show times in it.",
    )
    release_time_zone = models.CharField(
        max_length=64,
        default=settings.PORTAL_RELEASE_TIME_ZONE,
        validators=[validate_time_zone],
        help_text="The day's recordings are released at the release hour in this zone.",
    )
    release_hour = models.PositiveSmallIntegerField(default=settings.PORTAL_RELEASE_HOUR)
    livestream_url = models.URLField(blank=True)
    call_link_visibility = models.CharField(
        max_length=20,
        choices=CallLinkVisibility.choices,
        default=CallLinkVisibility.REGISTERED,
        help_text="Who may see live video-call links (always only in the session's window).",
    )
    code_of_conduct = models.TextField(blank=True)
    phase_override = models.CharField(
        "phase",
        max_length=20,
        choices=[("", "From the dates"), *Phase.choices],
        blank=True,
        default="",
        help_text="Empty: before the first day, live until the last day ends (in the conference's zone), "
        "then archived. Choose one to hold the portal in it (e.g. archive early after a failure).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "conference"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1  # one conference per portal
        super().save(*args, **kwargs)
        bump_conference()
        memo = _request_memo.get()
        if memo is not None:
            memo["conference"] = self

    def clean(self):
        if self.end_date < self.start_date:
            raise ValidationError({"end_date": "The conference cannot end before it starts."})
        if self.release_hour > 23:
            raise ValidationError({"release_hour": "An hour of the day is 0–23."})

    @classmethod
    def get(cls):
        """The conference: once per request (portal.middleware.ConferencePerRequestMiddleware),
        from this process's memo while CONFERENCE_VERSION_KEY holds (a save bumps it), else
        from the database."""
        memo = _request_memo.get()
        if memo is not None and "conference" in memo:
            return memo["conference"]
        version = conference_version()
        remembered = _process_memo.get("entry")
        if version is not None and remembered is not None and remembered[0] == version:
            conference = remembered[1]
        else:
            conference, _ = cls.objects.get_or_create(pk=1)
            _process_memo["entry"] = (version, conference)
        if memo is not None:
            memo["conference"] = conference
        return conference

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def starts_at(self):
        """The first day's midnight in the conference's zone (aware UTC)."""
        return datetime.combine(self.start_date, clock_time.min, tzinfo=self.zone).astimezone(zoneinfo.ZoneInfo("UTC"))

    @property
    def ends_at(self):
        """The midnight after the last day, in the conference's zone (aware UTC)."""
        last = datetime.combine(self.end_date + timedelta(days=1), clock_time.min, tzinfo=self.zone)
        return last.astimezone(zoneinfo.ZoneInfo("UTC"))

    def phase(self, now):
        """Phase.BEFORE, LIVE or ARCHIVED at `now`: the organisers' choice (admin), else the
        deployment's (settings.PORTAL_PHASE), else from the dates."""
        if self.phase_override:
            return self.phase_override
        if settings.PORTAL_PHASE:
            return settings.PORTAL_PHASE
        if now < self.starts_at:
            return Phase.BEFORE
        return Phase.LIVE if now < self.ends_at else Phase.ARCHIVED

    def is_archived(self, now):
        return self.phase(now) == Phase.ARCHIVED

    def next_phase_change(self, now):
        """When the phase next changes by the clock (None: held by the organisers, or archived)."""
        if self.phase_override or settings.PORTAL_PHASE:
            return None
        return next((at for at in (self.starts_at, self.ends_at) if at > now), None)

    def call_links_visible_to(self, user):
        """Whether this viewer may ever see call links (the time window is checked elsewhere)."""
        policy = self.CallLinkVisibility
        if self.call_link_visibility == policy.EVERYONE:
            return True
        if self.call_link_visibility == policy.NOBODY or not user.is_authenticated:
            return False
        if self.call_link_visibility == policy.LOGGED_IN:
            return True
        return user.is_registered


class PendingImport(models.Model):
    """Files an organiser uploaded in admin's import page, kept between the preview (a dry
    run) and the confirmation, so the confirmed import is of exactly the files previewed.

    Deleted once imported or cancelled, and after a day in any case (they may hold authors'
    or attendees' e-mail addresses)."""

    kind = models.CharField(max_length=40)
    # [{"name": file name, "data": base64 of its bytes}]
    files = models.JSONField(default=list)
    replace = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "import"
        verbose_name_plural = "imports (papers, poster slots, calendars, sitedata, e-mails)"

    def __str__(self):
        return f"{self.kind}: {', '.join(f['name'] for f in self.files)}"
