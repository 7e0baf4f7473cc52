"""Posting, editing and deleting messages: persist first, then broadcast.

Each verb has a synchronous form (views, API, tasks; broadcasts after the transaction
commits) and an async form for the websocket consumer (`apost_message`...: the database
work runs in a thread, the broadcast on the event loop).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone

from chat import rendering, rooms
from chat.history import engagement, message_json
from chat.models import Mention, Message, Room, Sanction
from chat.services import events
from chat.services.db import in_pool
from chat.services.errors import Forbidden, Invalid, RateLimited
from portal.models import Conference
from portal.visitor_input import BadInput, check_text

MAX_LENGTH = 2000
MAX_MENTIONS = 10
# Replies are followed up this many levels to find the question they answer.
MAX_THREAD_DEPTH = 5


def rate_limit():
    """(messages, seconds): at most this many posts per person in this window."""
    return (
        getattr(settings, "CHAT_RATE_LIMIT_MESSAGES", 5),
        getattr(settings, "CHAT_RATE_LIMIT_SECONDS", 10),
    )


def edit_window():
    return timedelta(seconds=getattr(settings, "CHAT_EDIT_WINDOW_SECONDS", 600))


# --- who may post ---------------------------------------------------------------------


def check_can_post(user, room, now=None, sanctions=None):
    """Raise Forbidden with a reason the client can show; return None when they may post.

    `sanctions`: the user's open sanctions (`open_sanctions`, or `sanctions_with_ids`, read
    once for every room a page shows: /me/state.json); without it (posting), the database."""
    now = now or timezone.now()
    conference = Conference.get()
    if conference.is_archived(now):
        # The archive keeps the discussion as it was: everyone reads, nobody writes.
        raise Forbidden(
            f"{conference.name} is over: its chat is kept as an archive and is read-only.", reason="archived"
        )
    if user is None or not user.is_authenticated:
        raise Forbidden("Log in to post in the chat.", reason="login")
    if not user.is_registered:
        raise Forbidden("Only registered attendees can post. You can still read along.", reason="not_registered")
    if not rooms.may_enter(room, user):
        raise Forbidden("Only the members of this private room can post in it.", reason="not_member")
    if sanctions is None:
        sanction = active_sanction(user, room, now)
    else:
        sanction = min(
            (
                s
                for s in sanctions
                if (s.until is None or s.until > now) and (s.room_id is None or s.room_id == room.pk)
            ),
            key=lambda s: s.kind,  # "ban" sorts before "mute", as in active_sanction
            default=None,
        )
    if sanction is not None:
        if sanction.kind == Sanction.Kind.BAN:
            raise Forbidden("A moderator has banned you from the chat.", reason="banned")
        where = "in this room" if sanction.room_id else "in every room"
        until = f" until {sanction.until:%Y-%m-%d %H:%M} UTC" if sanction.until else ""
        raise Forbidden(f"A moderator has muted you {where}{until}.", reason="muted")
    if user.code_of_conduct_accepted_at is None and sanctions is not None:
        # The user was loaded with this request: current.
        raise Forbidden("Accept the code of conduct before your first post.", reason="code_of_conduct")
    if user.code_of_conduct_accepted_at is None:
        # The socket's user object is loaded once per connection: they may have accepted since.
        user.code_of_conduct_accepted_at = (
            get_user_model().objects.filter(pk=user.pk).values_list("code_of_conduct_accepted_at", flat=True).first()
        )
        if user.code_of_conduct_accepted_at is None:
            raise Forbidden("Accept the code of conduct before your first post.", reason="code_of_conduct")


def _open(sanctions, now):
    return sanctions.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gt=now))


def open_sanctions(user, now=None):
    """The user's sanctions not lifted nor over."""
    return list(_open(Sanction.objects.filter(user=user), now or timezone.now()))


