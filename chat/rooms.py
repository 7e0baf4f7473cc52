"""Rooms are keyed by strings and opened here, through one function: `open_room(key)`.

A room's key is a subject's key (schedule/subjects.py): `paper:<uid>`, `booth:<slug>`,
`keynote:<slug>`, or a bare kind for one-of-a-kind rooms (`corridor`, registered here). A
room exists for a subject that exists; its title, page and authors are the subject's. So
`chat` imports no feature: a feature registers its subject kind once, from its
AppConfig.ready(), and its things get rooms (and recordings, and agenda items) with it.
"""

from django.db import IntegrityError, transaction
from django.urls import reverse

from chat.models import Room
from schedule import subjects
from schedule.subjects import Subject, register_subject_kind


class RoomNotFound(LookupError):
    pass


def parse_key(key):
    """(kind, arg) of a well-formed key, else RoomNotFound."""
    parts = subjects.split_key(key)
    if parts is None:
        raise RoomNotFound(f"“{str(key)[:130]}” is not a room key")
    return parts


def open_room(key) -> Room:
    """The room for `key`, created on first use when its subject exists.

    Raises RoomNotFound for a malformed key, an unregistered kind, or a thing that does
    not exist (a paper UID nobody imported). A Room row already stored is returned even if
    its kind is not registered in this process, so history stays readable.
    """
    kind_name, _ = parse_key(key)
    room = Room.objects.filter(key=key).first()
    if room is not None:
        return room
    subject = subjects.subject(key)
    if subject is None:
        raise RoomNotFound(f"there is no room “{key}”")
    try:
        with transaction.atomic():
            return Room.objects.create(key=key, kind=kind_name, title=(subject.title or key)[:500])
    except IntegrityError:
        # Two first visitors at once: the other one created it.
        return Room.objects.get(key=key)


def find_room(key) -> Room | None:
    try:
        return open_room(key)
    except RoomNotFound:
        return None


def author_emails(room) -> set[str]:
    subject = subjects.subject(room.key)
    return set(subject.author_emails) if subject else set()


def has_authors(room) -> bool:
    return subjects.has_authors(room.key)


def rooms_authored_by(user) -> list[str]:
    """Keys of the rooms whose thing `user` is an author of (for 'your unanswered questions')."""
    return subjects.authored_by(user)


def url_for(room) -> str | None:
    subject = subjects.subject(room.key)
    return subject.url if subject else None


CORRIDOR = "corridor"


def register_corridor():
    def resolve(args):
        return [Subject(CORRIDOR, "The Corridor", url=reverse("chat:corridor"))]

    register_subject_kind(CORRIDOR, resolve, singleton=True)
