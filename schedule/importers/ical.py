"""`import_calendar FILE.ics`: sessions from an iCalendar file, keyed by UID.

Times become aware UTC instants: UTC and TZID times as they are; floating times and
all-day dates in the calendar's X-WR-TIMEZONE, else the conference's zone. A workshop's
calendar (``workshop_<code>.ics``, or `workshop=<code>`) makes its events talks inside
one workshop session ``workshop:<code>`` that spans them.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import icalendar
from django.core.exceptions import ValidationError
from django.db import transaction

from portal.models import Conference
from portal.timezones import zone_or_none
from schedule.importers import (
    ImportFailed,
    ImportResult,
    guess_kind,
    html_to_text,
    save_if_changed,
    split_location,
)
from schedule.models import Session

WORKSHOP_PREFIX = "workshop_"
WORKSHOP_UID_PREFIX = "workshop:"


@dataclass
class Event:
    """A VEVENT, checked and converted; `where` names it in messages."""

    uid: str
    title: str
    start: datetime
    end: datetime
    description: str
    location: str
    url: str
    call_link: str
    sequence: int
    cancelled: bool
    where: str


def workshop_code_for(path):
    stem = Path(path).stem
    return (
        stem[len(WORKSHOP_PREFIX) :] if stem.startswith(WORKSHOP_PREFIX) and len(stem) > len(WORKSHOP_PREFIX) else None
    )


def _instant(value, zone):
    """An aware UTC datetime from a DATE or DATE-TIME value."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=zone).astimezone(UTC)
    raise TypeError(value)


def _dt(prop):
    """The date or datetime of a property, or None when it is missing or broken."""
    try:
        value = prop.dt
    except (AttributeError, ValueError):
        return None
    return value if isinstance(value, date | timedelta) else None


def _text(component, name):
    value = component.get(name)
    return str(value).strip() if value is not None else ""


def _parse_event(component, number, source, zone):
    """(Event, problems) for one VEVENT."""
    summary = " ".join(_text(component, "SUMMARY").split())
    where = f"{source}: event {number}" + (f" “{summary[:60]}”" if summary else "")
    problems = [f"{where}: {name}: {reason}" for name, reason in getattr(component, "errors", [])]
    uid = _text(component, "UID")
    if not uid:
        problems.append(f"{where}: has no UID, so it could not be updated by a later import.")
    elif len(uid) > 255:
        problems.append(f"{where}: its UID is longer than 255 characters.")
    if not summary:
        problems.append(f"{where}: has no SUMMARY (title).")
    if component.get("RRULE") or component.get("RDATE") or component.get("RECURRENCE-ID"):
        problems.append(f"{where}: is a recurring event; expand the repetitions into separate events first.")
    dtstart, dtend, duration = component.get("DTSTART"), component.get("DTEND"), component.get("DURATION")
    start = end = None
    start_value, end_value, length = _dt(dtstart), _dt(dtend), _dt(duration)
    if not isinstance(start_value, date):
        problems.append(f"{where}: has no valid DTSTART.")
    else:
        start = _instant(start_value, zone)
        if isinstance(end_value, date):
            end = _instant(end_value, zone)
        elif isinstance(length, timedelta):
            end = start + length
        elif not isinstance(start_value, datetime):  # an all-day event lasts its day
            end = _instant(start_value + timedelta(days=1), zone)
        else:
            problems.append(f"{where}: has neither a valid DTEND nor a DURATION.")
        if end is not None and end <= start:
            problems.append(f"{where}: ends ({end:%Y-%m-%d %H:%M} UTC) before it starts ({start:%Y-%m-%d %H:%M} UTC).")
    try:
        sequence = int(str(component.get("SEQUENCE", 0) or 0))
    except ValueError:
        problems.append(f"{where}: SEQUENCE is not a number.")
        sequence = 0
    if problems:
        return None, problems
    location, url, call_link = split_location(_text(component, "LOCATION"))
    page = _text(component, "URL")
    if page and not url:
        url = split_location(page)[1]
    return (
        Event(
            uid=uid,
            title=summary[:300],
            start=start,
            end=end,
            description=html_to_text(_text(component, "DESCRIPTION")),
            location=location,
            url=url,
            call_link=call_link,
            sequence=max(sequence, 0),
            cancelled=_text(component, "STATUS").upper() == "CANCELLED",
            where=where,
        ),
        [],
    )


def read_calendar(data, source, default_zone):
    """(calendar name, [Event]) from iCalendar bytes, or ImportFailed with every problem."""
    if not data or not data.strip():
        raise ImportFailed([f"{source}: the file is empty."])
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, UnicodeDecodeError) as exc:
        # The parser's message may quote the file: a short reason, never the text.
        reason = " ".join(str(exc).split())
        reason = reason if len(reason) <= 120 else reason[:119] + "…"
        raise ImportFailed([f"{source}: not a readable iCalendar file ({reason})."]) from exc
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise ImportFailed([f"{source}: not an iCalendar file (it does not start with BEGIN:VCALENDAR)."])
    zone = zone_or_none(_text(calendar, "X-WR-TIMEZONE")) or default_zone
    events, problems, seen = [], [], {}
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        event, event_problems = _parse_event(component, number, source, zone)
        problems += event_problems
        if event is None:
            continue
        if event.uid in seen:
            problems.append(f"{event.where}: has the same UID as event {seen[event.uid]}.")
            continue
        seen[event.uid] = number
        events.append(event)
    if problems:
        raise ImportFailed(problems)
    if not events:
        raise ImportFailed([f"{source}: holds no events."])
    return _text(calendar, "X-WR-CALNAME"), events


