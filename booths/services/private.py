"""Self-organised booths: 2-3 registered attendees start a private chat and video call.

The seed: "a simple mechanism for small groups of 2-3 to start a chat, that is not publicly
shown on the schedule". Such a booth is a `Booth` of kind SELF_ORGANISED:

- its members are the one who started it and those they added or who came by its invite
  link, at most `settings.BOOTH_PRIVATE_MAX_MEMBERS` (3), all registered attendees;
- its chat room `booth:<slug>` is private (chat.rooms.may_enter): only members read and
  post; to anyone else the page, the socket and the API answer 404;
- its video-call link is made per booth from `settings.BOOTH_PRIVATE_CALL_URL` and shown
  to members only, under schedule/call_links.py's rule, until it closes;
- it closes `settings.BOOTH_PRIVATE_HOURS` (24) after it started: the beat task
  `booths.tasks.close_expired_private_booths` closes it and deletes its chat;
- it is never listed: `Booth.objects.public()` excludes the kind, it has no sessions (so no
  programme or feed entry), and the API, search and sitemaps read only public booths.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from booths.models import Booth, BoothMember
from booths.services.errors import BoothError
from chat import rooms


def max_members():
    return settings.BOOTH_PRIVATE_MAX_MEMBERS


def lifetime():
    return timedelta(hours=settings.BOOTH_PRIVATE_HOURS)


def _new_slug():
    # Unguessable: the slug is in the page's URL and the room's key.
    return f"private-{secrets.token_hex(8)}"


def _new_call_link():
    return settings.BOOTH_PRIVATE_CALL_URL.format(token=secrets.token_hex(12))


def _refuse_unregistered(user, who):
    if user is None or not user.is_authenticated or not user.is_active:
        raise BoothError("login", "Log in as a registered attendee to start or join a self-organised booth.")
    if not user.is_registered:
        raise BoothError(
            "not_registered",
            f"{who} not a registered attendee: self-organised booths are for registered attendees only.",
        )


def _too_many(count):
    return BoothError(
        "too_many",
        f"A self-organised booth has at most {max_members()} people (you asked for {count}). "
        "Start another one, or ask the organisers about a public booth.",
    )


def start_private_booth(creator, others=(), *, name="", topic="") -> Booth:
    """Start a self-organised booth for `creator` and `others` (Users); its room is opened.

    Refuses (BoothError) anyone who is not a registered attendee and more than
    BOOTH_PRIVATE_MAX_MEMBERS people in all; nothing is written then."""
    _refuse_unregistered(creator, "You are")
    people = [creator]
    for other in others:
        if other is None:
            continue
        if all(other.pk != p.pk for p in people):
            people.append(other)
    if len(people) > max_members():
        raise _too_many(len(people))
    for other in people[1:]:
        _refuse_unregistered(other, f"{other.name} is")
    name = (name or "").strip()[:200] or f"{creator.name}’s booth"
    now = timezone.now()
    with transaction.atomic():
        booth = Booth.objects.create(
            kind=Booth.Kind.SELF_ORGANISED,
            status=Booth.Status.APPROVED,
            name=name,
            slug=_new_slug(),
            topic=(topic or "").strip()[:300],
            call_link=_new_call_link(),
            invite_token=secrets.token_urlsafe(18),
            applicant=creator,
            closes_at=now + lifetime(),
        )
        BoothMember.objects.bulk_create(BoothMember(booth=booth, user=p, added_by=creator) for p in people)
        rooms.open_room(booth.room_key)
    return booth


def is_member(booth, user) -> bool:
    """Whether `user` is in this self-organised booth (False for anyone not logged in)."""
    if user is None or not user.is_authenticated or booth is None:
        return False
    return BoothMember.objects.filter(booth=booth, user=user).exists()


def is_open(booth, now=None) -> bool:
    now = now or timezone.now()
    return booth.closed_at is None and (booth.closes_at is None or booth.closes_at > now)


def _refuse_closed(booth):
    if not is_open(booth):
        raise BoothError("closed", "This self-organised booth has closed.")


def _add(booth, user, *, by):
    """Add `user` under a lock on the booth's row, so two joining at once cannot make four."""
    _refuse_unregistered(user, "You are" if user == by else f"{getattr(user, 'name', 'They')} is")
    with transaction.atomic():
        locked = Booth.objects.select_for_update().get(pk=booth.pk)
        _refuse_closed(locked)
        members = list(BoothMember.objects.filter(booth=locked).values_list("user_id", flat=True))
        if user.pk in members:
            return False
        if len(members) >= max_members():
            raise _too_many(len(members) + 1)
        try:
            with transaction.atomic():
                BoothMember.objects.create(booth=locked, user=user, added_by=by)
        except IntegrityError:
            return False
    return True


def add_member(booth, user, *, by) -> bool:
    """A member (`by`) adds `user`; True if added, False if already in. Refused: a booth
    that is not self-organised or has closed, `by` not a member, `user` not registered, a
    booth already full."""
    if not booth.is_private:
        raise BoothError("not_private", "Only self-organised booths have members to add.")
    if not is_member(booth, by):
        raise BoothError("not_member", "Only the booth's members can add people to it.")
    return _add(booth, user, by=by)


def invite_matches(booth, token) -> bool:
    return bool(booth.invite_token) and secrets.compare_digest(str(token or ""), booth.invite_token)


def join_by_invite(booth, user, token) -> bool:
    """`user` follows the booth's invite link; True if added, False if already in. Only a
    registered attendee with the right token gets in; a full or closed booth refuses."""
    if not booth.is_private or not invite_matches(booth, token):
        raise BoothError("bad_invite", "This invitation link is not valid.")
    return _add(booth, user, by=user)


def invite_path(booth):
    return reverse("booths:join", args=[booth.slug, booth.invite_token])


def close_private_booth(booth, now=None):
    """Close it now: the chat and its messages are deleted, the call and invite links die."""
    now = now or timezone.now()
    with transaction.atomic():
        updated = Booth.objects.filter(pk=booth.pk, closed_at__isnull=True).update(
            closed_at=now, call_link="", invite_token=""
        )
        rooms.delete_room(booth.room_key)
    return bool(updated)


def close_expired_private_booths(now=None) -> int:
    """Close every self-organised booth whose time is up; the number closed (the beat's task)."""
    now = now or timezone.now()
    due = Booth.objects.private().filter(closed_at__isnull=True, closes_at__lte=now)
    closed = 0
    for booth in due.only("pk", "slug"):
        closed += close_private_booth(booth, now)
    return closed
