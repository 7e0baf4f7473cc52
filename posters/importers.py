"""Importing papers and poster slots: files become records, records are saved in one go.

Files (OpenReview notes JSON, Mini-Conf papers CSV, the poster-slot CSV) are parsed into
small records, so other code (the demo generator, an admin upload) can save papers
without a file. Saving is one transaction, all or nothing, and idempotent by UID: the
existing rows are fetched once and compared, new rows are bulk-created and changed rows
bulk-updated, so re-importing unchanged data writes nothing.
"""

import csv
import functools
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from portal.timezones import zone_or_none
from posters.models import Author, AuthorEmail, Authorship, Keyword, Paper, PaperKeyword, PosterSlot
from schedule.call_links import refuse_call_links
from schedule.fragments import programme_changed
from schedule.importers import titles_match
from schedule.models import Session

OPENREVIEW = "https://openreview.net"
POSTER_SESSION_UID_PREFIX = "poster-session:"
# IN lists are sent in chunks below SQLite's historical 999-variable limit.
CHUNK = 900
BATCH = 2000
MAX_REPORTED_ERRORS = 10

PAPER_FIELDS = ("title", "abstract", "tldr", "forum_url", "pdf_url", "code_url", "extra")
# OpenReview content keys mapped to fields, and keys never kept (authorids may hold e-mails).
OPENREVIEW_KNOWN = {"title", "authors", "abstract", "keywords", "TL;DR", "TLDR", "tldr", "pdf", "code"}
OPENREVIEW_DROPPED = {"authorids"}
# Mini-Conf CSV columns (lower-cased) and the record field each fills; others go to `extra`.
PAPER_COLUMNS = {
    "uid": "uid",
    "title": "title",
    "authors": "authors",
    "abstract": "abstract",
    "keywords": "keywords",
    "tldr": "tldr",
    "tl;dr": "tldr",
    "forum_url": "forum_url",
    "openreview_forum": "forum_url",
    "pdf_url": "pdf_url",
    "pdf": "pdf_url",
    "openreview_pdf": "pdf_url",
    "code_url": "code_url",
    "code": "code_url",
    "author_time_zones": "author_time_zones",
    # Mini-Conf's e-mail columns, `|`-separated and aligned with the authors: never public.
    "emails": "author_emails",
    "author_emails": "author_emails",
    "authorids": "author_emails",
}
SLOT_COLUMNS = {
    "uid": "paper_uid",
    "session_name": "session_name",
    "starttime": "start",
    "endtime": "end",
    "timezone": "time_zone",
    "zoom_join_link": "call_link",
    "call_link": "call_link",
}
SLOT_REQUIRED = ("uid", "session_name", "starttime", "endtime")

_is_url = URLValidator(schemes=["http", "https"])


class InvalidImport(Exception):
    """The input cannot be imported; each error names the file, line or record and the reason."""

    def __init__(self, errors):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        shown = self.errors[:MAX_REPORTED_ERRORS]
        more = len(self.errors) - len(shown)
        super().__init__("\n".join(shown) + (f"\n… and {more} more errors." if more else ""))


@dataclass
class PaperRecord:
    uid: str
    title: str
    # None means the source does not have it: an existing paper keeps what it has.
    authors: list[str] | None = None
    abstract: str | None = None
    keywords: list[str] | None = None
    tldr: str | None = None
    forum_url: str | None = None
    pdf_url: str | None = None
    code_url: str | None = None
    extra: dict | None = None
    # One IANA zone name per author ("" when unknown), or None when the source has none.
    author_time_zones: list[str] | None = None
    # One e-mail address per author ("" when unknown), or None: never public (AuthorEmail).
    author_emails: list[str] | None = None
    # Where the record came from, for error messages: "papers.csv, line 7".
    where: str = ""


@dataclass
class PosterSlotRecord:
    paper_uid: str
    session_name: str
    start: datetime
    end: datetime
    call_link: str = ""
    where: str = ""


@dataclass
class PaperImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    authors_created: int = 0
    keywords_created: int = 0
    emails_added: int = 0
    emails_updated: int = 0
    dry_run: bool = False

    def summary(self):
        text = (
            f"Papers: {self.created} created, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.authors_created} new authors, {self.keywords_created} new keywords."
        )
        if self.emails_added or self.emails_updated:
            text += f" Author e-mails: {self.emails_added} added, {self.emails_updated} updated."
        return dry_run_note(text) if self.dry_run else text

    def report(self):
        return [self.summary()]


