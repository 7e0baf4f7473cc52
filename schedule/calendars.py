"""iCalendar (RFC 5545) for the programme, one session, a paper's sessions and my agenda.

Every event has a stable UID, DTSTAMP (when the session last changed), SEQUENCE (raised
whenever the session moves), times in UTC, and a URL to the portal page. Call links
never go into a calendar: not the session's own, and none left in a description.

Other apps build their calendars through `calendar_for_sessions` (or `calendar_response`
for a ready HTTP response), e.g. the paper page:

    calendar_response([slot.session for slot in slots], request=request,
                      name=f"{paper.title}", filename=f"{paper.uid}.ics",
                      subject_key=f"paper:{paper.uid}", summary=f"Poster: {paper.title}",
                      page_url=request.build_absolute_uri(paper_url))
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse

from portal.timezones import zone_abbreviation, zone_or_none
from schedule.call_links import call_links_in, without_call_links
from schedule.days import same_day
from schedule.models import Session

PRODID = "-//Conference portal//Schedule//EN"
DESCRIPTION_LIMIT = 2000
# The whole programme carries a shorter description; the full text is on each event's page.
PROGRAMME_DESCRIPTION_LIMIT = 400
EVENT_CACHE_SECONDS = 24 * 3600
# What an event needs of a session (with select_related("parent")): feeds load no more.
FEED_FIELDS = (
    "uid", "kind", "title", "description", "start", "end", "location", "sequence", "updated_at", "parent",
    "parent__title",
)  # fmt: skip
# Looked up directly: get_kind_display() costs more than the rest of an event's text.
KIND_LABELS = dict(Session.Kind.choices)


def uid_domain():
    """The portal's host: made-up UIDs (workshop:NAS) become globally unique (RFC 5545 3.8.4.7)."""
    return urlsplit(getattr(settings, "PORTAL_BASE_URL", "")).hostname or "conference-portal"


@dataclass(frozen=True)
class CalendarEntry:
    """One event to publish: a session, or a subject inside it (a paper's poster)."""

    session: object
    subject_key: str = ""
    label: str = ""
    summary: str = ""
    page_url: str = ""

    @property
    def uid(self):
        # The session's own UID for the session; a derived, equally stable one for a subject.
        uid = self.session.uid if "@" in self.session.uid else f"{self.session.uid}@{uid_domain()}"
        return f"{self.subject_key}/{uid}" if self.subject_key else uid

    @property
    def title(self):
        if self.summary:
            return self.summary
        if self.label:
            return f"{self.label} · {self.session.title}"
        return self.session.title


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_and_time(moment):
    # Spelled out here (not Django's date filter): feeds format hundreds of these at once.
    return f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def local_range_text(session, zone):
    """'Mon 27 Apr 2020, 10:30–12:30 IST (Asia/Kolkata)' for descriptions and e-mails."""
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    end_text = f"{end:%H:%M}" if same_day(start, end) else _day_and_time(end)
    return f"{_day_and_time(start)}–{end_text} {zone_abbreviation(zone, session.start)} ({zone.key})"


def _description(entry, zone, conference_zone, limit=DESCRIPTION_LIMIT):
    session = entry.session
    lines = [f"{KIND_LABELS.get(session.kind, session.kind)} · {local_range_text(session, zone)}"]
    if conference_zone and conference_zone.key != zone.key:
        lines.append(f"Conference time: {local_range_text(session, conference_zone)}")
    if entry.subject_key and entry.label:
        lines.append(f"In {session.title}")
    parent = parent_title(session)
    if parent:
        lines.append(f"Part of {parent}")
    text = without_call_links(session.description)
    if text:
        if len(text) > limit:
            text = text[: limit - 1].rstrip() + "…"
        lines += ["", text]
    if entry.page_url:
        lines += ["", entry.page_url]
    return "\n".join(lines)


def parent_title(session):
    """The parent's title when it was loaded with the session (select_related), else ''."""
    if session.parent_id and Session.parent.is_cached(session):
        return session.parent.title
    return ""


def event_component(entry, zone, conference_zone, limit=DESCRIPTION_LIMIT):
    """The entry as an icalendar Event: the reference for `vevent_bytes`, for code that composes components."""
    event = icalendar.Event()
    for name, value in _properties(entry, zone, conference_zone, limit):
        event.add(name, value)
    return event


def _properties(entry, zone, conference_zone, limit):
    """(name, value) of every property of the entry's VEVENT, in icalendar's canonical order."""
    session = entry.session
    properties = [
        ("summary", entry.title),
        ("dtstart", session.start.astimezone(UTC)),
        ("dtend", session.end.astimezone(UTC)),
        ("dtstamp", session.updated_at.astimezone(UTC)),
        ("uid", entry.uid),
        ("sequence", session.sequence),
        ("categories", [KIND_LABELS.get(session.kind, session.kind)]),
        ("description", _description(entry, zone, conference_zone, limit)),
    ]
    if session.location and not call_links_in(session.location):
        properties.append(("location", session.location))
    properties += [("status", "CONFIRMED"), ("transp", "OPAQUE")]
    if entry.page_url:
        properties.append(("url", entry.page_url))
    return properties


def escape_text(text):
    """RFC 5545 TEXT escaping, as icalendar's vText does it (line endings become \n)."""
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


# Each property's value as icalendar writes it; TEXT for the rest. Times are in UTC (…Z).
_ENCODERS = {
    "dtstart": "{:%Y%m%dT%H%M%SZ}".format,
    "dtend": "{:%Y%m%dT%H%M%SZ}".format,
    "dtstamp": "{:%Y%m%dT%H%M%SZ}".format,
    "sequence": str,
    "categories": lambda names: ",".join(map(escape_text, names)),
    "url": str,
}
_FOLD_OCTETS = 74  # icalendar folds before a line would reach 75 octets


