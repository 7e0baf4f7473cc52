"""My agenda: the verbs (add, remove, merge what the browser kept) and the reading of an
agenda by the owner's days with its overlaps.

Other apps add their own things through `add_to_agenda(user, session, subject_key=...,
label=...)`, e.g. a paper's poster slot as ``subject_key="paper:<uid>"``. Listed, such an
item is called and linked as its subject says (schedule/subjects.py); the stored label
is only a fallback for a subject no longer there.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Cast

from portal.visitor_input import BadInput, NestedTooDeeply, check_text, loads
from schedule.days import entries_by_day
from schedule.models import AgendaItem, AgendaSettings, Session
from schedule.subjects import Subject, subjects_by_key

MAX_SUBJECT_KEY = 120
MAX_LABEL = 300
# The browser may keep more, but a merge or a preview takes at most this many.
MAX_BROWSER_ITEMS = 200


class AgendaError(ValueError):
    """A request about the agenda that cannot be honoured; the message says why."""


class NotText(AgendaError):
    """A subject key or label holding what is not text (a lone surrogate, a control character)."""


def clean_subject(subject_key, label):
    subject_key = " ".join(str(subject_key or "").split())
    label = " ".join(str(label or "").split())
    try:
        check_text(subject_key, "A subject key")
        check_text(label, "A label")
    except BadInput as exc:
        raise NotText(str(exc)) from None
    if len(subject_key) > MAX_SUBJECT_KEY:
        raise AgendaError(f"A subject key is at most {MAX_SUBJECT_KEY} characters.")
    return subject_key, label[:MAX_LABEL]


def add_to_agenda(user, session, subject_key="", label=""):
    """Add a session (or a subject inside it) to the user's agenda; (item, created)."""
    subject_key, label = clean_subject(subject_key, label)
    try:
        with transaction.atomic():
            return AgendaItem.objects.get_or_create(
                user=user, session=session, subject_key=subject_key, defaults={"label": label}
            )
    except IntegrityError:  # added at the same moment by another request
        return AgendaItem.objects.get(user=user, session=session, subject_key=subject_key), False


def remove_from_agenda(user, session_id, subject_key=""):
    """Remove it; the number of items removed (0 when it was not there)."""
    subject_key, _ = clean_subject(subject_key, "")
    deleted, _ = AgendaItem.objects.filter(user=user, session_id=session_id, subject_key=subject_key).delete()
    return deleted


@dataclass(frozen=True)
class BrowserItem:
    """One item an anonymous visitor kept in the browser (localStorage)."""

    session_id: int
    subject_key: str = ""
    label: str = ""

    @property
    def key(self):
        return f"{self.session_id}|{self.subject_key}"


def parse_browser_items(raw):
    """BrowserItems from the browser's JSON ([{"session": 12, "subject": "paper:x", "label": "…"}]).

    Junk is dropped, never fatal: this comes from a visitor's storage. What cannot be read
    at all (not JSON, nested too deeply, text that is not text) is an AgendaError.
    """
    if isinstance(raw, str | bytes):
        try:
            raw = loads(raw) if raw else []
        except NestedTooDeeply:
            raise AgendaError("The agenda kept in this browser is nested too deeply to be read.") from None
        except BadInput:
            raise AgendaError("The agenda kept in this browser could not be read.") from None
    if not isinstance(raw, list):
        raise AgendaError("The agenda kept in this browser could not be read.")
    items = {}
    for entry in raw[:MAX_BROWSER_ITEMS]:
        if not isinstance(entry, dict):
            continue
        try:
            session_id = int(entry.get("session"))
        except (TypeError, ValueError):
            continue
        if session_id <= 0:
            continue
        try:
            subject_key, label = clean_subject(entry.get("subject", ""), entry.get("label", ""))
        except NotText:
            raise
        except AgendaError:
            continue
        item = BrowserItem(session_id, subject_key, label)
        items.setdefault(item.key, item)
    return list(items.values())


def merge_browser_agenda(user, items):
    """Add what an anonymous visitor kept in the browser to their account; the number added."""
    sessions = Session.objects.in_bulk([item.session_id for item in items])
    existing = set(
        AgendaItem.objects.filter(user=user, session_id__in=list(sessions)).values_list("session_id", "subject_key")
    )
    new = [
        AgendaItem(user=user, session_id=item.session_id, subject_key=item.subject_key, label=item.label)
        for item in items
        if item.session_id in sessions and (item.session_id, item.subject_key) not in existing
    ]
    AgendaItem.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def agenda_settings_for(user):
    settings, _ = AgendaSettings.objects.get_or_create(user=user)
    return settings


def regenerate_feed_token(user):
    """A new secret for the user's calendar feed; the old URL stops working at once."""
    settings = agenda_settings_for(user)
    settings.regenerate_token()
    return settings.feed_token