@dataclass
class PosterSlotImportResult:
    sessions_created: int = 0
    sessions_updated: int = 0
    sessions_unchanged: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    # Slots in the file's sessions that the file does not hold: kept unless `replace`.
    not_in_file: int = 0
    # (paper UID, session title) of each slot removed (or, in a dry run, that would be).
    removals: list = field(default_factory=list)
    replace: bool = False
    dry_run: bool = False

    def summary(self):
        text = (
            f"Poster sessions: {self.sessions_created} created, {self.sessions_updated} updated, "
            f"{self.sessions_unchanged} unchanged. Poster slots: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deleted} removed."
        )
        if self.not_in_file and not self.replace:
            text += (
                f" {self.not_in_file} other slots in these sessions are not in the file and were kept "
                "(replace removes them)."
            )
        return dry_run_note(text) if self.dry_run else text

    def report(self):
        """The summary, then each removal (what a dry run would remove): the command's and admin's lines."""
        verb = "Would remove" if self.dry_run else "Removed"
        return [self.summary(), *(f"  {verb} paper {uid} from “{title}”." for uid, title in self.removals)]


def dry_run_note(text):
    return f"Dry run, nothing was written. {text}"


def poster_session_uid(name):
    """The stable Session.uid of a poster session, derived from its name."""
    return POSTER_SESSION_UID_PREFIX + (slugify(name, allow_unicode=True)[:200] or "session")


# --- Saving ----------------------------------------------------------------------------


