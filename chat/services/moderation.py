"""Reports and moderator actions; every moderator action is written to the audit log."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.history import engagement, message_json
from chat.models import Message, ModerationAction, Report, Sanction
from chat.services import events
from chat.services.db import in_pool
from chat.services.errors import Forbidden, Invalid
from chat.services.messages import _after_commit, plain_text, recount_answered

MAX_MUTE = timedelta(days=30)


def require_moderator(user):
    if user is None or not user.is_authenticated or not user.is_moderator:
        raise Forbidden("Only moderators can do that.", reason="not_moderator")


def audit(moderator, action, *, room=None, message=None, target_user=None, reason="", **detail):
    return ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        room=room,
        message=message,
        target_user=target_user,
        reason=plain_text(reason, "The reason")[:500],
        detail=detail,
    )


# --- reports ----------------------------------------------------------------------------


def report_message(*, user, message_id, reason, detail=""):
    """Anyone logged in may report a message once; it goes to the moderators' queue."""
    if user is None or not user.is_authenticated:
        raise Forbidden("Log in to report a message.", reason="login")
    if reason not in Report.Reason.values:
        raise Invalid(f"A report's reason is one of: {', '.join(Report.Reason.values)}.")
    if not isinstance(detail, str) or len(detail) > 1000:
        raise Invalid("The details of a report are text of at most 1,000 characters.")
    plain_text(detail, "The details of a report")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise Invalid("id is the id of a message.")
    message = Message.objects.filter(pk=message_id, deleted_at__isnull=True).first()
    if message is None:
        raise Invalid("That message is not there any more.")
    try:
        with transaction.atomic():
            return Report.objects.create(message=message, reporter=user, reason=reason, detail=detail.strip())
    except IntegrityError:
        return Report.objects.get(message=message, reporter=user)


def report_person(*, user, person, reason, detail=""):
    """Report a person (not one message) to the moderators: the same queue and audit log.
    One open report per reporter and person; reporting again adds nothing."""
    if user is None or not user.is_authenticated:
        raise Forbidden("Log in to report a person.", reason="login")
    if reason not in Report.Reason.values:
        raise Invalid(f"A report's reason is one of: {', '.join(Report.Reason.values)}.")
    if not isinstance(detail, str) or len(detail) > 1000:
        raise Invalid("The details of a report are text of at most 1,000 characters.")
    plain_text(detail, "The details of a report")
    if person is None or person.pk == user.pk:
        raise Invalid("You cannot report yourself.")
    try:
        with transaction.atomic():
            return Report.objects.create(person=person, reporter=user, reason=reason, detail=detail.strip())
    except IntegrityError:
        return Report.objects.get(person=person, reporter=user, resolution="")


def dismiss_person_reports(*, moderator, person, reason=""):
    require_moderator(moderator)
    with transaction.atomic():
        count = Report.objects.filter(person=person, resolution="").update(
            resolution=Report.Resolution.DISMISSED, resolved_at=timezone.now(), resolved_by=moderator
        )
        audit(moderator, ModerationAction.Action.DISMISS, target_user=person, reason=reason, reports=count)
    return count


def resolve_person_reports(person, moderator, now):
    """A mute or ban of a reported person answers the reports about them."""
    Report.objects.filter(person=person, resolution="").update(
        resolution=Report.Resolution.SANCTIONED, resolved_at=now, resolved_by=moderator
    )


async def areport_message(**kwargs):
    return await in_pool(report_message)(**kwargs)


def open_reports():
    """Open reports of messages."""
    return Report.objects.filter(resolution="", message__isnull=False).select_related(
        "message__room", "message__author", "reporter"
    )


def open_person_reports():
    return Report.objects.filter(resolution="", person__isnull=False).select_related("person", "reporter")


# --- hiding -----------------------------------------------------------------------------


def _store_hide(*, moderator, message_id, reason=""):
    require_moderator(moderator)
    now = timezone.now()
    message = Message.objects.filter(pk=message_id).select_related("room").first()
    if message is None:
        raise Invalid("That message does not exist.")
    frames = []
    with transaction.atomic():
        if message.hidden_at is None:
            message.hidden_at = now
            message.hidden_by = moderator
            message.hidden_reason = reason[:500]
            message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
            recount_answered(message)
            frame = {"type": "message.hidden", "id": message.pk}
            if message.is_question or message.badge == Message.Badge.AUTHOR:
                frame["engagement"] = engagement(message.room)
            frames.append((events.room_group(message.room), frame))
        Report.objects.filter(message=message, resolution="").update(
            resolution=Report.Resolution.HIDDEN, resolved_at=now, resolved_by=moderator
        )
        audit(moderator, ModerationAction.Action.HIDE, room=message.room, message=message, reason=reason)
    return message, frames


