"""The programme parts of a Mini-Conf `sitedata` folder: `speakers.yml` (keynotes),
`workshops.yml`, `socials.yml`, `expos.yml` and `tutorials.yml`.

Two layouts are read, told apart by the file's shape: ICLR 2020's (a list under the file's
own key, `workshops:`), described here, and the one later Mini-Conf conferences shipped (a
list at the top, each entry with `sessions` that carry their own times: `miniconf.py`).

Days are weekday names ("Tuesday", "Thurs", "Wednesday/Thursday": the last one named
is the UTC day) resolved within the conference's dates; times are "HH:MM-HH:MM GMT".
An event the iCalendar import already made (same start, same title) is completed, not
duplicated; the keynotes' live Q&A sessions become children of their keynote.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from portal.models import Conference
from schedule.importers import ImportFailed, ImportResult, html_to_text, miniconf, save_if_changed, titles_match
from schedule.importers.ical import WORKSHOP_UID_PREFIX, apply_events, read_calendar
from schedule.models import Session

FILES = ("speakers.yml", "workshops.yml", "socials.yml", "expos.yml", "tutorials.yml")
ICLR_EXPECTED = {
    "speakers.yml": "a list of speakers under “speakers:” (speaker, title, day, time)",
    "workshops.yml": "a list of workshops under “workshops:” (name, cal) or, as later Mini-Conf sites, a list of "
    "workshops with UID, title and sessions",
    "socials.yml": "a list of socials under “socials:” (name, day, times) or, as later Mini-Conf sites, a list of "
    "socials with UID, name and sessions",
    "expos.yml": "a list of sponsor talks under “expos:” (name, title, day, time)",
    "tutorials.yml": "a list of tutorials with UID, title and sessions (start_time, end_time, name)",
}
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*(GMT|UTC|Z)?\s*$", re.IGNORECASE)
HONORIFIC = re.compile(r"^(?:(?:Drs?|Profs?|Mr|Ms|Mrs)\.?\s+)+", re.IGNORECASE)


class Days:
    """Weekday names → dates within the conference."""

    def __init__(self, conference):
        self.conference = conference
        self.by_weekday = {}
        day = conference.start_date
        while day <= conference.end_date:
            self.by_weekday.setdefault(day.weekday(), day)
            day += timedelta(days=1)

    def resolve(self, value, where):
        names = re.findall(r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*", str(value or "").lower())
        if not names:
            raise ImportFailed([f"{where}: “{str(value)[:40]}” names no weekday."])
        weekday = WEEKDAYS[names[-1]]
        if weekday not in self.by_weekday:
            c = self.conference
            dates = f"{c.start_date} – {c.end_date}"
            raise ImportFailed([f"{where}: “{value}” is not a day of the conference ({dates}); set its dates first."])
        return self.by_weekday[weekday]


def time_range(day, value, where):
    """(start, end) aware UTC for 'HH:MM-HH:MM GMT' on a day; an end before the start is the next day."""
    match = TIME_RANGE.match(str(value or ""))
    if not match:
        raise ImportFailed([f"{where}: “{str(value)[:40]}” is not a time range like 14:00-15:00 GMT."])
    h1, m1, h2, m2 = (int(g) for g in match.groups()[:4])
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise ImportFailed([f"{where}: “{value}” is not a time of day."])
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=h1, minutes=m1)
    end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=h2, minutes=m2)
    if end <= start:
        end += timedelta(days=1)
    return start, end


def load_layout(data, name):
    """(layout, records) of a sitedata file: "iclr" (a list under the file's own key) or
    "miniconf" (a list at the top). A file that is neither gets a one-line message naming
    it and what was expected, never its text."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise ImportFailed([f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})."]) from None
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        reason = f"not readable YAML ({getattr(exc, 'problem', None) or 'not YAML'}{at})"
        raise ImportFailed([f"{name}: {reason}; expected {ICLR_EXPECTED[name]}."]) from None
    key = Path(name).stem
    if isinstance(parsed, dict) and isinstance(parsed.get(key), list) and name != "tutorials.yml":
        return "iclr", parsed[key]
    if isinstance(parsed, list) and all(isinstance(r, dict) for r in parsed):
        if name in ("workshops.yml", "socials.yml", "tutorials.yml"):
            return "miniconf", parsed
        return "iclr", parsed
    raise ImportFailed([f"{name}: expected {ICLR_EXPECTED[name]}."])