def fold(line):
    """A content line as bytes, folded as icalendar folds it (RFC 5545 3.1), without its per-character loop."""
    data = line.encode()
    if len(data) <= _FOLD_OCTETS:
        return data
    chunks, start = [], 0
    while len(data) - start > _FOLD_OCTETS:
        end = start + _FOLD_OCTETS
        while data[end] & 0xC0 == 0x80:  # never split a UTF-8 character
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:  # nor an escape (icalendar issue #1501)
            end -= 1
        chunks.append(data[start:end])
        start = end
    chunks.append(data[start:])
    return b"\r\n ".join(chunks)


def vevent_bytes(entry, zone, conference_zone, limit=DESCRIPTION_LIMIT):
    """The entry's VEVENT: byte for byte what `event_component(...).to_ical()` gives, several times faster.

    The same properties, encoded the way icalendar's property types encode them, without
    the Component machinery (a parameters object per value, content-line objects, a
    character-at-a-time fold); tests hold the two equal.
    """
    lines = [b"BEGIN:VEVENT"]
    for name, value in _properties(entry, zone, conference_zone, limit):
        encoded = _ENCODERS.get(name, escape_text)(value)
        lines.append(fold(f"{name.upper()}:{encoded}"))
    lines.append(b"END:VEVENT\r\n")
    return b"\r\n".join(lines)


def _event_cache_key(entry, zone, conference_zone, limit):
    session = entry.session
    parts = "\x1f".join(
        [
            entry.uid,
            entry.title,
            entry.page_url,
            entry.label,
            zone.key,
            conference_zone.key if conference_zone else "",
            parent_title(session),
            str(limit),
        ]
    )
    digest = hashlib.blake2s(parts.encode(), digest_size=12).hexdigest()
    # Any change to the session (and every move, which raises SEQUENCE) gives a new key.
    return f"schedule:vevent:{session.pk}:{session.sequence}:{session.updated_at.timestamp()}:{digest}"


def _header(name, zone, refresh_hours):
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    if refresh_hours:
        calendar.add("refresh-interval", timedelta(hours=refresh_hours), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", f"PT{refresh_hours}H")
    head, _, tail = calendar.to_ical().partition(b"END:VCALENDAR")
    return head, b"END:VCALENDAR" + tail


def render_calendar(
    entries, *, name, zone, conference_zone=None, refresh_hours=None, description_limit=DESCRIPTION_LIMIT
):
    """The bytes of a VCALENDAR holding one VEVENT per entry.

    Each VEVENT is built by the icalendar package and kept in the cache under its
    session's last change, so a feed of 50 items costs one cache round trip, not 50
    serialisations.
    """
    entries = list(entries)
    keys = [_event_cache_key(entry, zone, conference_zone, description_limit) for entry in entries]
    cached = cache.get_many(keys) if keys else {}
    missing = {}
    blocks = []
    for entry, key in zip(entries, keys, strict=True):
        block = cached.get(key)
        if block is None:
            block = vevent_bytes(entry, zone, conference_zone, description_limit)
            missing[key] = block
        blocks.append(block)
    if missing:
        cache.set_many(missing, EVENT_CACHE_SECONDS)
    head, tail = _header(name, zone, refresh_hours)
    return head + b"".join(blocks) + tail


def absolute(request_or_base, path):
    if hasattr(request_or_base, "build_absolute_uri"):
        return request_or_base.build_absolute_uri(path)
    return f"{request_or_base.rstrip('/')}{path}"


def session_page_urls(base):
    """A function giving the absolute URL of a session's page by its pk: one reverse() for a whole feed."""
    marker = "2147483647"
    before, _, after = absolute(base, reverse("schedule:session_detail", args=[int(marker)])).rpartition(marker)
    return lambda pk: f"{before}{pk}{after}"


def entries_for_sessions(sessions, *, base, subject_key="", label="", summary="", page_url=""):
    """CalendarEntries for sessions, each linking to its portal page unless page_url says otherwise."""
    url_of = session_page_urls(base)
    return [
        CalendarEntry(
            session,
            subject_key=subject_key,
            label=label,
            summary=summary,
            page_url=page_url or url_of(session.pk),
        )
        for session in sessions
    ]


def calendar_for_sessions(
    sessions,
    *,
    request=None,
    base_url="",
    name="Conference programme",
    zone_name=None,
    subject_key="",
    label="",
    summary="",
    page_url="",
    conference=None,
    description_limit=DESCRIPTION_LIMIT,
):
    """VCALENDAR bytes for sessions (public: no call links), times in UTC.

    `zone_name` (default: the viewer's zone from the request, else the conference's)
    names the zone in which descriptions spell the local time. With `subject_key`
    (e.g. ``paper:<uid>``) each event is that subject inside the session, with a UID of
    its own, and `summary`/`page_url` say what it is and where it lives.
    """
    from portal.models import Conference

    conference_zone = (conference or Conference.get()).zone
    zone = zone_or_none(zone_name) or getattr(request, "viewer_zone", None) or conference_zone
    base = request if request is not None else base_url
    entries = entries_for_sessions(
        sessions, base=base, subject_key=subject_key, label=label, summary=summary, page_url=page_url
    )
    return render_calendar(
        entries, name=name, zone=zone, conference_zone=conference_zone, description_limit=description_limit
    )


def calendar_response(sessions=None, *, filename="calendar.ics", body=None, attachment=True, **kwargs):
    """An HTTP response carrying a calendar (built by calendar_for_sessions unless `body` is given)."""
    if body is None:
        body = calendar_for_sessions(sessions, **kwargs)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "calendar.ics"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_name}"'
    return response