def agenda_rows(user, now):
    """The user's agenda as rows (kind, "<session id>", "<subject key>") for a reader that
    asks for several kinds of a person's rows in one query (portal/state.py): the kind is
    "agenda", or "agenda+notice" where the item's reminder is showing on the site (as
    schedule.reminders.active_notices reads it)."""
    notice = Q(reminded_at__isnull=False, notice_dismissed_at__isnull=True, session__end__gt=now)
    return (
        AgendaItem.objects.filter(user=user)
        .order_by()
        .annotate(
            kind=Case(When(notice, then=Value("agenda+notice")), default=Value("agenda"), output_field=CharField()),
            session_key=Cast("session_id", CharField()),
        )
        .values_list("kind", "session_key", "subject_key")
    )


def agenda_keys(user):
    """{"<session id>|<subject key>"} of the user's agenda, for marking buttons."""
    if not user.is_authenticated:
        return set()
    return {
        f"{sid}|{key}" for sid, key in AgendaItem.objects.filter(user=user).values_list("session_id", "subject_key")
    }


# --- Reading an agenda ----------------------------------------------------------------


@dataclass
class AgendaLine:
    """An agenda item as listed: its session, what in it, and what it overlaps."""

    session: Session
    subject_key: str = ""
    label: str = ""
    item_id: int | None = None
    overlaps: list = field(default_factory=list)
    subject: Subject | None = None

    @property
    def title(self):
        return (self.subject and self.subject.title) or self.label or self.session.title

    @property
    def url(self):
        return (self.subject and self.subject.url) or self.session.get_absolute_url()

    @property
    def key(self):
        return f"{self.session.pk}|{self.subject_key}"


def with_subjects(lines):
    """Each line's subject, all of them looked up at once (one query per kind of subject)."""
    found = subjects_by_key({line.subject_key for line in lines if line.subject_key})
    for line in lines:
        line.subject = found.get(line.subject_key)
    return lines


def lines_for_items(items):
    """AgendaLines for saved items (session loaded with select_related)."""
    return with_subjects([AgendaLine(i.session, i.subject_key, i.label, i.pk) for i in items])


def lines_for_browser_items(items):
    """AgendaLines for browser items, in one query and one per kind of subject; unknown
    sessions are left out."""
    sessions = Session.objects.select_related("parent").in_bulk([i.session_id for i in items])
    lines = [AgendaLine(sessions[i.session_id], i.subject_key, i.label) for i in items if i.session_id in sessions]
    with_subjects(lines)
    lines.sort(key=lambda line: (line.session.start, line.session.end, line.title))
    return lines


# --- Appointments features add (a recruiter meeting) ------------------------------------------

_sources = {}


def register_agenda_source(name, lines_for):
    """A feature's private appointments in its people's agendas (a booked recruiter meeting):
    `lines_for(user)` returns AgendaLines whose `session` is an *unsaved* Session standing
    for the appointment (never stored, so never in the programme, the feeds or the API;
    `pk` a negative number unique to it, `uid` stable) and whose `subject_key` names a
    subject with a page. The owner's agenda page and calendar feed list them."""
    _sources[name] = lines_for


def appointment_lines(user):
    """Every registered source's lines for `user` (the owner's own page and feed only)."""
    if not user.is_authenticated:
        return []
    return with_subjects([line for lines_for in _sources.values() for line in lines_for(user)])


def _related(a, b):
    """One plan, not a clash: a talk and its workshop, a keynote and its Q&A, or two
    things in the same session (two posters of one poster session)."""
    return a.pk == b.pk or a.pk == b.parent_id or b.pk == a.parent_id


def flag_overlaps(lines):
    """Mark every line with the other lines it shares time with (a sweep over start order)."""
    ordered = sorted(lines, key=lambda line: (line.session.start, line.session.end))
    active = []
    for line in ordered:
        active = [other for other in active if other.session.end > line.session.start]
        for other in active:
            if other.session.start < line.session.end and not _related(other.session, line.session):
                other.overlaps.append(line)
                line.overlaps.append(other)
        active.append(line)
    return lines


@dataclass
class AgendaDay:
    day: object
    entries: list  # [(DayEntry, AgendaLine)]


def agenda_days(lines, zone):
    """The lines grouped under the viewer's local days (an item crossing midnight under both)."""
    flag_overlaps(lines)
    if not lines:
        return []
    first = min(line.session.start for line in lines).astimezone(zone).date()
    last = max(line.session.end for line in lines).astimezone(zone).date()
    days = [first.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    by_session = {}
    for line in lines:
        by_session.setdefault(line.session.pk, []).append(line)
    sessions = list({line.session.pk: line.session for line in lines}.values())
    grouped = entries_by_day(sessions, days, zone)
    result = []
    for day in days:
        entries = [(entry, line) for entry in grouped[day] for line in by_session[entry.session.pk]]
        if entries:
            result.append(AgendaDay(day, entries))
    return result