def load(path):
    """The records of an ICLR-layout sitedata file (kept for callers that read one file)."""
    return load_layout(Path(path).read_bytes(), Path(path).name)[1]


def text(value):
    return " ".join(str(value or "").split())


def link(value):
    value = text(value)
    return value[:500] if value.startswith(("http://", "https://")) else ""


def _find_same_event(start, title):
    candidates = Session.objects.filter(start=start)
    return next((s for s in candidates.order_by("pk") if titles_match(s.title, title)), None)


def _check(where):
    def check(session):
        try:
            session.clean_fields(exclude=["uid", "parent", "sequence"])
            session.clean()
        except ValidationError as exc:
            reasons = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
            raise ImportFailed([f"{where}: {reasons}"]) from exc

    return check


def _upsert(uid, values, result, where, match_title=None):
    """Update the session with this uid, or the same event made by the calendar import, or create it."""
    session = Session.objects.filter(uid=uid).first()
    if session is None and match_title:
        session = _find_same_event(values["start"], match_title)
    if session is None:
        session = Session(uid=uid, **values)
        _check(where)(session)
        session.save()
        result.created += 1
        return session
    if session.uid != uid:
        # Made from a calendar file: keep what the calendar said, fill in what it lacked.
        values = {k: v for k, v in values.items() if k in ("kind",) or not getattr(session, k)}
        result.matched += 1
    save_if_changed(session, values, result, check=_check(where))
    return session


# Features that keep something of their own per speaker (keynotes: its Keynote) register a
# hook from their AppConfig.ready(); each is called with (record, keynote session, where,
# result) inside the import's transaction, and may raise ImportFailed.
_speaker_hooks = []


def register_speaker_hook(hook):
    if hook not in _speaker_hooks:
        _speaker_hooks.append(hook)


def import_speakers(records, days, result):
    for number, record in enumerate(records, start=1):
        where = f"speakers.yml: speaker {number}"
        name = HONORIFIC.sub("", text(record.get("speaker")))
        start, end = time_range(days.resolve(record.get("day"), where), record.get("time"), where)
        description = "\n\n".join(
            part
            for part in (
                text(record.get("speaker"))
                + (f", {text(record.get('institution'))}" if record.get("institution") else ""),
                html_to_text(record.get("abstract")),
                html_to_text(record.get("bio")),
            )
            if part
        )
        keynote = _upsert(
            f"keynote:{text(record.get('id')) or number}",
            {
                "kind": Session.Kind.KEYNOTE,
                "title": f"{name}: {text(record.get('title'))}"[:300],
                "description": description,
                "start": start,
                "end": end,
            },
            result,
            where,
        )
        # The live Q&A at the keynote's time belongs to it.
        for qa in Session.objects.filter(kind=Session.Kind.KEYNOTE_QA, start=start, parent__isnull=True):
            values = {"parent_id": keynote.pk}
            if not qa.call_link and link(record.get("zoom")):
                values["call_link"] = link(record.get("zoom"))
            save_if_changed(qa, values, result)
        for hook in _speaker_hooks:
            hook(record, keynote, where, result)


def import_workshops(records, calendars, result):
    """ICLR's workshops; a workshop's times come from its calendar `workshop_<cal>.ics` in
    `calendars` ({file name: bytes}: the folder's ../static, or uploaded beside it)."""
    for number, record in enumerate(records, start=1):
        where = f"workshops.yml: workshop {number}"
        code = text(record.get("cal"))
        if not code:
            result.notes.append(f"{where}: no “cal”, so no times; skipped.")
            continue
        uid = WORKSHOP_UID_PREFIX + code
        if not Session.objects.filter(uid=uid).exists():
            calendar = f"workshop_{code}.ics"
            if calendar not in calendars:
                result.notes.append(f"{where}: no calendar {calendar} for its times; skipped.")
                continue
            name, events = read_calendar(calendars[calendar], calendar, Conference.get().zone)
            apply_events(events, source=calendar, workshop=code, calendar_name=name)
        session = Session.objects.get(uid=uid)
        parts = [text(record.get("short")), html_to_text(record.get("description"))]
        if record.get("organizers"):
            parts.append(f"Organisers: {text(record.get('organizers'))}")
        values = {
            "title": (text(record.get("name")) or session.title)[:300],
            "description": "\n\n".join(p for p in parts if p),
            "url": link(record.get("website")) or session.url,
            "call_link": link(record.get("zoom_live")) or session.call_link,
        }
        save_if_changed(session, values, result)


