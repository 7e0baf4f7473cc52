"""Rooms are keyed by strings and opened here, through one function: `open_room(key)`.

A private subject's room (a self-organised booth's) is readable only by those its kind's
`may_enter` lets in (`may_enter`, `find_room_for`): to anyone else it does not exist.

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
    parse_key(key)  # a malformed key says so
    room = Room.objects.filter(key=key).first()
    if room is not None:
        return room
    room = unopened_room(key)
    if room is None:
        raise RoomNotFound(f"there is no room “{key}”")
    try:
        with transaction.atomic():
            room.save(force_insert=True)
            return room
    except IntegrityError:
        # Two first visitors at once: the other one created it.
        return Room.objects.get(key=key)


def peek_room(key) -> Room | None:
    """The room for `key` as a page shows it, writing nothing: the stored room, or, while
    nobody has opened it yet, an unsaved one with no messages (the first socket or post
    stores it through `open_room`). None for a key with no room (as `find_room`)."""
    return Room.objects.filter(key=key).first() or unopened_room(key)


def unopened_room(key) -> Room | None:
    """An unsaved room for `key` with no messages, when its subject exists (a room nobody
    opened yet: `peek_room`, and /me/state.json's rooms); None for a key with no room."""
    try:
        kind_name, _ = parse_key(key)
    except RoomNotFound:
        return None
    subject = subjects.subject(key) if subjects.has_rooms(key) else None
    if subject is None:
        return None
    return Room(key=key, kind=kind_name, title=(subject.title or key)[:500], private=subject.private)


def peek_room_for(key, user) -> Room | None:
    """`peek_room` for `user`: None where they may not enter (as `find_room_for`)."""
    room = peek_room(key)
    return room if room is not None and may_enter(room, user) else None


def find_room(key) -> Room | None:
    try:
        return open_room(key)
    except RoomNotFound:
        return None


def may_enter(room, user) -> bool:
    """Whether `user` may read and post in `room` at all: everyone for a public room (posting
    has its own rules, chat.services.messages), only those the subject's kind lets in for a
    private one. Everything that shows or accepts a room's messages asks this, and answers
    a private room to anyone else as if it did not exist (404, not 403)."""
    return not room.private or subjects.may_enter(room.key, user)


def find_room_for(key, user) -> Room | None:
    """The room `key`, if it exists and `user` may enter it; else None (a 404 to them)."""
    room = find_room(key)
    return room if room is not None and may_enter(room, user) else None


def delete_room(key):
    """Delete a room and its messages (a self-organised booth that closed): nothing of it stays."""
    Room.objects.filter(key=key).delete()


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
