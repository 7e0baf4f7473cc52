"""Reading a room: its latest messages, pages of history by id, and their JSON shape.

The shape is the protocol's `<message>` (docs in chat/consumers.py); the websocket and the
history API both use `message_json`, so a message looks the same however it arrives.
"""

from datetime import UTC

from chat.models import Message
from chat.rendering import plain_excerpt

PAGE_SIZE = 50


def iso(instant):
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z") if instant else None


def visible_messages(room):
    return (
        Message.objects.filter(room=room, hidden_at__isnull=True, deleted_at__isnull=True)
        .select_related("author", "reply_to__author")
        .order_by("id")
    )


def latest(room, limit=PAGE_SIZE):
    """The latest `limit` visible messages, oldest first."""
    return list(reversed(visible_messages(room).order_by("-id")[:limit]))


def page_after(room, after_id, limit=PAGE_SIZE):
    """(messages, more): visible messages with id > after_id, oldest first."""
    rows = list(visible_messages(room).filter(id__gt=after_id)[: limit + 1])
    return rows[:limit], len(rows) > limit


def page_before(room, before_id, limit=PAGE_SIZE):
    """(messages, more): the `limit` visible messages just before before_id, oldest first."""
    rows = list(visible_messages(room).filter(id__lt=before_id).order_by("-id")[: limit + 1])
    return list(reversed(rows[:limit])), len(rows) > limit


def author_json(message):
    author = message.author
    return {
        "id": message.author_id,
        "name": author.name if author is not None else "deleted account",
        "badge": message.badge,
    }


def message_json(message, room_key):
    parent = message.reply_to if message.reply_to_id else None
    reply = None
    if parent is not None:
        reply = {
            "id": parent.pk,
            "author": parent.author.name if parent.author_id and parent.author else "deleted account",
            "excerpt": plain_excerpt(parent.body, 80) if parent.is_visible else "(message removed)",
        }
    return {
        "id": message.pk,
        "room": room_key,
        "author": author_json(message),
        "html": message.html,
        "created_at": iso(message.created_at),
        "reply_to": message.reply_to_id,
        "reply": reply,
        "edited_at": iso(message.edited_at),
    }


def engagement(room):
    """{'questions': M, 'answered': N} for rooms whose kind has authors."""
    from django.db.models import Count, Q

    counts = Message.objects.filter(
        room=room, is_question=True, hidden_at__isnull=True, deleted_at__isnull=True
    ).aggregate(questions=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    return {"questions": counts["questions"], "answered": counts["answered"]}