def sanction_rows(user, now):
    """The user's open sanctions as rows ("sanction", "<id>", "") for a reader that asks for
    several kinds of a person's rows in one query (portal/state.py: nearly always none, so
    the sanctions themselves are read only for those who have one: `sanctions_with_ids`)."""
    return (
        _open(Sanction.objects.filter(user=user), now)
        .order_by()
        .annotate(
            row_kind=Value("sanction", CharField()), sanction=Cast("id", CharField()), extra=Value("", CharField())
        )
        .values_list("row_kind", "sanction", "extra")
    )


def sanctions_with_ids(ids):
    """The sanctions `sanction_rows` named (what `open_sanctions` gives, read by id)."""
    return list(Sanction.objects.filter(pk__in=ids)) if ids else []


def active_sanction(user, room, now=None):
    now = now or timezone.now()
    return (
        Sanction.objects.filter(user=user, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .filter(Q(room__isnull=True) | Q(room=room))
        .order_by("kind")  # "ban" sorts before "mute": the stronger reason wins
        .first()
    )


def check_rate(user, now):
    limit, seconds = rate_limit()
    recent = list(
        Message.objects.filter(author=user, created_at__gt=now - timedelta(seconds=seconds))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        retry_after = max(1, int((recent[-1] + timedelta(seconds=seconds) - now).total_seconds() + 0.999))
        raise RateLimited(f"Slow down: at most {limit} messages in {seconds} seconds.", retry_after=retry_after)


def lock_poster(user):
    """Take this person's turn to post until the transaction ends, so that counting their
    recent posts and storing one cannot interleave with another of their posts (40 parallel
    posts stored 6 under a limit of 5). PostgreSQL locks the user's row; SQLite has one
    writer at a time (its transactions begin IMMEDIATE, portal/settings.py)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def plain_text(value, what):
    """`value`, or Invalid naming a character that is not text (portal.visitor_input)."""
    try:
        return check_text(value, what)
    except BadInput as problem:
        raise Invalid(str(problem)) from None


def clean_body(body):
    if not isinstance(body, str):
        raise Invalid("A message is text.")
    body = plain_text(body.replace("\r\n", "\n").strip(), "The message")
    if not body:
        raise Invalid("An empty message cannot be posted.")
    if len(body) > MAX_LENGTH:
        raise Invalid(f"A message is at most {MAX_LENGTH} characters (this one has {len(body)}).")
    return body


def clean_client_id(client_id):
    if client_id in (None, ""):
        return ""
    if not isinstance(client_id, str) or len(client_id) > 64:
        raise Invalid("client_id is a string of at most 64 characters.")
    return client_id


def badge_for(user, room):
    if not rooms.author_emails(room).isdisjoint(user.verified_emails):
        return Message.Badge.AUTHOR
    if user.is_moderator:
        return Message.Badge.MODERATOR
    if user.is_staff:
        return Message.Badge.ORGANISER
    return Message.Badge.NONE


# --- mentions ---------------------------------------------------------------------------


# Layers above say who may not be mentioned by whom (people: nobody mentions a person who
# blocked them): fn(author, user_ids) -> the ids among them the author may not mention.
_mention_refusals = []


def refuse_mentions_with(refusal):
    if refusal not in _mention_refusals:
        _mention_refusals.append(refusal)


def resolve_mentions(body, author, room=None):
    """{user: written name} for the people named with @ (at most MAX_MENTIONS); in a
    private room only those who may enter it (nobody else learns of it); never those a
    registered refusal keeps from the author (a block)."""
    from django.contrib.auth import get_user_model

    candidates = rendering.mention_candidates(body)[:30]
    if not candidates:
        return {}
    query = Q()
    for name in candidates:
        query |= Q(display_name__iexact=name) | Q(display_name="", email__istartswith=f"{name}@")
    found = {}
    lowered = {c.lower(): c for c in candidates}
    for user in get_user_model().objects.filter(query, is_active=True).exclude(pk=author.pk)[: MAX_MENTIONS * 3]:
        written = lowered.get(user.name.lower())
        if written and (room is None or rooms.may_enter(room, user)):
            found[user] = written
    refused = set()
    for refusal in _mention_refusals if found else ():
        refused |= set(refusal(author, [u.pk for u in found]))
    found = {user: written for user, written in found.items() if user.pk not in refused}
    return dict(list(found.items())[:MAX_MENTIONS])


# --- storing ---------------------------------------------------------------------------


def _store_message(*, room, author, body, client_id="", reply_to=None):
    """(message, created, frames): validate, store and say what to broadcast."""
    now = timezone.now()
    check_can_post(author, room, now)
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    if client_id:
        existing = _existing(author, client_id)
        if existing is not None:
            return existing, False, []
    parent = None
    if reply_to not in (None, ""):
        if not isinstance(reply_to, int) or isinstance(reply_to, bool):
            raise Invalid("reply_to is the id of a message.")
        parent = (
            Message.objects.filter(pk=reply_to, room=room, hidden_at__isnull=True, deleted_at__isnull=True)
            .select_related("author", "reply_to")
            .first()
        )
        if parent is None:
            raise Invalid("The message you reply to is not in this room any more.")
    check_rate(author, now)  # early and cheap; checked again under the lock below
    badge = badge_for(author, room)
    mentioned = resolve_mentions(body, author, room)
    has_authors = rooms.has_authors(room)
    try:
        with transaction.atomic():
            lock_poster(author)
            check_rate(author, now)
            message = Message.objects.create(
                room=room,
                author=author,
                body=body,
                html=rendering.render(body, mentioned.values()),
                reply_to=parent,
                badge=badge,
                client_id=client_id,
                created_at=now,
                is_question=has_authors and parent is None and badge != Message.Badge.AUTHOR,
            )
            Room.objects.filter(pk=room.pk).update(last_message_at=now, message_count=F("message_count") + 1)
            answered = _mark_answered(parent, now) if badge == Message.Badge.AUTHOR else False
            Mention.objects.bulk_create([Mention(message=message, user=user, created_at=now) for user in mentioned])
    except IntegrityError:
        # The same client_id raced in on a second connection: the first one won.
        existing = _existing(author, client_id) if client_id else None
        if existing is None:
            raise
        return existing, False, []
    message.room = room
    frame = {"type": "message.new", "message": message_json(message, room.key)}
    if has_authors and (message.is_question or answered):
        frame["engagement"] = engagement(room)
    frames = [(events.room_group(room), frame)]
    for user in mentioned:
        frames.append((events.user_group(user.pk), mention_frame(message, room)))
    return message, True, frames


def _existing(author, client_id):
    message = Message.objects.filter(author=author, client_id=client_id).select_related("room").first()
    return message


def _mark_answered(parent, now):
    """An author replied somewhere under a question: it is answered."""
    depth = 0
    while parent is not None and not parent.is_question and parent.reply_to_id and depth < MAX_THREAD_DEPTH:
        parent = Message.objects.filter(pk=parent.reply_to_id).select_related("reply_to").first()
        depth += 1
    if parent is None or not parent.is_question or parent.answered_at is not None:
        return False
    return bool(Message.objects.filter(pk=parent.pk, answered_at__isnull=True).update(answered_at=now))


def mention_frame(message, room):
    return {
        "type": "mention",
        "room": room.key,
        "room_title": room.title,
        "url": rooms.url_for(room) or f"/rooms/{room.key}/",
        "message": message_json(message, room.key),
    }


def new_client_id():
    return uuid.uuid4().hex


def post_message(*, room, author, body, client_id="", reply_to=None):
    """Store a message, then broadcast it (after commit). Returns the message.

    Posting the same client_id again returns the stored message and broadcasts nothing.
    """
    message, _created, frames = _store_message(
        room=room, author=author, body=body, client_id=client_id, reply_to=reply_to
    )
    _after_commit(frames)
    return message


async def apost_message(*, room, author, body, client_id="", reply_to=None):
    message, _created, frames = await in_pool(_store_message)(
        room=room, author=author, body=body, client_id=client_id, reply_to=reply_to
    )
    for group, frame in frames:
        await events.abroadcast(group, frame)
    return message


def _after_commit(frames):
    def send():
        for group, frame in frames:
            events.broadcast(group, frame)

    if frames:
        transaction.on_commit(send)


# --- editing and deleting one's own ---------------------------------------------------


def _own_recent_message(user, message_id, now):
    if user is None or not user.is_authenticated:
        raise Forbidden("Log in to change your messages.", reason="login")
    if Conference.get().is_archived(now):
        raise Forbidden("The conference is over: its chat is kept as an archive and is read-only.", reason="archived")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise Invalid("id is the id of a message.")
    message = Message.objects.filter(pk=message_id).select_related("room", "author", "reply_to__author").first()
    if message is None or not message.is_visible:
        raise Invalid("That message is not there any more.")
    if message.author_id != user.pk:
        raise Forbidden("You can only change your own messages.", reason="not_yours")
    if now - message.created_at > edit_window():
        minutes = int(edit_window().total_seconds() // 60)
        raise Forbidden(f"Messages can be changed for {minutes} minutes after posting.", reason="too_late")
    return message


def _store_edit(*, user, message_id, body):
    now = timezone.now()
    message = _own_recent_message(user, message_id, now)
    body = clean_body(body)
    room = message.room
    mentioned = resolve_mentions(body, user, room)
    with transaction.atomic():
        message.body = body
        message.html = rendering.render(body, mentioned.values())
        message.edited_at = now
        message.save(update_fields=["body", "html", "edited_at"])
        known = set(Mention.objects.filter(message=message).values_list("user_id", flat=True))
        fresh = [u for u in mentioned if u.pk not in known]
        Mention.objects.bulk_create([Mention(message=message, user=u, created_at=now) for u in fresh])
    frames = [(events.room_group(room), {"type": "message.edited", "message": message_json(message, room.key)})]
    frames += [(events.user_group(u.pk), mention_frame(message, room)) for u in fresh]
    return message, frames


def edit_message(*, user, message_id, body):
    message, frames = _store_edit(user=user, message_id=message_id, body=body)
    _after_commit(frames)
    return message


async def aedit_message(*, user, message_id, body):
    message, frames = await in_pool(_store_edit)(user=user, message_id=message_id, body=body)
    for group, frame in frames:
        await events.abroadcast(group, frame)
    return message


def _store_delete(*, user, message_id):
    now = timezone.now()
    message = _own_recent_message(user, message_id, now)
    message.deleted_at = now
    message.save(update_fields=["deleted_at"])
    frame = {"type": "message.hidden", "id": message.pk, "reason": "deleted"}
    frames = [(events.room_group(message.room), frame)]
    if message.badge == Message.Badge.AUTHOR or message.is_question:
        recount_answered(message)
        frame["engagement"] = engagement(message.room)
    return message, frames


def delete_message(*, user, message_id):
    message, frames = _store_delete(user=user, message_id=message_id)
    _after_commit(frames)
    return message


async def adelete_message(*, user, message_id):
    message, frames = await in_pool(_store_delete)(user=user, message_id=message_id)
    for group, frame in frames:
        await events.abroadcast(group, frame)
    return message


def recount_answered(removed):
    """After an author's reply disappears, its question is answered only if another remains."""
    if removed.badge != Message.Badge.AUTHOR or not removed.reply_to_id:
        return
    question = Message.objects.filter(pk=removed.reply_to_id, is_question=True).first()
    if question is None:
        return
    still = Message.objects.filter(
        reply_to=question, badge=Message.Badge.AUTHOR, hidden_at__isnull=True, deleted_at__isnull=True
    ).exists()
    if not still and question.answered_at is not None:
        Message.objects.filter(pk=question.pk).update(answered_at=None)
