"""Importing authors' e-mail addresses per paper, from a file of their own.

A CSV with a header: `UID,email`, or `UID,author,email` (the author as named on the paper).
Each address becomes an `AuthorEmail` of the paper, so whoever verifies it is an author
of the paper (posters/uploads.py). Papers files with an e-mail column do the same through
`posters.importers.save_papers`. The addresses are never public.

Like every import: one transaction, file, line and reason for each bad row and nothing
written; it adds and updates, and removes only with `replace` (the papers' addresses that
the file does not hold, for the papers the file names).
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from posters.importers import (
    CHUNK,
    InvalidImport,
    decode_text,
    dry_run_note,
    is_email,
    read_file_bytes,
    save_author_addresses,
)
from posters.models import AuthorEmail, Authorship, Paper

EXPECTED = "expected a CSV with a header UID,email or UID,author,email"
UID_COLUMNS = {"uid", "paper", "paper_uid", "id"}
EMAIL_COLUMNS = {"email", "e-mail", "author_email"}
AUTHOR_COLUMNS = {"author", "name", "author_name"}


@dataclass
class AuthorEmailRow:
    uid: str
    email: str
    author: str = ""
    where: str = ""


@dataclass
class AuthorEmailImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    removals: list = field(default_factory=list)  # (paper UID, e-mail)
    dry_run: bool = False

    def summary(self):
        text = (
            f"Author e-mails: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed."
        )
        return dry_run_note(text) if self.dry_run else text

    def report(self):
        verb = "Would remove" if self.dry_run else "Removed"
        return [self.summary(), *(f"  {verb} {email} from paper {uid}." for uid, email in self.removals)]


def read_author_emails(data, name):
    text = decode_text(data, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (csv.Error, StopIteration):
        raise InvalidImport(f"{name}: {EXPECTED}.") from None
    column = {}
    for index, title in enumerate(header):
        for what, names in (("uid", UID_COLUMNS), ("email", EMAIL_COLUMNS), ("author", AUTHOR_COLUMNS)):
            if title in names:
                column.setdefault(what, index)
    if "uid" not in column or "email" not in column:
        found = ", ".join(h[:40] for h in header)[:200]
        raise InvalidImport(f"{name}, line 1: {EXPECTED} (found {found}).")
    rows, errors = [], []
    try:
        for values in reader:
            where = f"{name}, line {reader.line_num}"
            if not values or not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                errors.append(f"{where}: {len(values)} fields where the header has {len(header)}.")
                continue
            row = AuthorEmailRow(
                uid=values[column["uid"]].strip(),
                email=values[column["email"]].strip().lower(),
                author=" ".join(values[column["author"]].split()) if "author" in column else "",
                where=where,
            )
            if not row.uid:
                errors.append(f"{where}: no paper UID.")
            elif not is_email(row.email):
                errors.append(f"{where}: “{row.email[:80]}” is not an e-mail address.")
            else:
                rows.append(row)
    except csv.Error as exc:
        errors.append(f"{name}, line {reader.line_num}: not valid CSV ({exc}).")
    if errors:
        raise InvalidImport(errors)
    if not rows:
        raise InvalidImport(f"{name}: no e-mail addresses found.")
    return rows


def save_author_emails(rows, *, source="", replace=False, dry_run=False):
    """Link each row's address to its paper (and author); all or nothing."""
    result = AuthorEmailImportResult(dry_run=dry_run)
    with transaction.atomic():
        uids = {row.uid for row in rows}
        paper_ids = dict(Paper.objects.filter(uid__in=uids).values_list("uid", "id"))
        authors = {}
        for paper_id, name, author_id in Authorship.objects.filter(paper_id__in=paper_ids.values()).values_list(
            "paper_id", "author__name", "author_id"
        ):
            authors[paper_id, name.casefold()] = author_id
        errors, wanted = [], {}
        for row in rows:
            paper_id = paper_ids.get(row.uid)
            if paper_id is None:
                errors.append(f"{row.where}: unknown paper UID {row.uid} (import the papers first).")
                continue
            author_id = None
            if row.author:
                author_id = authors.get((paper_id, row.author.casefold()))
                if author_id is None:
                    errors.append(f"{row.where}: {row.author[:80]} is not an author of paper {row.uid}.")
                    continue
            wanted[paper_id, row.email] = author_id
        if errors:
            raise InvalidImport(errors)
        result.added, result.updated = save_author_addresses(wanted, source or rows[0].where.split(", ")[0])
        result.unchanged = len(wanted) - result.added - result.updated
        if replace:
            uid_of = {paper_id: uid for uid, paper_id in paper_ids.items()}
            absent = [
                row
                for start in range(0, len(uid_of), CHUNK)
                for row in AuthorEmail.objects.filter(paper_id__in=list(uid_of)[start : start + CHUNK])
                if (row.paper_id, row.email) not in wanted
            ]
            result.removals = sorted((uid_of[row.paper_id], row.email) for row in absent)
            result.removed = len(absent)
            AuthorEmail.objects.filter(pk__in=[row.pk for row in absent]).delete()
        if dry_run:
            transaction.set_rollback(True)
    return result


def import_author_emails(data, name, *, replace=False, dry_run=False):
    return save_author_emails(read_author_emails(data, name), source=name, replace=replace, dry_run=dry_run)


def import_author_emails_file(path, *, replace=False, dry_run=False):
    data, name = read_file_bytes(path)
    return import_author_emails(data, name, replace=replace, dry_run=dry_run)
