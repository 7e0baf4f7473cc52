"""Introductions: one attendee asks to be introduced to another, with a short note; the
other accepts (both get a private room) or declines. PEOPLE_INTRODUCTIONS_PER_DAY caps
how many one person may ask for in 24 hours."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from people import events, rooms
from people.models import Introduction
from people.profiles import public_profile
from people.safety import MeetError, check_may_meet, is_blocked_between
from portal.visitor_input import BadInput, check_text

MAX_NOTE = 500


def sent_today(user, now):
    return Introduction.objects.filter(requester=user, created_at__gt=now - timedelta(hours=24)).count()


def request_introduction(requester, recipient_id, note, now=None):
    """Ask for an introduction to the person with this id (who must show a public profile)."""
    now = now or timezone.now()
    check_may_meet(requester, suggestible=False)
    if not isinstance(note, str) or not note.strip():
        raise MeetError("Say in a sentence why you'd like to meet (the note is required).")
    if len(note) > MAX_NOTE:
        raise MeetError(f"The note is at most {MAX_NOTE} characters (it has {len(note)}).")
    try:
        note = check_text(note.strip(), "The note")
    except BadInput as problem:
        raise MeetError(str(problem)) from None
    profile = public_profile(recipient_id)
    if profile is None or recipient_id == requester.pk:
        raise MeetError("There is no one with a public profile there.", "not_found")
    recipient = profile.user
    if is_blocked_between(requester, recipient):
        raise MeetError("You cannot ask for an introduction to this person.", "blocked")
    limit = settings.PEOPLE_INTRODUCTIONS_PER_DAY
    with transaction.atomic():
        # One person's requests are counted under their own row lock, so parallel requests
        # store at most the limit.
        get_user_model().objects.select_for_update().filter(pk=requester.pk).first()
        if sent_today(requester, now) >= limit:
            raise MeetError(f"You can ask for {limit} introductions a day; try again tomorrow.", "rate_limited")
        try:
            with transaction.atomic():
                intro = Introduction.objects.create(requester=requester, recipient=recipient, note=note, created_at=now)
        except IntegrityError:
            raise MeetError("You have asked to meet this person already; wait for their answer.", "pending") from None
        events.send_after_commit([(recipient.pk, {"type": "introduction.new", "id": intro.pk})])
    return intro


def answer_introduction(user, intro_id, *, accept, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        intro = (
            Introduction.objects.select_for_update()
            .filter(pk=intro_id, recipient=user)
            .select_related("requester", "recipient")
            .first()
        )
        if intro is None:
            raise MeetError("That introduction was not asked of you.", "not_yours")
        if intro.status != Introduction.Status.PENDING:
            raise MeetError(f"You answered this introduction already ({intro.get_status_display()}).", "over")
        if accept:
            check_may_meet(user, suggestible=False)
            if is_blocked_between(intro.requester, user):
                raise MeetError("You cannot meet this person.", "blocked")
            intro.room_key = rooms.open_room_for(
                [user, intro.requester], name=f"Introduction: {intro.requester.display_name} and {user.display_name}"
            )
        intro.status = Introduction.Status.ACCEPTED if accept else Introduction.Status.DECLINED
        intro.answered_at = now
        intro.save(update_fields=["status", "answered_at", "room_key"])
        events.send_after_commit(
            [(intro.requester_id, {"type": "introduction.answered", "id": intro.pk, "status": intro.status})]
        )
    return intro


def cancel_between(a, b):
    """A block declines the pending introductions between the two, either way."""
    Introduction.objects.filter(
        Q(requester=a, recipient=b) | Q(requester=b, recipient=a), status=Introduction.Status.PENDING
    ).update(status=Introduction.Status.DECLINED, answered_at=timezone.now())


def received(user):
    return Introduction.objects.filter(recipient=user).select_related("requester")


def sent(user):
    return Introduction.objects.filter(requester=user).select_related("recipient")
