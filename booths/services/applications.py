"""Hosts sign up before the conference: a registered attendee applies for a booth, the
organisers approve or decline it in admin with a message the applicant sees and gets by
e-mail. Only an approved booth is public; its proposed times become its slots then.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from booths.models import Booth
from booths.services.errors import BoothError
from portal.models import BOOTH_HOSTS_GROUP, Conference, verified_address_rows
from schedule.models import Session

APPLY_KINDS = (Booth.Kind.SPONSOR, Booth.Kind.WORKSHOP, Booth.Kind.SOCIAL)


def unique_slug(name, taken=None):
    base = (slugify(name) or "booth")[:80].strip("-") or "booth"
    slug, n = base, 2
    while Booth.objects.filter(slug=slug).exists() or (taken and slug in taken):
        slug, n = f"{base}-{n}", n + 1
    return slug


def conference_span(conference=None):
    """[first instant, last instant) of the conference's days in its own zone."""
    conference = conference or Conference.get()
    zone = conference.zone
    start = datetime.combine(conference.start_date, datetime.min.time(), zone)
    end = datetime.combine(conference.end_date, datetime.max.time(), zone)
    return start, end


def _utc(instant):
    return instant.astimezone(UTC).isoformat()


def apply(applicant, *, kind, name, description, slots, co_host_emails=()) -> Booth:
    """A proposed booth (not public) hosted by `applicant`; `slots`: [(start, end)] aware."""
    if not applicant.is_authenticated or not applicant.is_registered:
        raise BoothError("not_registered", "Only registered attendees can apply to host a booth.")
    if kind not in APPLY_KINDS:
        raise BoothError("kind", "Invited and affinity booths are created by the organisers; choose another kind.")
    with transaction.atomic():
        booth = Booth(
            kind=kind,
            status=Booth.Status.PROPOSED,
            name=name,
            slug=unique_slug(name),
            description=description,
            applicant=applicant,
            host_emails="\n".join(co_host_emails),
            proposed_slots=[[_utc(start), _utc(end)] for start, end in slots],
        )
        booth.full_clean()
        booth.save()
        booth.hosts.add(applicant)
    return booth


def make_slots(booth, spans):
    """Sessions of kind booth_slot for these (start, end), linked to the booth."""
    sessions = [
        Session.objects.create(
            kind=Session.Kind.BOOTH_SLOT,
            title=f"{booth.name} ({booth.get_kind_display().lower()} booth)",
            description=booth.description[:2000],
            start=start,
            end=end,
            url=booth.get_absolute_url(),
        )
        for start, end in spans
    ]
    booth.slots.add(*sessions)
    return sessions


def _proposed(booth):
    return [(datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in booth.proposed_slots]


def decide(booth, *, approve, message, by, now=None):
    """Approve (public, its slots made, its hosts in the hosts' group) or decline; the
    applicant is told by e-mail. Deciding twice is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Booth.objects.select_for_update().get(pk=booth.pk)
        if locked.status != Booth.Status.PROPOSED:
            raise BoothError("decided", f"This booth was already {locked.get_status_display().lower()}.")
        locked.status = Booth.Status.APPROVED if approve else Booth.Status.DECLINED
        locked.decision_message = message
        locked.decided_at, locked.decided_by = now, by
        locked.save(update_fields=["status", "decision_message", "decided_at", "decided_by", "updated_at"])
        if approve:
            make_slots(locked, _proposed(locked))
            add_hosts_to_group(locked)
        if locked.applicant and locked.applicant.email:
            applicant = locked.applicant
            transaction.on_commit(lambda: _tell_applicant(locked, applicant))
    return locked


def add_hosts_to_group(booth):
    from django.contrib.auth.models import Group

    group, _ = Group.objects.get_or_create(name=BOOTH_HOSTS_GROUP)
    for user in booth.hosts.all():
        user.groups.add(group)


def _tell_applicant(booth, applicant):
    verdict = "approved" if booth.status == Booth.Status.APPROVED else "declined"
    body = [f"Your application for the booth “{booth.name}” was {verdict}."]
    if booth.decision_message:
        body += ["", "The organisers say:", booth.decision_message]
    if verdict == "approved":
        base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
        body += ["", f"Its page: {base}{reverse('booths:detail', args=[booth.slug])}"]
    send_mail(
        f"Your booth “{booth.name}” was {verdict}", "\n".join(body), settings.DEFAULT_FROM_EMAIL, [applicant.email]
    )


def is_host(booth, user):
    """Hosts: those on the booth, and whoever has verified a co-host address on it."""
    if not user.is_authenticated:
        return False
    if booth.hosts.filter(pk=user.pk).exists():
        return True
    emails = booth.host_email_list
    return bool(emails) and verified_address_rows().filter(user=user, email__in=emails).exists()