def import_socials(records, days, result):
    for number, record in enumerate(records, start=1):
        where = f"socials.yml: social {number}"
        title = text(record.get("name"))[:300]
        day_names = record.get("day") or []
        times = record.get("times") or []
        links = record.get("links") or []
        identifier = slugify(text(record.get("id")) or title)[:60] or str(number)
        for occurrence, (day_name, times_value) in enumerate(zip(day_names, times, strict=False), start=1):
            if not TIME_RANGE.match(str(times_value or "")):
                result.notes.append(f"{where}: “{times_value}” on {day_name} is not a time range; left out.")
                continue
            start, end = time_range(days.resolve(day_name, where), times_value, where)
            parts = [html_to_text(record.get("description"))]
            if record.get("organizers"):
                parts.append(f"Organisers: {text(record.get('organizers'))}")
            _upsert(
                f"social:{identifier}:{occurrence}",
                {
                    "kind": Session.Kind.SOCIAL,
                    "title": title,
                    "description": "\n\n".join(p for p in parts if p),
                    "start": start,
                    "end": end,
                    "url": link(record.get("website")),
                    "call_link": link(links[occurrence - 1]) if occurrence <= len(links) else "",
                },
                result,
                where,
                match_title=title,
            )


def import_expos(records, days, result):
    for number, record in enumerate(records, start=1):
        where = f"expos.yml: expo {number}"
        sponsor, talk = text(record.get("name")), text(record.get("title"))
        start, end = time_range(days.resolve(record.get("day"), where), record.get("time"), where)
        _upsert(
            f"expo:{slugify(sponsor)[:60] or number}",
            {
                "kind": Session.Kind.SPONSOR,
                "title": f"{sponsor}: {talk}"[:300] if talk else sponsor,
                "description": f"Speaker: {text(record.get('speaker'))}" if record.get("speaker") else "",
                "start": start,
                "end": end,
                "call_link": link(record.get("zoom")),
            },
            result,
            where,
            match_title=talk or sponsor,
        )


def import_sitedata_files(files, calendars=None, *, dry_run=False):
    """Import sitedata files ({file name: bytes}, any of FILES), all in one transaction.

    `calendars` are the ICLR workshops' `workshop_<cal>.ics` files ({name: bytes}). With
    `dry_run` everything is checked and counted, then rolled back."""
    unknown = [name for name in files if name not in FILES]
    if unknown:
        raise ImportFailed([f"{name}: not a sitedata file this import reads ({', '.join(FILES)})." for name in unknown])
    if not files:
        raise ImportFailed([f"No sitedata files: expected any of {', '.join(FILES)}."])
    layouts = {name: load_layout(files[name], name) for name in FILES if name in files}
    days = Days(Conference.get())
    results = []
    with transaction.atomic():
        for name, (layout, records) in layouts.items():
            result = ImportResult(source=name)
            if layout == "miniconf":
                {
                    "workshops.yml": miniconf.import_miniconf_workshops,
                    "socials.yml": miniconf.import_miniconf_socials,
                    "tutorials.yml": miniconf.import_miniconf_tutorials,
                }[name](records, result)
            elif name == "speakers.yml":
                import_speakers(records, days, result)
            elif name == "workshops.yml":
                import_workshops(records, calendars or {}, result)
            elif name == "socials.yml":
                import_socials(records, days, result)
            else:
                import_expos(records, days, result)
            results.append(result)
        if dry_run:
            transaction.set_rollback(True)
    return results


def import_sitedata(folder, *, dry_run=False):
    """Import whichever of FILES the folder holds (ICLR's workshop calendars from ../static), in one transaction."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportFailed([f"{folder}: no such folder."])
    files = {name: (folder / name).read_bytes() for name in FILES if (folder / name).is_file()}
    if not files:
        raise ImportFailed([f"{folder}: holds none of {', '.join(FILES)}."])
    static = folder.parent / "static"
    calendars = {path.name: path.read_bytes() for path in static.glob("workshop_*.ics")} if static.is_dir() else {}
    return import_sitedata_files(files, calendars, dry_run=dry_run)
