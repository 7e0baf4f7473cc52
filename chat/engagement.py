"""Author engagement: questions asked in the rooms of a person's papers, and which are answered."""

from chat import rooms
from chat.models import Message


def unanswered_questions_for(user, limit=50):
    """The open questions in the rooms of things `user` is an author of, newest first."""
    keys = rooms.rooms_authored_by(user)
    if not keys:
        return []
    return list(
        Message.objects.filter(
            room__key__in=keys,
            is_question=True,
            answered_at__isnull=True,
            hidden_at__isnull=True,
            deleted_at__isnull=True,
        )
        .select_related("room", "author")
        .order_by("-id")[:limit]
    )
