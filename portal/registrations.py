"""Import of the organisers' list of registered attendees' e-mails."""

import csv
import io
from dataclasses import dataclass

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


def import_registrations(file, source=""):
    """Add every e-mail in `file` (bytes or text) to the list; all or nothing."""
    filename = source or getattr(file, "name", "file")
    raw = file.read()
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
    return RegistrationImportResult(created=len(entries) - len(existing), existing=len(existing))
