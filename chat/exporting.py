"""Organisers' export of a room's messages (CSV or JSON), every export in the audit log.

Times are UTC (ISO 8601) and, beside them, in the conference's own zone: the export is an
organiser's document.
"""

import csv
import io
import json

from chat.history import iso
from chat.models import Message, ModerationAction
from portal.models import Conference

FIELDS = [
    "id",
    "created_at_utc",
    "created_at_local",
    "author",
    "author_email",
    "badge",
    "reply_to",
    "body",
    "edited_at_utc",
    "status",
]


def rows(room):
    zone = Conference.get().zone
    messages = Message.objects.filter(room=room).select_related("author").order_by("id").iterator(chunk_size=500)
    for message in messages:
        status = "hidden" if message.hidden_at else "deleted" if message.deleted_at else "visible"
        yield {
            "id": message.pk,
            "created_at_utc": iso(message.created_at),
            "created_at_local": message.created_at.astimezone(zone).isoformat(),
            "author": message.author.name if message.author else "deleted account",
            "author_email": message.author.email if message.author else "",
            "badge": message.badge,
            "reply_to": message.reply_to_id or "",
            "body": message.body,
            "edited_at_utc": iso(message.edited_at) or "",
            "status": status,
        }


def export(room, fmt, exported_by=None):
    """(content, content type) of the room's messages, oldest first, hidden ones marked."""
    if fmt == "json":
        content = json.dumps({"room": room.key, "title": room.title, "messages": list(rows(room))}, indent=1)
        content_type = "application/json"
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows(room):
            # A cell starting with = + - @ is a formula to a spreadsheet: keep it text.
            row["body"] = "'" + row["body"] if row["body"][:1] in ("=", "+", "-", "@") else row["body"]
            writer.writerow(row)
        content, content_type = buffer.getvalue(), "text/csv; charset=utf-8"
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    ModerationAction.objects.create(
        moderator=exported_by, action=ModerationAction.Action.EXPORT, room=room, detail={"format": fmt}
    )
    return content, content_type
