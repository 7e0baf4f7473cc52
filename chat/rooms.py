"""Rooms are keyed by strings and opened here, through one function: `open_room(key)`.

`chat` imports no feature. A feature that wants rooms registers its kind once, from its
AppConfig.ready():

    from chat.rooms import register_room_kind

    register_room_kind(
        "paper",
        title_for=lambda uid: ...,        # str, or None when no such paper
        exists=lambda uid: ...,           # optional; default: title_for(arg) is not None
        authors_for=lambda uid: [...],    # optional; e-mail addresses -> "author" badge
        authored_by=lambda user: [...],   # optional; args of the rooms `user` is an author of
        url_for=lambda uid: "/papers/..", # optional; the page the room belongs to
    )

A key is `<kind>:<arg>` (`paper:B1xSperKvH`, `booth:acme`, `keynote:lecun`) or a bare kind
for singleton rooms (`corridor`, registered here).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from chat.models import Room

KEY_RE = re.compile(r"^(?P<kind>[a-z][a-z0-9_-]{0,19})(?::(?P<arg>[A-Za-z0-9_.~-]{1,96}))?$")


class RoomNotFound(LookupError):
    pass


@dataclass(frozen=True)
class RoomKind:
    name: str
    title_for: Callable[[str], str | None]
    exists: Callable[[str], bool] | None = None
    authors_for: Callable[[str], Iterable[str]] | None = None
    authored_by: Callable[[object], Iterable[str]] | None = None
    url_for: Callable[[str], str | None] | None = None
    singleton: bool = False

    def room_exists(self, arg):
        if self.singleton:
            return arg == ""
        if not arg:
            return False
        if self.exists is not None:
            return bool(self.exists(arg))
        return self.title_for(arg) is not None


_kinds: dict[str, RoomKind] = {}


def register_room_kind(
    name, *, title_for, exists=None, authors_for=None, authored_by=None, url_for=None, singleton=False
):
    """Let rooms of this kind exist. Registering the same name again replaces it."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,19}", name):
        raise ValueError(f"room kind {name!r}: lowercase letters, digits, '-' and '_' only")
    _kinds[name] = RoomKind(
        name=name,
        title_for=title_for,
        exists=exists,
        authors_for=authors_for,
        authored_by=authored_by,
        url_for=url_for,
        singleton=singleton,
    )
    return _kinds[name]


def unregister_room_kind(name):
    _kinds.pop(name, None)


def kind(name) -> RoomKind | None:
    return _kinds.get(name)


def registered_kinds():
    return dict(_kinds)


def parse_key(key):
    """(kind, arg) of a well-formed key, else RoomNotFound."""
    match = KEY_RE.match(key or "")
    if not match:
        raise RoomNotFound(f"“{str(key)[:130]}” is not a room key")
    return match["kind"], match["arg"] or ""


def open_room(key) -> Room:
    """The room for `key`, created on first use when its kind says it exists.

    Raises RoomNotFound for a malformed key, an unregistered kind, or a thing that does
    not exist (a paper UID nobody imported). A Room row already stored is returned even if
    its kind is not registered in this process, so history stays readable.
    """
    kind_name, arg = parse_key(key)
    room = Room.objects.filter(key=key).first()
    if room is not None:
        return room
    room_kind = _kinds.get(kind_name)
    if room_kind is None or not room_kind.room_exists(arg):
        raise RoomNotFound(f"there is no room “{key}”")
    title = room_kind.title_for(arg) or key
    try:
        with transaction.atomic():
            return Room.objects.create(key=key, kind=kind_name, title=title[:500])
    except IntegrityError:
        # Two first visitors at once: the other one created it.
        return Room.objects.get(key=key)


def find_room(key) -> Room | None:
    try:
        return open_room(key)
    except RoomNotFound:
        return None


def author_emails(room) -> set[str]:
    room_kind = _kinds.get(room.kind)
    if room_kind is None or room_kind.authors_for is None:
        return set()
    return {e.strip().lower() for e in room_kind.authors_for(room.arg) or () if e}


def has_authors(room) -> bool:
    room_kind = _kinds.get(room.kind)
    return room_kind is not None and room_kind.authors_for is not None


def rooms_authored_by(user) -> list[str]:
    """Keys of the rooms whose thing `user` is an author of (for 'your unanswered questions')."""
    keys = []
    for room_kind in _kinds.values():
        if room_kind.authored_by is not None:
            keys += [f"{room_kind.name}:{arg}" for arg in room_kind.authored_by(user) or ()]
    return keys


def url_for(room) -> str | None:
    room_kind = _kinds.get(room.kind)
    if room_kind is None or room_kind.url_for is None:
        return None
    return room_kind.url_for(room.arg)


CORRIDOR = "corridor"


def register_corridor():
    register_room_kind(CORRIDOR, title_for=lambda arg: "The Corridor", singleton=True, url_for=lambda arg: "/corridor/")