def hide_message(*, moderator, message_id, reason=""):
    """Hide a message from everyone; every open client removes it at once."""
    message, frames = _store_hide(moderator=moderator, message_id=message_id, reason=reason)
    _after_commit(frames)
    return message


async def ahide_message(**kwargs):
    message, frames = await in_pool(_store_hide)(**kwargs)
    for group, frame in frames:
        await events.abroadcast(group, frame)
    return message


def unhide_message(*, moderator, message_id, reason=""):
    require_moderator(moderator)
    message = Message.objects.filter(pk=message_id).select_related("room", "author", "reply_to__author").first()
    if message is None or message.hidden_at is None:
        raise Invalid("That message is not hidden.")
    with transaction.atomic():
        message.hidden_at = None
        message.hidden_by = None
        message.save(update_fields=["hidden_at", "hidden_by"])
        audit(moderator, ModerationAction.Action.UNHIDE, room=message.room, message=message, reason=reason)
    if message.badge == Message.Badge.AUTHOR and message.reply_to_id:
        Message.objects.filter(pk=message.reply_to_id, is_question=True, answered_at__isnull=True).update(
            answered_at=timezone.now()
        )
    # Clients insert it back in id order, as they would a late arrival.
    _after_commit(
        [(events.room_group(message.room), {"type": "message.new", "message": message_json(message, message.room.key)})]
    )
    return message


def dismiss_reports(*, moderator, message_id, reason=""):
    require_moderator(moderator)
    message = Message.objects.filter(pk=message_id).select_related("room").first()
    if message is None:
        raise Invalid("That message does not exist.")
    now = timezone.now()
    with transaction.atomic():
        count = Report.objects.filter(message=message, resolution="").update(
            resolution=Report.Resolution.DISMISSED, resolved_at=now, resolved_by=moderator
        )
        audit(
            moderator, ModerationAction.Action.DISMISS, room=message.room, message=message, reason=reason, reports=count
        )
    return count


# --- mutes and bans -------------------------------------------------------------------


def mute_user(*, moderator, user, room=None, minutes=60, reason=""):
    """Mute `user` in `room` (or everywhere when room is None) for `minutes`."""
    require_moderator(moderator)
    if not isinstance(minutes, int) or minutes < 1 or timedelta(minutes=minutes) > MAX_MUTE:
        raise Invalid(f"A mute lasts from 1 minute to {MAX_MUTE.days} days; a longer one is a ban.")
    if user.pk == moderator.pk:
        raise Invalid("You cannot mute yourself.")
    until = timezone.now() + timedelta(minutes=minutes)
    with transaction.atomic():
        sanction = Sanction.objects.create(
            kind=Sanction.Kind.MUTE, user=user, room=room, until=until, reason=reason[:500], created_by=moderator
        )
        if room is None:
            resolve_person_reports(user, moderator, sanction.created_at)
        audit(
            moderator,
            ModerationAction.Action.MUTE,
            room=room,
            target_user=user,
            reason=reason,
            minutes=minutes,
            everywhere=room is None,
        )
    return sanction


def ban_user(*, moderator, user, reason=""):
    """Ban `user` from posting anywhere until a moderator lifts it."""
    require_moderator(moderator)
    if user.pk == moderator.pk:
        raise Invalid("You cannot ban yourself.")
    with transaction.atomic():
        sanction = Sanction.objects.create(kind=Sanction.Kind.BAN, user=user, reason=reason[:500], created_by=moderator)
        resolve_person_reports(user, moderator, sanction.created_at)
        audit(moderator, ModerationAction.Action.BAN, target_user=user, reason=reason)
    return sanction


def lift_sanction(*, moderator, sanction, reason=""):
    require_moderator(moderator)
    if sanction.lifted_at is not None:
        return sanction
    with transaction.atomic():
        sanction.lifted_at = timezone.now()
        sanction.lifted_by = moderator
        sanction.save(update_fields=["lifted_at", "lifted_by"])
        audit(
            moderator,
            ModerationAction.Action.LIFT,
            room=sanction.room,
            target_user=sanction.user,
            reason=reason,
            kind=sanction.kind,
        )
    return sanction
