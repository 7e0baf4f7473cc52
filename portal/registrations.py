"""Import of the organisers' list of registered attendees' e-mails.

Adds what the file holds; with `replace`, the addresses that came from a file of the same
name and are not in this one are removed (a cancelled registration), nothing else."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from portal.models import RegisteredEmail


class RegistrationImportError(Exception):
    pass


@dataclass
class RegistrationImportResult:
    created: int
    existing: int
    removals: list = field(default_factory=list)  # e-mails removed (or, in a dry run, that would be)
    dry_run: bool = False

    def summary(self):
        text = f"{self.created} registrations added, {self.existing} already on the list."
        if self.removals:
            text += f" {len(self.removals)} removed."
        return f"Dry run, nothing was written. {text}" if self.dry_run else text

    def report(self):
        verb = "Would remove" if self.dry_run else "Removed"
        return [self.summary(), *(f"  {verb} {email}." for email in self.removals)]


def _rows(text, filename):
    lines = text.splitlines()
    first = lines[0].lower() if lines else ""
    if "email" in first and ("," in first or first.strip() in {"email", "e-mail"}):
        reader = csv.DictReader(io.StringIO(text))
        key = next((f for f in reader.fieldnames or [] if f and f.strip().lower() in {"email", "e-mail"}), None)
        name_key = next((f for f in reader.fieldnames or [] if f and f.strip().lower() == "name"), None)
        for number, row in enumerate(reader, start=2):
            yield number, (row.get(key) or "").strip(), (row.get(name_key) or "").strip() if name_key else ""
    else:
        for number, line in enumerate(lines, start=1):
            yield number, line.split(",")[0].strip(), ""


def import_registrations(file, source="", *, replace=False, dry_run=False):
    """Add every e-mail in `file` (bytes or text, or a file object) to the list; all or nothing.

    With `replace`, the addresses on the list from a file of this name that this file no
    longer holds are removed; with `dry_run` nothing is written."""
    filename = source or getattr(file, "name", "file")
    raw = file.read() if hasattr(file, "read") else file
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise RegistrationImportError(f"{filename}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    entries = {}
    for number, email, name in _rows(text, filename):
        if not email or email.startswith("#"):
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise RegistrationImportError(
                f"{filename}, line {number}: “{email[:100]}” is not an e-mail address."
            ) from None
        entries.setdefault(email.lower(), name)
    if not entries:
        raise RegistrationImportError(f"{filename}: no e-mail addresses found.")
    with transaction.atomic():
        existing = set(RegisteredEmail.objects.filter(email__in=entries).values_list("email", flat=True))
        RegisteredEmail.objects.bulk_create(
            [RegisteredEmail(email=e, name=n, source=filename[:200]) for e, n in entries.items() if e not in existing]
        )
        removals = []
        if replace:
            gone = RegisteredEmail.objects.filter(source=filename[:200]).exclude(email__in=entries)
            removals = sorted(gone.values_list("email", flat=True))
            gone.delete()
        if dry_run:
            transaction.set_rollback(True)
    return RegistrationImportResult(
        created=len(entries) - len(existing), existing=len(existing), removals=removals, dry_run=dry_run
    )