def _in_chunks(queryset, lookup, values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield from queryset.filter(**{f"{lookup}__in": values[start : start + CHUNK]})


@functools.lru_cache(maxsize=1024)
def _known_zone(name):
    return zone_or_none(name) is not None


def _one_line(value):
    return " ".join(str(value).split())


def _unique_names(names):
    """Names with whitespace collapsed, empties and repeats dropped, order kept."""
    return list(dict.fromkeys(n for n in (_one_line(name) for name in names) if n))


def _url_problem(value, max_length=500):
    if not value:
        return None
    if len(value) > max_length:
        return f"is longer than {max_length} characters"
    try:
        _is_url(value)
    except ValidationError:
        return "is not an http(s) URL"
    return None


def _clean_paper(record, errors):
    """The record's normalised values, or None (with errors added) when it cannot be saved."""
    where = record.where or f"record {record.uid!r}"
    problems = []
    uid = str(record.uid or "").strip()
    title = _one_line(record.title or "")
    if not uid:
        problems.append("no UID")
    elif len(uid) > 64:
        problems.append(f"UID “{uid[:70]}…” is longer than 64 characters")
    if not title:
        problems.append("no title")
    elif len(title) > 500:
        problems.append("title is longer than 500 characters")
    raw_authors = [_one_line(a) for a in record.authors or []]
    zones = [str(z or "").strip() for z in record.author_time_zones or []]
    if zones and len(zones) != len(raw_authors):
        problems.append(f"{len(zones)} author time zones for {len(raw_authors)} authors")
        zones = []
    zone_of = {}
    for name, zone in zip(raw_authors, zones or [""] * len(raw_authors), strict=True):
        if zone and not _known_zone(zone):
            problems.append(f"unknown time zone “{zone[:64]}” for author {name}")
        elif zone and name:
            zone_of.setdefault(name, zone)
    emails = {}
    if record.author_emails is not None:
        addresses = [str(e or "").strip().lower() for e in record.author_emails]
        if len(addresses) != len(raw_authors):
            problems.append(f"{len(addresses)} author e-mails for {len(raw_authors)} authors")
            addresses = []
        for name, address in zip(raw_authors, addresses, strict=False):
            if not address:
                continue
            if not is_email(address):
                problems.append(f"author e-mail “{address[:80]}” for {name} is not an e-mail address")
            elif name:
                emails.setdefault(name, address)
    authors = None if record.authors is None else _unique_names(raw_authors)
    keywords = None if record.keywords is None else _unique_names(record.keywords)
    problems += [f"author name “{a[:50]}…” is longer than 300 characters" for a in authors or [] if len(a) > 300]
    problems += [f"keyword “{k[:50]}…” is longer than 200 characters" for k in keywords or [] if len(k) > 200]
    fields = {"title": title}
    for name in ("abstract", "tldr"):
        if getattr(record, name) is not None:
            fields[name] = str(getattr(record, name)).strip()
    for name in ("forum_url", "pdf_url", "code_url"):
        if getattr(record, name) is not None:
            fields[name] = str(getattr(record, name)).strip()
            problem = _url_problem(fields[name])
            if problem:
                problems.append(f"{name} “{fields[name][:80]}” {problem}")
    try:
        # The same refusal as the paper's model validation (admin): no call link in public text.
        refuse_call_links(SimpleNamespace(**fields), fields, where="its poster slots")
    except ValidationError as error:
        problems += [f"{name}: {' '.join(messages).rstrip('.')}" for name, messages in error.message_dict.items()]
    if record.extra is not None:
        if isinstance(record.extra, dict):
            fields["extra"] = record.extra
        else:
            problems.append("extra is not a mapping")
    if problems:
        errors.extend(f"{where}: {p}." for p in problems)
        return None
    return {
        "uid": uid,
        "where": where,
        "authors": authors,
        "author_zones": zone_of,
        "emails": emails,
        "keywords": keywords,
        "fields": fields,
    }


def _allocate_slugs(model, names, fallback, max_length):
    """A unique slug for each new name: its slugified form, then -2, -3, … when taken."""
    taken = set(model.objects.values_list("slug", flat=True))
    slugs = {}
    for name in names:
        base = slugify(name, allow_unicode=True)[:max_length] or fallback
        slug, n = base, 1
        while slug in taken:
            n += 1
            suffix = f"-{n}"
            slug = base[: max_length - len(suffix)] + suffix
        taken.add(slug)
        slugs[name] = slug
    return slugs


def _ensure_authors(names, zones):
    """{name: Author id}, creating missing authors and filling in known time zones."""
    existing = {a.name: a for a in _in_chunks(Author.objects.only("id", "name", "time_zone"), "name", names)}
    missing = [n for n in names if n not in existing]
    created = []
    if missing:
        slugs = _allocate_slugs(Author, missing, "author", 300)
        created = Author.objects.bulk_create(
            [Author(name=n, slug=slugs[n], time_zone=zones.get(n, "")) for n in missing], batch_size=BATCH
        )
    changed = []
    for name, author in existing.items():
        if zones.get(name) and author.time_zone != zones[name]:
            author.time_zone = zones[name]
            changed.append(author)
    Author.objects.bulk_update(changed, ["time_zone"], batch_size=BATCH)
    ids = {a.name: a.id for a in existing.values()}
    ids.update(_ids_of(Author, "name", created))
    return ids, len(created)


def _ensure_keywords(names):
    existing = dict(_in_chunks(Keyword.objects.values_list("name", "id"), "name", names))
    missing = [n for n in names if n not in existing]
    created = []
    if missing:
        slugs = _allocate_slugs(Keyword, missing, "keyword", 200)
        created = Keyword.objects.bulk_create([Keyword(name=n, slug=slugs[n]) for n in missing], batch_size=BATCH)
    return {**existing, **_ids_of(Keyword, "name", created)}, len(created)


def _ids_of(model, key, objects):
    """{key: id} of freshly bulk-created objects (re-read when the backend returned no ids)."""
    if all(o.pk for o in objects):
        return {getattr(o, key): o.pk for o in objects}
    return dict(_in_chunks(model.objects.values_list(key, "id"), key, [getattr(o, key) for o in objects]))


def _current_links(model, target, paper_ids):
    """{paper id: [target id, …] in position order} for the given papers."""
    links = {}
    rows = _in_chunks(
        model.objects.order_by().values_list("paper_id", f"{target}_id", "position"), "paper_id", paper_ids
    )
    for paper_id, target_id, _position in sorted(rows, key=lambda r: (r[0], r[2])):
        links.setdefault(paper_id, []).append(target_id)
    return links


def _insert_links(model, target, rows):
    """Insert (paper id, target id, position) rows with plain multi-row INSERTs.

    Link rows are most of an import's rows, and building a model instance for each cost
    more than the database's work (about 6 s of 30 s for 20,000 papers on PostgreSQL).
    """
    ops = connection.ops
    columns = ("paper_id", f"{target}_id", "position")
    table, names = ops.quote_name(model._meta.db_table), ", ".join(map(ops.quote_name, columns))
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 -- names from the model, values are parameters
    size = max(1, min(BATCH, ops.bulk_batch_size(columns, rows)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            sql = head + ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(sql, [value for row in chunk for value in row])


def _relink(model, target, wanted, current):
    """Rewrite the ordered links of the papers whose links differ; returns their ids."""
    stale = {pid for pid, ids in wanted.items() if current.get(pid, []) != ids}
    redo = [pid for pid in stale if pid in current]
    for start in range(0, len(redo), CHUNK):
        model.objects.filter(paper_id__in=redo[start : start + CHUNK]).delete()
    _insert_links(
        model, target, [(pid, tid, position) for pid in sorted(stale) for position, tid in enumerate(wanted[pid])]
    )
    return stale


def is_email(value):
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= 254


def save_author_addresses(wanted, source):
    """Add or update AuthorEmail rows: `wanted` is {(paper id, e-mail): author id or None}.
    Nothing is removed. Returns (added, updated)."""
    existing = {
        (row.paper_id, row.email): row
        for row in _in_chunks(
            AuthorEmail.objects.only("id", "paper_id", "email", "author_id"), "paper_id", {p for p, _ in wanted}
        )
    }
    new, changed = [], []
    for (paper_id, email), author_id in wanted.items():
        row = existing.get((paper_id, email))
        if row is None:
            new.append(AuthorEmail(paper_id=paper_id, email=email, author_id=author_id, source=source[:200]))
        elif author_id is not None and row.author_id != author_id:
            row.author_id = author_id
            changed.append(row)
    AuthorEmail.objects.bulk_create(new, batch_size=BATCH)
    AuthorEmail.objects.bulk_update(changed, ["author_id"], batch_size=500)
    return len(new), len(changed)


def save_papers(records, *, dry_run=False):
    """Create or update the papers of `records` (PaperRecord), all or nothing.

    Papers are matched by UID; authors and keywords by name, kept in the records' order.
    A field a record leaves as None keeps its current value; papers absent from
    `records` are left alone. Raises InvalidImport naming every bad
    record; then nothing is written.
    """
    errors = []
    cleaned = []
    first_seen = {}
    for record in records:
        values = _clean_paper(record, errors)
        if values is None:
            continue
        if values["uid"] in first_seen:
            errors.append(
                f"{values['where']}: UID {values['uid']} appears again (first at {first_seen[values['uid']]})."
            )
            continue
        first_seen[values["uid"]] = values["where"]
        cleaned.append(values)
    if errors:
        raise InvalidImport(errors)

    result = PaperImportResult(dry_run=dry_run)
    now = timezone.now()
    with transaction.atomic():
        author_names = _unique_names(name for values in cleaned for name in values["authors"] or [])
        zones = {}
        for values in cleaned:
            for name, zone in values["author_zones"].items():
                zones.setdefault(name, zone)
        author_ids, result.authors_created = _ensure_authors(author_names, zones)
        keyword_ids, result.keywords_created = _ensure_keywords(
            _unique_names(k for values in cleaned for k in values["keywords"] or [])
        )

        existing = {p.uid: p for p in _in_chunks(Paper.objects.only("id", "uid", *PAPER_FIELDS), "uid", first_seen)}
        new_papers, changed = [], {}
        for values in cleaned:
            paper = existing.get(values["uid"])
            if paper is None:
                new_papers.append(Paper(uid=values["uid"], **values["fields"]))
                continue
            for name, value in values["fields"].items():
                if getattr(paper, name) != value:
                    setattr(paper, name, value)
                    changed[paper.uid] = paper
        created = Paper.objects.bulk_create(new_papers, batch_size=BATCH)
        paper_ids = {p.uid: p.id for p in existing.values()} | _ids_of(Paper, "uid", created)

        old_ids = [p.id for p in existing.values()]
        relinked = _relink(
            Authorship,
            "author",
            {paper_ids[v["uid"]]: [author_ids[a] for a in v["authors"]] for v in cleaned if v["authors"] is not None},
            _current_links(Authorship, "author", old_ids),
        ) | _relink(
            PaperKeyword,
            "keyword",
            {
                paper_ids[v["uid"]]: [keyword_ids[k] for k in v["keywords"]]
                for v in cleaned
                if v["keywords"] is not None
            },
            _current_links(PaperKeyword, "keyword", old_ids),
        )
        # A paper whose authors or keywords changed has changed too.
        for paper in existing.values():
            if paper.id in relinked:
                changed[paper.uid] = paper
        for paper in changed.values():
            paper.updated_at = now
        Paper.objects.bulk_update(list(changed.values()), [*PAPER_FIELDS, "updated_at"], batch_size=500)
        addresses = {
            (paper_ids[v["uid"]], email): author_ids.get(name) for v in cleaned for name, email in v["emails"].items()
        }
        if addresses:
            source = cleaned[0]["where"].split(", ")[0]
            result.emails_added, result.emails_updated = save_author_addresses(addresses, source)
        if dry_run:
            transaction.set_rollback(True)

    result.created = len(created)
    result.updated = len(changed)
    result.unchanged = len(cleaned) - result.created - result.updated
    return result


def _clean_slot(record, errors):
    where = record.where or f"slot {record.paper_uid!r} in {record.session_name!r}"
    problems = []
    uid = str(record.paper_uid or "").strip()
    name = _one_line(record.session_name or "")
    link = str(record.call_link or "").strip()
    if not uid:
        problems.append("no paper UID")
    if not name:
        problems.append("no session name")
    elif len(name) > 300:
        problems.append("session name is longer than 300 characters")
    times_ok = True
    for what, value in (("start", record.start), ("end", record.end)):
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            problems.append(f"{what} time is not an aware date and time")
            times_ok = False
    if times_ok and record.end <= record.start:
        problems.append(f"the session ends ({record.end.isoformat()}) before it starts ({record.start.isoformat()})")
    problem = _url_problem(link)
    if problem:
        problems.append(f"call link “{link[:80]}” {problem}")
    if problems:
        errors.extend(f"{where}: {p}." for p in problems)
        return None
    return {
        "where": where,
        "uid": uid,
        "name": name,
        "start": record.start.astimezone(UTC),
        "end": record.end.astimezone(UTC),
        "call_link": link,
    }


def _same_session_from_a_calendar(values, exclude=()):
    """A poster session at the same times with a matching title that a calendar import made, if any."""
    candidates = (
        Session.objects.filter(kind=Session.Kind.POSTER, start=values["start"], end=values["end"])
        .exclude(uid__startswith=POSTER_SESSION_UID_PREFIX)
        .exclude(pk__in=list(exclude))
    )
    return next((s for s in candidates.order_by("pk") if titles_match(s.title, values["name"])), None)


def save_poster_slots(records, *, replace=False, dry_run=False):
    """Create or update poster sessions and the papers' slots in them, all or nothing.

    A session is keyed by a uid derived from its name (`poster_session_uid`); when its
    times change, its iCalendar sequence goes up. An import adds and updates what the
    records hold and removes nothing: a conference with several tracks ships one file per
    track, each naming the same sessions with other papers. With `replace`, the records
    are the whole line-up of the sessions they name, and a slot in one of those sessions
    that is not in the records is removed (`result.removals` lists them). With `dry_run`
    everything is checked and counted, then rolled back. Raises InvalidImport naming
    every bad record.
    """
    errors = []
    cleaned = []
    sessions = {}  # uid -> {"name", "start", "end", "where"}
    seen_slots = {}
    for record in records:
        values = _clean_slot(record, errors)
        if values is None:
            continue
        session_uid = poster_session_uid(values["name"])
        session = sessions.setdefault(session_uid, {**values, "session_uid": session_uid})
        if session["name"] != values["name"]:
            errors.append(
                f"{values['where']}: session “{values['name']}” has the same identifier as “{session['name']}” "
                f"({session['where']}); rename one."
            )
            continue
        if (session["start"], session["end"]) != (values["start"], values["end"]):
            errors.append(
                f"{values['where']}: session “{values['name']}” is given as {values['start']:%Y-%m-%d %H:%M}–"
                f"{values['end']:%H:%M} UTC here but {session['start']:%Y-%m-%d %H:%M}–{session['end']:%H:%M} UTC "
                f"at {session['where']}."
            )
            continue
        key = (values["uid"], session_uid)
        if key in seen_slots:
            errors.append(
                f"{values['where']}: paper {values['uid']} is already in “{values['name']}” ({seen_slots[key]})."
            )
            continue
        seen_slots[key] = values["where"]
        cleaned.append({**values, "session_uid": session_uid})
    if errors:
        raise InvalidImport(errors)

    result = PosterSlotImportResult(replace=replace, dry_run=dry_run)
    now = timezone.now()
    with transaction.atomic():
        paper_ids = dict(_in_chunks(Paper.objects.values_list("uid", "id"), "uid", {v["uid"] for v in cleaned}))
        errors = [
            f"{v['where']}: unknown paper UID {v['uid']} (import the papers first)."
            for v in cleaned
            if v["uid"] not in paper_ids
        ]
        existing = {s.uid: s for s in Session.objects.filter(uid__in=list(sessions))}
        errors += [
            f"{sessions[uid]['where']}: the identifier {uid} belongs to a {s.get_kind_display()} session, "
            "not a poster session."
            for uid, s in existing.items()
            if s.kind != Session.Kind.POSTER
        ]
        if errors:
            raise InvalidImport(errors)

        new_sessions, changed_sessions = [], []
        for uid, values in sessions.items():
            session = existing.get(uid)
            if session is None:
                session = _same_session_from_a_calendar(values, exclude=[s.pk for s in changed_sessions])
                if session is not None:
                    # Made by a calendar import (Mini-Conf's overall_calendar.json): one session, not two.
                    session.uid, session.title, session.updated_at = uid, values["name"], now
                    changed_sessions.append(session)
                    existing[uid] = session
                    continue
                new_sessions.append(
                    Session(
                        uid=uid,
                        kind=Session.Kind.POSTER,
                        title=values["name"],
                        start=values["start"],
                        end=values["end"],
                    )
                )
                continue
            moved = (session.start, session.end) != (values["start"], values["end"])
            if moved or session.title != values["name"]:
                if moved:
                    session.sequence += 1
                session.start, session.end, session.title, session.updated_at = (
                    values["start"],
                    values["end"],
                    values["name"],
                    now,
                )
                changed_sessions.append(session)
        Session.objects.bulk_create(new_sessions)
        Session.objects.bulk_update(changed_sessions, ["uid", "start", "end", "title", "sequence", "updated_at"])
        session_ids = {s.uid: s.id for s in existing.values()} | _ids_of(Session, "uid", new_sessions)

        current = {
            (slot.paper_id, slot.session_id): slot
            for slot in PosterSlot.objects.filter(session_id__in=list(session_ids.values()))
            .select_related("paper", "session")
            .only("id", "paper_id", "session_id", "call_link", "paper__uid", "session__title")
        }
        wanted = set()
        new_slots, changed_slots = [], []
        for values in cleaned:
            key = (paper_ids[values["uid"]], session_ids[values["session_uid"]])
            wanted.add(key)
            slot = current.get(key)
            if slot is None:
                new_slots.append(PosterSlot(paper_id=key[0], session_id=key[1], call_link=values["call_link"]))
            elif slot.call_link != values["call_link"]:
                slot.call_link = values["call_link"]
                changed_slots.append(slot)
        absent = sorted(
            (slot for key, slot in current.items() if key not in wanted),
            key=lambda slot: (slot.session.title, slot.paper.uid),
        )
        result.not_in_file = len(absent)
        gone = [slot.id for slot in absent] if replace else []
        result.removals = [(slot.paper.uid, slot.session.title) for slot in absent] if replace else []
        for start in range(0, len(gone), CHUNK):
            PosterSlot.objects.filter(id__in=gone[start : start + CHUNK]).delete()
        PosterSlot.objects.bulk_create(new_slots, batch_size=BATCH)
        PosterSlot.objects.bulk_update(changed_slots, ["call_link"], batch_size=500)
        if dry_run:
            transaction.set_rollback(True)
        elif new_sessions or changed_sessions or new_slots or changed_slots or gone:
            # Bulk writes send no signals: the programme's feeds are stale now.
            programme_changed()

    result.sessions_created = len(new_sessions)
    result.sessions_updated = len(changed_sessions)
    result.sessions_unchanged = len(sessions) - result.sessions_created - result.sessions_updated
    result.created = len(new_slots)
    result.updated = len(changed_slots)
    result.unchanged = len(cleaned) - result.created - result.updated
    result.deleted = len(gone)
    return result


# --- Reading files ---------------------------------------------------------------------


def read_file_bytes(path):
    """(bytes, name) of a file given on the command line: what an admin upload also gives."""
    path = Path(path)
    if not path.is_file():
        raise InvalidImport(f"{path}: no such file.")
    return path.read_bytes(), str(path)


def decode_text(raw, name):
    """The text of an uploaded or read file, or InvalidImport naming the file."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise InvalidImport(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    if not text.strip():
        raise InvalidImport(f"{name}: the file is empty.")
    return text


def _csv_rows(text, filename, columns, required, errors):
    """(where, {field: value}, {extra column: value}) for each data row of a CSV text."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        errors.append(f"{filename}, line 1: not valid CSV ({exc}).")
        return
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        errors.append(
            f"{filename}, line 1: the header has no {', '.join(missing)} column "
            f"(expected {', '.join(required)}, found {', '.join(h[:40] for h in header)[:300]})."
        )
        return
    # Without extra columns in the header, `extra` is None: an existing paper keeps its own.
    has_extra = any(name not in columns for name in names)
    line = reader.line_num + 1
    while True:
        where = f"{filename}, line {line}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(f"{where}: not valid CSV ({exc}).")
            return
        line = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(header):
            errors.append(f"{where}: {len(row)} fields where the header has {len(header)}.")
            continue
        known, extra = {}, {}
        for name, original, value in zip(names, header, row, strict=True):
            if name in columns:
                known.setdefault(columns[name], value.strip())
            elif value.strip():
                extra[original.strip()] = value
        yield where, known, extra if has_extra else None


def _split_list(value):
    return [item.strip() for item in (value or "").split("|") if item.strip()]


def _openreview_url(value):
    value = value.strip()
    return OPENREVIEW + value if value.startswith("/") else value


def _code_link(value):
    """(link, note): a code link, and the source's text when it was more than one URL."""
    if value is None:
        return None, None
    value = value.strip()
    if not _url_problem(value):
        return value, None
    link = next((token for token in re.split(r"[\s;,]+", value) if token and not _url_problem(token)), "")
    return link, value


def _papers_from_csv(text, filename, errors):
    records = []
    for where, known, extra in _csv_rows(text, filename, PAPER_COLUMNS, ("uid", "title"), errors):
        code_url, code_note = _code_link(known.get("code_url"))
        if code_note:
            extra = {**(extra or {}), "code": code_note}
        zones = known.get("author_time_zones")
        emails = known.get("author_emails")
        records.append(
            PaperRecord(
                uid=known["uid"],
                title=known["title"],
                authors=_split_list(known["authors"]) if "authors" in known else None,
                abstract=known.get("abstract"),
                keywords=_split_list(known["keywords"]) if "keywords" in known else None,
                tldr=known.get("tldr"),
                forum_url=known.get("forum_url"),
                pdf_url=_openreview_url(known["pdf_url"]) if "pdf_url" in known else None,
                code_url=code_url,
                extra=extra,
                # Empty entries are kept so the zones stay aligned with the authors.
                author_time_zones=[z.strip() for z in zones.split("|")] if zones else None,
                # Kept aligned with the authors, as the zones are.
                author_emails=[e.strip() for e in emails.split("|")] if emails else None,
                where=where,
            )
        )
    return records


def _unwrap(value):
    # OpenReview API v2 wraps every content value as {"value": …}.
    if isinstance(value, dict) and set(value) <= {"value", "readers"} and "value" in value:
        return value["value"]
    return value


def _text_list(value, what, where, errors):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",")]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    errors.append(f"{where}: {what} is not a list of names.")
    return []


def _text(value, what, where, errors):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    errors.append(f"{where}: {what} is not text.")
    return ""


def _papers_from_json(text, filename, errors):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        errors.append(f"{filename}, line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg}).")
        return []
    if isinstance(data, dict) and isinstance(data.get("notes"), list):
        data = data["notes"]
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = [(None, note) for note in data]
    else:
        errors.append(f"{filename}: expected OpenReview notes (an object keyed by id, or a list).")
        return []
    records = []
    for number, (key, note) in enumerate(items, start=1):
        if not isinstance(note, dict) or not isinstance(note.get("content"), dict):
            errors.append(f"{filename}, record {key or f'#{number}'}: not an OpenReview note (no content object).")
            continue
        uid = _text(note.get("id") or note.get("forum") or key, "id", f"{filename}, record #{number}", errors).strip()
        where = f"{filename}, record {uid or key or f'#{number}'}"
        content = {name: _unwrap(value) for name, value in note["content"].items()}
        forum = note.get("forum") or uid
        extra = {
            name: value
            for name, value in content.items()
            if name not in OPENREVIEW_KNOWN | OPENREVIEW_DROPPED and value not in (None, "", [], {})
        }
        code_url, code_note = _code_link(_text(content["code"], "code", where, errors) if "code" in content else None)
        if code_note:
            extra["code"] = code_note
        tldr_key = next((k for k in ("TL;DR", "TLDR", "tldr") if k in content), None)
        pdf = _text(content["pdf"], "pdf", where, errors) if "pdf" in content else None
        # authorids holds an e-mail or an OpenReview profile id (~Name1) per author: the e-mails are kept, privately.
        ids = _text_list(content.get("authorids"), "authorids", where, errors) if content.get("authorids") else None
        emails = None if ids is None else [i.strip() if "@" in i else "" for i in ids]
        records.append(
            PaperRecord(
                uid=uid,
                title=_text(content.get("title"), "title", where, errors),
                authors=_text_list(content["authors"], "authors", where, errors) if "authors" in content else None,
                abstract=_text(content["abstract"], "abstract", where, errors) if "abstract" in content else None,
                keywords=_text_list(content["keywords"], "keywords", where, errors) if "keywords" in content else None,
                tldr=_text(content[tldr_key], "TL;DR", where, errors) if tldr_key else None,
                forum_url=f"{OPENREVIEW}/forum?id={quote(str(forum))}" if forum else None,
                pdf_url=None if pdf is None else _openreview_url(pdf),
                code_url=code_url,
                extra=extra,
                author_emails=emails if emails and any(emails) else None,
                where=where,
            )
        )
    return records


def read_papers(data, name):
    """PaperRecords from an OpenReview notes JSON or a Mini-Conf papers CSV (bytes or text), told apart by content."""
    text = decode_text(data, name)
    errors = []
    if text.lstrip().startswith(("{", "[")):
        records = _papers_from_json(text, name, errors)
    else:
        records = _papers_from_csv(text, name, errors)
    if errors:
        raise InvalidImport(errors)
    if not records:
        raise InvalidImport(f"{name}: no papers found.")
    return records


def read_papers_file(path):
    return read_papers(*read_file_bytes(path))


def _parse_time(value, zone, what, where, errors):
    value = value.strip()
    try:
        if len(value) <= 10:
            raise ValueError
        instant = datetime.fromisoformat(value)
    except ValueError:
        errors.append(f"{where}: {what} “{value[:40]}” is not an ISO 8601 date and time.")
        return None
    if instant.tzinfo is None:
        if zone is None:
            return None
        local = instant.replace(tzinfo=zone)
        # A wall-clock time skipped by a daylight-saving change does not exist: say so, do not guess.
        if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != instant:
            errors.append(f"{where}: {what} {value} does not exist in {zone.key} (clocks skip it).")
            return None
        instant = local
    return instant.astimezone(UTC)


def read_poster_slots(data, name):
    """PosterSlotRecords from a poster-slot CSV, or from Mini-Conf's `paper_sessions.yml`
    (told apart by the file's name or, failing that, its first line)."""
    text = decode_text(data, name)
    first = text.lstrip().split("\n", 1)[0]
    if name.lower().endswith((".yml", ".yaml")) or (first.rstrip().endswith(":") and "," not in first):
        return read_paper_sessions_yaml(text, name)
    return _poster_slots_from_csv(text, name)


def _poster_slots_from_csv(text, name):
    """PosterSlotRecords from a CSV `UID,session_name,starttime,endtime,timezone,zoom_join_link`.

    Times are ISO 8601; with a Z or an offset they are taken as they are, otherwise as
    wall-clock times in the row's `timezone` (UTC when the column is empty or absent).
    """
    errors = []
    records = []
    for where, known, _extra in _csv_rows(text, name, SLOT_COLUMNS, SLOT_REQUIRED, errors):
        zone_name = known.get("time_zone") or "UTC"
        zone = zone_or_none(zone_name)
        if zone is None:
            errors.append(f"{where}: unknown time zone “{zone_name[:64]}”.")
        start = _parse_time(known["start"], zone, "start time", where, errors)
        end = _parse_time(known["end"], zone, "end time", where, errors)
        if start is None or end is None:
            continue
        records.append(
            PosterSlotRecord(
                paper_uid=known["paper_uid"],
                session_name=known["session_name"],
                start=start,
                end=end,
                call_link=known.get("call_link", ""),
                where=where,
            )
        )
    if errors:
        raise InvalidImport(errors)
    if not records:
        raise InvalidImport(f"{name}: no poster slots found.")
    return records


PAPER_SESSIONS_EXPECTED = (
    "expected Mini-Conf paper sessions: a mapping of session id to start_time, end_time, name "
    "(or long_name), zoom_link and a list of papers"
)


def _yaml_instant(value, what, where, errors):
    """An aware UTC instant from a YAML timestamp (naive ones are UTC) or an ISO 8601 string."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, str):
        return _parse_time(value, UTC, what, where, errors)
    errors.append(f"{where}: {what} is missing or not a date and time.")
    return None


def read_paper_sessions_yaml(text, name):
    """PosterSlotRecords from Mini-Conf's `paper_sessions.yml` (EMNLP 2020 and later):

        z1A:
          start_time: 2020-11-16 16:00:00+00:00
          end_time: 2020-11-16 17:00:00+00:00
          name: Zoom Q&A Session 1A
          long_name: 'Zoom Q&A Session 1A: Sentiment Analysis'
          zoom_link: https://…
          papers: [main.438, main.440]

    The session is called by its long name when it has one.
    """
    data = load_yaml(text, name, InvalidImport)
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InvalidImport(f"{name}: {PAPER_SESSIONS_EXPECTED}.")
    errors, records = [], []
    for key, session in data.items():
        where = f"{name}, session {str(key)[:40]}"
        papers = session.get("papers")
        if papers is None:
            papers = []
        if not isinstance(papers, list) or not all(isinstance(p, str | int) for p in papers):
            errors.append(f"{where}: papers is not a list of paper UIDs.")
            continue
        title = _one_line(session.get("long_name") or session.get("name") or key)
        start = _yaml_instant(session.get("start_time"), "start_time", where, errors)
        end = _yaml_instant(session.get("end_time"), "end_time", where, errors)
        if start is None or end is None:
            continue
        link = session.get("zoom_link") or ""
        records += [
            PosterSlotRecord(
                paper_uid=str(uid), session_name=title, start=start, end=end, call_link=str(link), where=where
            )
            for uid in papers
        ]
    if errors:
        raise InvalidImport(errors)
    if not records:
        raise InvalidImport(f"{name}: no papers in any session.")
    return records


def load_yaml(text, name, error):
    """Parsed YAML, or `error` with a one-line reason naming the file and the line (never the file's text)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not YAML"
        raise error([f"{name}: not readable YAML ({problem}{at})."]) from None


def read_poster_slots_file(path):
    return read_poster_slots(*read_file_bytes(path))


def import_papers_file(path, *, dry_run=False):
    return save_papers(read_papers_file(path), dry_run=dry_run)


def import_poster_slots_file(path, *, replace=False, dry_run=False):
    return save_poster_slots(read_poster_slots_file(path), replace=replace, dry_run=dry_run)


def write_papers_csv(records, handle):
    """Write PaperRecords as a Mini-Conf papers CSV (the inverse of the CSV reader)."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(
        [
            "UID",
            "title",
            "authors",
            "abstract",
            "keywords",
            "tldr",
            "forum_url",
            "pdf_url",
            "code_url",
            "author_time_zones",
        ]
    )
    for r in records:
        writer.writerow(
            [
                r.uid,
                r.title,
                "|".join(r.authors or []),
                r.abstract or "",
                "|".join(r.keywords or []),
                r.tldr or "",
                r.forum_url or "",
                r.pdf_url or "",
                r.code_url or "",
                "|".join(r.author_time_zones or []),
            ]
        )
