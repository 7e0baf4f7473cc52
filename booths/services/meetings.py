"""Meetings with a recruiter: a sponsor publishes slots, a registered attendee books one.

A booking takes the slot's row lock (`select_for_update`) and checks it is free, not past
and not withdrawn: of two people booking the same slot at once exactly one wins, the other
is refused with the reason and nothing of theirs is written. Either side can cancel; the
slot is then free again. Both see the meeting in their agenda and calendar feed
(booths/agenda.py), and its call link only inside its window (schedule/call_links.py).
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from booths.services.errors import BoothError
from booths.sponsor_models import MeetingSlot
from schedule.call_links import CallLink, Viewer, call_link_state


def book(slot, user, now=None) -> MeetingSlot:
    now = now or timezone.now()
    if not user.is_authenticated or not user.is_registered:
        raise BoothError("not_registered", "Only registered attendees can book a meeting with a recruiter.")
    with transaction.atomic():
        locked = MeetingSlot.objects.select_for_update().filter(pk=slot.pk).first()
        if locked is None or locked.cancelled_at is not None:
            raise BoothError("cancelled", "This meeting slot was withdrawn by the sponsor.")
        if locked.start <= now:
            raise BoothError("past", "This meeting slot has already started.")
        if locked.booked_by_id is not None:
            if locked.booked_by_id == user.pk:
                raise BoothError("yours", "You have booked this meeting already.")
            raise BoothError("taken", "Someone else booked this meeting slot a moment ago; choose another.")
        if locked.recruiter_id == user.pk:
            raise BoothError("own", "You cannot book your own meeting slot.")
        locked.booked_by, locked.booked_at = user, now
        locked.save(update_fields=["booked_by", "booked_at"])
    return locked


def cancel(slot, user) -> MeetingSlot:
    """The one who booked, or the slot's recruiter, cancels the booking: the slot is free again."""
    with transaction.atomic():
        locked = MeetingSlot.objects.select_for_update().get(pk=slot.pk)
        if locked.booked_by_id is None:
            raise BoothError("not_booked", "This meeting is not booked.")
        if user.pk not in (locked.booked_by_id, locked.recruiter_id):
            raise BoothError("not_yours", "Only the two people in a meeting can cancel it.")
        locked.booked_by, locked.booked_at = None, None
        locked.save(update_fields=["booked_by", "booked_at"])
    return locked


def is_party(slot, user):
    return user.is_authenticated and user.pk in (slot.booked_by_id, slot.recruiter_id)


def meeting_call(slot, user, now=None) -> CallLink:
    """The call link of a booked meeting: for its two people only, inside its window."""
    viewer = Viewer(user, now or timezone.now())
    party = slot.booked_by_id is not None and is_party(slot, user)
    reason = viewer.reason or ("" if party else "Only the two people in the meeting see its call link.")
    return call_link_state(slot, slot.call_link, allowed=viewer.allowed and party, now=viewer.now, reason=reason)


def meetings_of(user):
    """The booked meetings `user` is in (as attendee or recruiter), soonest first."""
    if not user.is_authenticated:
        return MeetingSlot.objects.none()
    return (
        MeetingSlot.objects.filter(Q(booked_by=user) | Q(recruiter=user), booked_by__isnull=False)
        .filter(cancelled_at__isnull=True)
        .select_related("sponsor", "booked_by", "recruiter")
    )
