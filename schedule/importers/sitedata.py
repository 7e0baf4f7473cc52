"""The programme parts of a Mini-Conf `sitedata` folder (the ICLR 2020 format):
`speakers.yml` (keynotes), `workshops.yml`, `socials.yml` and `expos.yml`.

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
from schedule.importers import ImportFailed, ImportResult, html_to_text, save_if_changed, titles_match
from schedule.importers.ical import WORKSHOP_UID_PREFIX, apply_events, read_calendar
from schedule.models import Session

FILES = ("speakers.yml", "workshops.yml", "socials.yml", "expos.yml")
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
            raise ImportFailed([f"{where}: “{value}” names no weekday."])
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
        raise ImportFailed([f"{where}: “{value}” is not a time range like 14:00-15:00 GMT."])
    h1, m1, h2, m2 = (int(g) for g in match.groups()[:4])
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise ImportFailed([f"{where}: “{value}” is not a time of day."])
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=h1, minutes=m1)
    end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=h2, minutes=m2)
    if end <= start:
        end += timedelta(days=1)
    return start, end


def load(path):
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportFailed([f"{path.name}: not readable YAML ({exc})."]) from exc
    key = path.stem
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ImportFailed([f"{path.name}: expected a list under “{key}:”."])
    return data[key]


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


def import_workshops(records, sitedata, result):
    static = sitedata.parent / "static"
    for number, record in enumerate(records, start=1):
        where = f"workshops.yml: workshop {number}"
        code = text(record.get("cal"))
        if not code:
            result.notes.append(f"{where}: no “cal”, so no times; skipped.")
            continue
        uid = WORKSHOP_UID_PREFIX + code
        if not Session.objects.filter(uid=uid).exists():
            calendar = static / f"workshop_{code}.ics"
            if not calendar.is_file():
                result.notes.append(f"{where}: no calendar {calendar.name} for its times; skipped.")
                continue
            name, events = read_calendar(calendar.read_bytes(), calendar.name, Conference.get().zone)
            apply_events(events, source=calendar.name, workshop=code, calendar_name=name)
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


def import_sitedata(folder):
    """Import whichever of the four files the folder holds, all in one transaction."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportFailed([f"{folder}: no such folder."])
    present = [folder / name for name in FILES if (folder / name).is_file()]
    if not present:
        raise ImportFailed([f"{folder}: holds none of {', '.join(FILES)}."])
    days = Days(Conference.get())
    results = []
    with transaction.atomic():
        for path in present:
            records = load(path)
            result = ImportResult(source=path.name)
            if path.name == "speakers.yml":
                import_speakers(records, days, result)
            elif path.name == "workshops.yml":
                import_workshops(records, folder, result)
            elif path.name == "socials.yml":
                import_socials(records, days, result)
            else:
                import_expos(records, days, result)
            results.append(result)
    return results
