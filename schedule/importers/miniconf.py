"""The Mini-Conf programme files that later conferences shipped (EMNLP 2020, ACL 2020, NAACL 2021, …),
whose layouts differ from ICLR 2020's (`sitedata.py`):

- calendar JSON (`overall_calendar.json`, `main_calendar.json` and the per-kind files): a list of
  events `{title, start, end, location, link, type, view, calendarId}` with ISO 8601 times;
- `workshops.yml` and `tutorials.yml`: a list of `{UID, title, organizers, abstract, website,
  sessions: [{name, start_time, end_time, hosts}], zoom_links}`;
- `socials.yml`: a list of `{UID, name, description, organizers: {members}, website, location,
  sessions: [{name, start_time, end_time}]}`.

(`paper_sessions.yml` holds poster slots: posters/importers.py reads it.) Times carry their offset.
A workshop or tutorial becomes one session spanning its parts, which become sessions inside it.
"""

import hashlib
import json
from datetime import UTC, date, datetime

from django.utils.text import slugify

from schedule.importers import ImportFailed, ImportResult, guess_kind, html_to_text, save_if_changed, titles_match
from schedule.importers.ical import Event, _check, apply_events
from schedule.models import Session

CALENDAR_EXPECTED = (
    "expected a Mini-Conf calendar: a JSON list of events with title, start and end (ISO 8601 with an offset)"
)
LIST_EXPECTED = {
    "workshops.yml": "a list of workshops with UID, title and sessions (start_time, end_time, name)",
    "tutorials.yml": "a list of tutorials with UID, title and sessions (start_time, end_time, name)",
    "socials.yml": "a list of socials with UID, name and sessions (start_time, end_time, name)",
}
# A calendar event's `type` (Mini-Conf's legend) and the kind of session it is.
TYPE_KINDS = {
    "workshops": Session.Kind.WORKSHOP,
    "tutorials": Session.Kind.WORKSHOP,
    "socials": Session.Kind.SOCIAL,
    "qa sessions": Session.Kind.POSTER,
    "paper sessions": Session.Kind.POSTER,
    "poster sessions": Session.Kind.POSTER,
    "sponsors": Session.Kind.SPONSOR,
    "expo": Session.Kind.SPONSOR,
}
TUTORIAL_UID_PREFIX = "tutorial:"
MINICONF_WORKSHOP_PREFIX = "workshop:"