def _matching_poster_session(event):
    """A poster session made by the poster-slot import for the same two hours, if any."""
    return (
        Session.objects.filter(kind=Session.Kind.POSTER, start=event.start, end=event.end)
        .exclude(uid=event.uid)
        .order_by("pk")
        .first()
    )


def _workshop_session(code, calendar_name, events, result):
    """The workshop session `workshop:<code>`, created or stretched to span its talks."""
    timed = [e for e in events if not e.cancelled]
    start, end = min(e.start for e in timed), max(e.end for e in timed)
    session = Session.objects.filter(uid=WORKSHOP_UID_PREFIX + code).first()
    if session is None:
        result.created += 1
        return Session.objects.create(
            uid=WORKSHOP_UID_PREFIX + code,
            kind=Session.Kind.WORKSHOP,
            title=(calendar_name or code)[:300],
            start=start,
            end=end,
        )
    save_if_changed(session, {"start": start, "end": end}, result)
    return session


def apply_events(events, *, source, kind=None, workshop=None, calendar_name=""):
    """Create or update the sessions for parsed events (inside the caller's transaction)."""
    result = ImportResult(source=source)
    parent = None
    if workshop and any(not e.cancelled for e in events):
        parent = _workshop_session(workshop, calendar_name, events, result)
    existing = Session.objects.in_bulk([e.uid for e in events], field_name="uid")
    for event in events:
        session = existing.get(event.uid)
        if event.cancelled:
            if session is not None:
                session.delete()
                result.removed += 1
            continue
        event_kind = kind or (Session.Kind.WORKSHOP_TALK if workshop else guess_kind(event.title))
        if session is None and event_kind == Session.Kind.POSTER and _matching_poster_session(event) is not None:
            # The same poster session, already made from the poster-slot CSV: one session, not two.
            result.matched += 1
            continue
        values = {"title": event.title, "start": event.start, "end": event.end}
        # Optional fields fill in but never erase: two calendars may describe the same event.
        for name in ("description", "location", "url", "call_link"):
            if getattr(event, name) or session is None:
                values[name] = getattr(event, name)
        if parent is not None:
            values["parent_id"] = parent.pk
        if session is None:
            session = Session(uid=event.uid, kind=event_kind, sequence=event.sequence, **values)
            _check(session, event)
            session.save()
            result.created += 1
            continue
        if kind:
            values["kind"] = kind  # on update, only an explicit kind overrides what organisers set
        moved = (session.start, session.end) != (event.start, event.end)
        # save() raises SEQUENCE by one for a move; the file's own SEQUENCE wins if higher.
        values["sequence"] = max(session.sequence, event.sequence - (1 if moved else 0))
        save_if_changed(session, values, result, check=lambda s, event=event: _check(s, event))
    return result


def _check(session, event):
    try:
        session.clean_fields(exclude=["uid", "parent", "sequence"])
        session.clean()
    except ValidationError as exc:
        reasons = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
        raise ImportFailed([f"{event.where}: {reasons}"]) from exc


def is_json(data):
    """A Mini-Conf calendar JSON rather than iCalendar, told by its first character."""
    head = data.lstrip()[:1] if isinstance(data, bytes | str) else ""
    return head in (b"[", b"{", "[", "{")


def import_calendar_data(data, *, source, kind=None, workshop=None, dry_run=False):
    """Import iCalendar bytes (or a Mini-Conf calendar JSON) in one transaction; an ImportResult, or ImportFailed."""
    return import_calendars([(source, data)], kind=kind, workshop=workshop, dry_run=dry_run)[0]


def import_calendars(files, *, kind=None, workshop=None, dry_run=False):
    """Import several calendars ([(file name, bytes)]: iCalendar, or Mini-Conf calendar JSON such as
    overall_calendar.json), all or nothing; a workshop code is taken from workshop_<code>.ics."""
    from schedule.importers import miniconf

    problems, parsed = [], []
    conference_zone = Conference.get().zone
    if kind and kind not in Session.Kind.values:
        raise ImportFailed([f"Unknown kind “{kind}”; one of: {', '.join(Session.Kind.values)}."])
    for source, data in files:
        try:
            if is_json(data):
                parsed.append((source, None, miniconf.read_calendar_json(data, source)))
            else:
                parsed.append((source, *read_calendar(data, source, conference_zone)))
        except ImportFailed as exc:
            problems += exc.problems
    if problems:
        raise ImportFailed(problems)
    results = []
    with transaction.atomic():
        for source, name, events in parsed:
            if name is None:  # calendar JSON: (events, kinds, parents)
                events, kinds, parents = events
                if kind:
                    kinds = dict.fromkeys(kinds, kind)
                results.append(miniconf.apply_calendar_json(events, kinds, parents, source))
            else:
                results.append(
                    apply_events(
                        events,
                        source=source,
                        kind=kind,
                        workshop=workshop or workshop_code_for(source),
                        calendar_name=name,
                    )
                )
        if dry_run:
            transaction.set_rollback(True)
    return results


def import_calendar_files(paths, *, kind=None, workshop=None, dry_run=False):
    """Import several files, all or nothing; a workshop code is taken from workshop_<code>.ics."""
    missing = [f"{path}: no such file." for path in map(Path, paths) if not path.is_file()]
    if missing:
        raise ImportFailed(missing)
    files = [(Path(path).name, Path(path).read_bytes()) for path in paths]
    return import_calendars(files, kind=kind, workshop=workshop, dry_run=dry_run)
