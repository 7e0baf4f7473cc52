"""Subjects: what the conference is about, named by a key.

A key is `<kind>:<arg>` (`paper:B1xSperKvH`, later `keynote:lecun`, `booth:acme`) or a
bare kind for a thing there is one of (`corridor`). The lower layers hold keys, never a
feature's rows: a recording's `subject_key`, an agenda item's, a chat room's. What a key
stands for is answered by the feature that owns its kind, registered once from its
AppConfig.ready() (schedule never imports the features):

    from schedule.subjects import Subject, register_subject_kind

    register_subject_kind(
        "paper",
        resolve=lambda uids: [Subject(...), ...],  # the ones that exist, in a fixed number of queries
        is_author=lambda uid, user: ...,           # optional: the kind has authors
        authored_by=lambda user: [uid, ...],       # optional: what `user` is an author of
    )

One answer serves the recordings (who may preview and upload, whom to remind), chat (a
room exists for a subject that exists; its title, page and authors' badge) and the
agenda (an item's title and page).
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.models import User

KIND_RE = re.compile(r"[a-z][a-z0-9_-]{0,19}")
KEY_RE = re.compile(r"^(?P<kind>[a-z][a-z0-9_-]{0,19})(?::(?P<arg>[A-Za-z0-9_.~-]{1,96}))?$")


@dataclass(frozen=True)
class Subject:
    key: str
    title: str
    url: str | None = None  # its page
    upload_url: str | None = None  # where its authors upload its recording
    author_emails: frozenset[str] = frozenset()  # lower case, as written on the subject
    # Only those its kind's `may_enter` lets in may see it (a self-organised booth): its
    # room is private, and nothing public lists or links it.
    private: bool = False

    @property
    def kind(self):
        return self.key.partition(":")[0]


@dataclass(frozen=True)
class RecordingTerms:
    """How a kind's subjects have a pre-recorded talk: `make(arg)` gives the subject's
    recording (made on first use, its title and release day brought up to date; None when
    the subject cannot have one), and the sentences its upload page says about it."""

    make: Callable[[str], object]
    release_basis: str = "on its release day"  # "(02:00 in Pacific/Auckland <release_basis>)"
    release_pending: str = "not set yet"  # "Release: <release_pending>." while there is no day
    who_uploads: str = "its authors"  # "Only <who_uploads> and the organisers may upload …"
    home: tuple[str, str] | None = None  # (label, URL name): the uploader's list of their subjects
    page_label: str = "Its page"  # the link back to the subject's page


@dataclass(frozen=True)
class SubjectKind:
    name: str
    resolve: Callable[[list[str]], Iterable[Subject]]
    is_author: Callable[[str, "User"], bool] | None = None
    authored_by: Callable[["User"], Iterable[str]] | None = None
    singleton: bool = False
    may_enter: Callable[[str, "User"], bool] | None = None
    recordings: RecordingTerms | None = None
    rooms: bool = True

    def key(self, arg):
        return self.name if self.singleton else f"{self.name}:{arg}"


_kinds: dict[str, SubjectKind] = {}


def register_subject_kind(
    name,
    resolve,
    *,
    is_author=None,
    authored_by=None,
    singleton=False,
    may_enter=None,
    recordings=None,
    rooms=True,
) -> SubjectKind:
    """Let subjects of this kind exist. Registering the same name again replaces it.

    `resolve(args)` returns the Subjects of those args that exist (any order; the rest are
    unknown) in a number of queries that does not grow with the args. `is_author(arg,
    user)` says whether `user` authored it (uploads, previews, the chat's badge); without
    it the kind has no authors. `authored_by(user)` lists the args `user` is an author of.
    A singleton kind is one thing, keyed by its bare name, resolved with the arg "".
    `may_enter(arg, user)` says whether `user` may see a *private* subject of this kind
    (one resolved with `private=True`); without it the kind has no private subjects.
    `recordings` (RecordingTerms) lets its subjects have a pre-recorded talk, uploaded on
    the one upload page (schedule/recordings/upload_views.py) by whoever
    `release.may_upload` lets. `rooms=False`: its subjects have no chat room of their own
    (a workshop's talks: the workshop's booth has the room).
    """
    if not KIND_RE.fullmatch(name or ""):
        raise ValueError(f"subject kind {name!r}: 1-20 lowercase letters, digits, '-' and '_', a letter first")
    _kinds[name] = SubjectKind(name, resolve, is_author, authored_by, singleton, may_enter, recordings, rooms)
    return _kinds[name]


def unregister_subject_kind(name):
    _kinds.pop(name, None)


def subject_kind(name) -> SubjectKind | None:
    return _kinds.get(name)


def kind_names(*, singletons=False, rooms=None) -> list[str]:
    """The registered kinds, in registration order (the singletons, such as the corridor,
    only when asked; only those with chat rooms, or without, when `rooms` is given): what
    can have a room, a recording or an agenda item now."""
    return [
        kind.name
        for kind in _kinds.values()
        if (singletons or not kind.singleton) and (rooms is None or kind.rooms == rooms)
    ]


def has_rooms(key) -> bool:
    """Whether the subject `key` names may have a chat room (its kind's choice)."""
    kind, _ = _kind_and_arg(key)
    return kind is not None and kind.rooms


def split_key(key) -> tuple[str, str] | None:
    """(kind, arg) of a well-formed key (arg "" for a bare kind), else None."""
    match = KEY_RE.match(key) if isinstance(key, str) else None
    return (match["kind"], match["arg"] or "") if match else None


def _kind_and_arg(key):
    parts = split_key(key)
    kind = _kinds.get(parts[0]) if parts else None
    if kind is None or kind.singleton != (parts[1] == ""):
        return None, None
    return kind, parts[1]


def subjects_by_key(keys) -> dict[str, Subject]:
    """{key: Subject} for those of `keys` that name something that exists: one `resolve`
    per kind asked for, so a list of any length costs the same queries."""
    wanted = defaultdict(set)
    for key in keys:
        kind, arg = _kind_and_arg(key)
        if kind is not None:
            wanted[kind].add(arg)
    found = {}
    for kind, args in wanted.items():
        asked = {kind.key(arg) for arg in args}
        found |= {s.key: s for s in kind.resolve(sorted(args)) if s.key in asked}
    return found


def subject(key) -> Subject | None:
    """The subject `key` names, or None (malformed, an unregistered kind, nothing there)."""
    return subjects_by_key([key]).get(key)


def recording_terms(key) -> RecordingTerms | None:
    """How the subject `key` names has its recording (its kind's terms), or None for a kind
    whose subjects have none (or an unknown key)."""
    kind, _ = _kind_and_arg(key)
    return kind.recordings if kind is not None else None


def recording_of(key):
    """The recording of the subject `key` names, made on first use and kept current by its
    kind; None when the kind has no recordings or the subject cannot have one."""
    kind, arg = _kind_and_arg(key)
    if kind is None or kind.recordings is None:
        return None
    return kind.recordings.make(arg)


def may_enter(key, user) -> bool:
    """Whether `user` may see the private subject `key` names (its kind's answer); False
    for a kind without private subjects, an unknown key or an anonymous visitor."""
    kind, arg = _kind_and_arg(key)
    if kind is None or kind.may_enter is None or not user.is_authenticated:
        return False
    return bool(kind.may_enter(arg, user))


def has_authors(key) -> bool:
    """Whether things of this key's kind have authors (chat's questions and answers)."""
    kind, _ = _kind_and_arg(key)
    return kind is not None and kind.is_author is not None


def is_author(key, user) -> bool:
    """Whether `user` authored the subject (its feature's answer; organisers and added
    uploaders are the recordings' own business)."""
    kind, arg = _kind_and_arg(key)
    if kind is None or kind.is_author is None or not user.is_authenticated:
        return False
    return bool(kind.is_author(arg, user))


def authored_by(user) -> list[str]:
    """Keys of the subjects `user` is an author of, kind by kind."""
    if not user.is_authenticated:
        return []
    return [kind.key(arg) for kind in _kinds.values() if kind.authored_by for arg in kind.authored_by(user) or ()]