def short(value, length=60):
    text = " ".join(str(value).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def instant(value, what, where):
    """An aware UTC datetime from a YAML timestamp or an ISO 8601 string; naive ones are UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ImportFailed([f"{where}: {what} “{short(value, 40)}” is not an ISO 8601 date and time."]) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if not isinstance(value, datetime):
        raise ImportFailed([f"{where}: {what} is missing or not a date and time."])
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _link(value):
    value = " ".join(str(value or "").split())
    return value[:500] if value.startswith(("http://", "https://")) else ""


# --- Calendar JSON -----------------------------------------------------------------------------


def _event_uid(source_kind, title, start):
    """A stable UID for an event that has none: its type, title and start."""
    digest = hashlib.sha1(f"{source_kind}|{title}|{start.isoformat()}".encode(), usedforsecurity=False).hexdigest()
    return f"miniconf:{slugify(title)[:80] or 'event'}:{digest[:12]}"


def read_calendar_json(data, source):
    """([Event], {uid: week-block uid}) from a Mini-Conf calendar JSON, or ImportFailed.

    Week-view blocks (`"view": "week"`, e.g. "Plenary Session" 14:00–16:00) hold the day-view
    events of the same type inside them; those become sessions inside the block.
    """
    try:
        items = json.loads(data.decode("utf-8-sig") if isinstance(data, bytes) else data)
    except UnicodeDecodeError as exc:
        raise ImportFailed([f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})."]) from None
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON ({exc.msg} at line {exc.lineno})"
        raise ImportFailed([f"{source}: {reason}; {CALENDAR_EXPECTED}."]) from None
    if isinstance(items, dict) and isinstance(items.get("events"), list):
        items = items["events"]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ImportFailed([f"{source}: {CALENDAR_EXPECTED}."])
    events, problems, kinds, types, weeks = [], [], {}, {}, []
    for number, item in enumerate(items, start=1):
        title = " ".join(str(item.get("title") or "").split())
        where = f"{source}: event {number}" + (f" “{short(title)}”" if title else "")
        if not title:
            problems.append(f"{where}: has no title.")
            continue
        try:
            start = instant(item.get("start"), "start", where)
            end = instant(item.get("end"), "end", where)
        except ImportFailed as exc:
            problems += exc.problems
            continue
        if end <= start:
            problems.append(f"{where}: ends ({end:%Y-%m-%d %H:%M} UTC) before it starts ({start:%Y-%m-%d %H:%M} UTC).")
            continue
        event_type = " ".join(str(item.get("type") or "").split())
        calendar_id = str(item.get("calendarId") or "")
        kind = TYPE_KINDS.get(event_type.casefold())
        if calendar_id == "qa":
            kind = Session.Kind.KEYNOTE_QA
        if kind is None or (kind == Session.Kind.POSTER and guess_kind(title) != Session.Kind.OTHER):
            kind = guess_kind(title) if guess_kind(title) != Session.Kind.OTHER else (kind or Session.Kind.OTHER)
        link = _link(item.get("link")) or _link(item.get("location"))
        location = str(item.get("location") or "")
        location = "" if "/" in location or location.endswith(".html") or location == link else short(location, 300)
        uid = _event_uid(event_type or calendar_id, title, start)
        event = Event(
            uid=uid,
            title=title[:300],
            start=start,
            end=end,
            description="",
            location=location,
            url=link,
            call_link="",
            sequence=0,
            cancelled=False,
            where=where,
        )
        if any(e.uid == uid for e in events):
            continue  # the same event listed twice
        events.append(event)
        kinds[uid], types[uid] = kind, event_type
        if str(item.get("view") or "") == "week":
            weeks.append(event)
    if problems:
        raise ImportFailed(problems)
    if not events:
        raise ImportFailed([f"{source}: holds no events."])
    week_uids = {block.uid for block in weeks}
    parents = {}
    for block in weeks:
        for event in events:
            inside = block.start <= event.start and event.end <= block.end
            if event.uid not in week_uids and types[event.uid] == types[block.uid] and inside:
                parents.setdefault(event.uid, block.uid)
    return events, kinds, parents


def apply_calendar_json(events, kinds, parents, source):
    """Create or update the sessions of a calendar JSON (inside the caller's transaction)."""
    result = ImportResult(source=source)
    for kind in dict.fromkeys(kinds.values()):
        part = apply_events([e for e in events if kinds[e.uid] == kind], source=source, kind=kind)
        _add(result, part)
    if parents:
        ids = dict(Session.objects.filter(uid__in=[*parents, *parents.values()]).values_list("uid", "id"))
        for uid, parent_uid in parents.items():
            if uid in ids and parent_uid in ids:
                Session.objects.filter(uid=uid).exclude(parent_id=ids[parent_uid]).update(parent_id=ids[parent_uid])
    return result


def _add(total, part):
    for name in ("created", "updated", "unchanged", "matched", "removed"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.notes += part.notes


# --- workshops.yml, tutorials.yml, socials.yml (lists with sessions) ----------------------------


def check_list_layout(records, filename):
    """The records of a Mini-Conf list layout, or ImportFailed saying what was expected."""
    expected = LIST_EXPECTED[filename]
    if not all(isinstance(r, dict) for r in records):
        raise ImportFailed([f"{filename}: expected {expected}."])
    return records


def _upsert(uid, values, result, where, match_title=None):
    """Update the session with this uid, or the same event a calendar import made (same start,
    matching title: completed, not duplicated), or create it."""
    session = Session.objects.filter(uid=uid).first()
    if session is None and match_title:
        same_start = Session.objects.filter(start=values["start"], kind=values["kind"]).order_by("pk")
        session = next((s for s in same_start if titles_match(s.title, match_title)), None)
        if session is not None:
            result.matched += 1
            # The calendar's title and links stay; what it lacked is filled in.
            values = {k: v for k, v in values.items() if k == "kind" or not getattr(session, k)}
    if session is None:
        session = Session(uid=uid, **values)
        _check_values(session, where)
        session.save()
        result.created += 1
        return session
    save_if_changed(session, values, result, check=lambda s: _check_values(s, where))
    return session


def _check_values(session, where):
    _check(session, _Where(where))


class _Where:
    def __init__(self, where):
        self.where = where


def _parts(record, where):
    """[(name, start, end, hosts)] of a record's sessions."""
    sessions = record.get("sessions") or []
    if not isinstance(sessions, list) or not all(isinstance(s, dict) for s in sessions):
        raise ImportFailed([f"{where}: sessions is not a list of {{name, start_time, end_time}}."])
    parts = []
    for number, part in enumerate(sessions, start=1):
        at = f"{where}, session {number}"
        start = instant(part.get("start_time"), "start_time", at)
        end = instant(part.get("end_time"), "end_time", at)
        if end <= start:
            raise ImportFailed(
                [f"{at}: ends ({end:%Y-%m-%d %H:%M} UTC) before it starts ({start:%Y-%m-%d %H:%M} UTC)."]
            )
        name = " ".join(str(part.get("name") or "").split())
        parts.append((name, start, end, " ".join(str(part.get("hosts") or "").split())))
    return parts


def _organisers(value):
    if isinstance(value, dict):
        value = value.get("members") or []
    if isinstance(value, list):
        value = ", ".join(" ".join(str(v).split()) for v in value if v)
    return " ".join(str(value or "").split())


def import_blocks(records, filename, result, *, prefix, title_prefix=""):
    """Workshops or tutorials: one session spanning each record's parts, its parts inside it."""
    for number, record in enumerate(check_list_layout(records, filename), start=1):
        code = " ".join(str(record.get("UID") or record.get("id") or "").split())
        title = " ".join(str(record.get("title") or record.get("name") or "").split())
        where = f"{filename}: {short(title) or f'entry {number}'}"
        if not code:
            raise ImportFailed([f"{where}: has no UID, so it could not be updated by a later import."])
        parts = _parts(record, where)
        if not parts:
            result.notes.append(f"{where}: no sessions, so no times; skipped.")
            continue
        description = "\n\n".join(
            p
            for p in (
                html_to_text(record.get("abstract") or record.get("description")),
                f"Organisers: {_organisers(record.get('organizers'))}" if record.get("organizers") else "",
            )
            if p
        )
        links = record.get("zoom_links") or []
        block = _upsert(
            f"{prefix}{code}"[:255],
            {
                "kind": Session.Kind.WORKSHOP,
                "title": f"{title_prefix}{title}"[:300] or code,
                "description": description,
                "start": min(p[1] for p in parts),
                "end": max(p[2] for p in parts),
                "url": _link(record.get("website")),
                "call_link": _link(links[0]) if isinstance(links, list) and links else "",
            },
            result,
            where,
        )
        for index, (name, start, end, hosts) in enumerate(parts, start=1):
            _upsert(
                f"{prefix}{code}:{index}"[:255],
                {
                    "kind": Session.Kind.WORKSHOP_TALK,
                    "title": (name or f"{title} ({index})")[:300],
                    "description": f"Hosts: {hosts}" if hosts and hosts.upper() != "TBD" else "",
                    "start": start,
                    "end": end,
                    "parent_id": block.pk,
                },
                result,
                f"{where}, session {index}",
            )


def import_miniconf_workshops(records, result):
    import_blocks(records, "workshops.yml", result, prefix=MINICONF_WORKSHOP_PREFIX)


def import_miniconf_tutorials(records, result):
    import_blocks(records, "tutorials.yml", result, prefix=TUTORIAL_UID_PREFIX, title_prefix="Tutorial: ")


def import_miniconf_socials(records, result):
    for number, record in enumerate(check_list_layout(records, "socials.yml"), start=1):
        name = " ".join(str(record.get("name") or record.get("title") or "").split())
        code = " ".join(str(record.get("UID") or record.get("id") or "").split())
        where = f"socials.yml: {short(name) or f'entry {number}'}"
        if not code and not name:
            raise ImportFailed([f"{where}: has neither a UID nor a name."])
        parts = _parts(record, where)
        if not parts:
            result.notes.append(f"{where}: no sessions, so no times; skipped.")
            continue
        description = "\n\n".join(
            p
            for p in (
                html_to_text(record.get("description")),
                f"Organisers: {_organisers(record.get('organizers'))}" if record.get("organizers") else "",
                f"Where: {short(record.get('location'), 100)}" if record.get("location") else "",
            )
            if p
        )
        identifier = slugify(code or name)[:60] or str(number)
        for index, (part_name, start, end, _hosts) in enumerate(parts, start=1):
            title = name if len(parts) == 1 or not part_name else f"{name} ({part_name})"
            _upsert(
                f"social:{identifier}:{index}",
                {
                    "kind": Session.Kind.SOCIAL,
                    "title": title[:300],
                    "description": description,
                    "start": start,
                    "end": end,
                    "url": _link(record.get("website")),
                },
                result,
                f"{where}, session {index}",
                match_title=name,
            )
