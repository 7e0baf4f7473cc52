"""Importing the programme: iCalendar files (`ical`) and Mini-Conf site data (`sitedata`).

Each import is one transaction: a bad file aborts it with the file, the event and the
reason, and nothing is written. Re-importing the same file changes nothing.
"""

import html
import re
from dataclasses import dataclass, field

from schedule.call_links import is_call_link, without_call_links
from schedule.models import Session


class ImportFailed(Exception):
    """The file cannot be imported; `problems` lists every reason found."""

    def __init__(self, problems):
        self.problems = list(problems)
        shown = self.problems[:50]
        if len(self.problems) > len(shown):
            shown.append(f"… and {len(self.problems) - len(shown)} more")
        super().__init__("\n".join(shown))


@dataclass
class ImportResult:
    source: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0
    removed: int = 0
    notes: list = field(default_factory=list)

    def summary(self):
        parts = [f"{self.created} created", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.matched:
            parts.append(f"{self.matched} matched to existing sessions")
        if self.removed:
            parts.append(f"{self.removed} cancelled and removed")
        return f"{self.source}: sessions {', '.join(parts)}."


TAG_BREAKS = re.compile(r"<\s*(?:br|/p|/li|/tr|/h\d|/div)\s*/?\s*>", re.IGNORECASE)
TAGS = re.compile(r"<[^>]*>")


def html_to_text(value):
    """Plain text from the HTML that calendar programs put in descriptions, call links removed."""
    text = TAG_BREAKS.sub("\n", str(value or ""))
    text = html.unescape(TAGS.sub(" ", text)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines)
    return without_call_links(re.sub(r"\n{3,}", "\n\n", text).strip())


def split_location(value):
    """(location, url, call_link) from a LOCATION that may be a place, a page or a call link."""
    value = " ".join(str(value or "").split()).strip(" ,")
    if not value:
        return "", "", ""
    if re.match(r"https?://\S+$", value):
        if is_call_link(value):
            return "", "", value[:500]
        return "", value[:500], ""
    if "@" in value and " " not in value:  # an e-mail address is not a place
        return "", "", ""
    return value[:300], "", ""


KIND_RULES = [
    (re.compile(r"\blive\s*q\s*&?\s*a\b|\bq\s*&\s*a\b", re.I), Session.Kind.KEYNOTE_QA),
    (re.compile(r"\bposter", re.I), Session.Kind.POSTER),
    (re.compile(r"\bkeynote|\binvited talk", re.I), Session.Kind.KEYNOTE),
    (re.compile(r"\bopening|\bwelcome\b", re.I), Session.Kind.OPENING),
    (re.compile(r"\blivestream|\blive stream", re.I), Session.Kind.LIVESTREAM),
    (re.compile(r"\bbreak\b|\bcoffee\b|\blunch\b", re.I), Session.Kind.BREAK),
    (re.compile(r"\bexpo\b|\bsponsor", re.I), Session.Kind.SPONSOR),
    (re.compile(r"\bsocial\b|\bmeet[- ]?up\b|\bmixer\b|\bmeet & greet\b|\bwine\b|\btown\b", re.I), Session.Kind.SOCIAL),
    (re.compile(r"\bworkshop\b", re.I), Session.Kind.WORKSHOP),
]


def guess_kind(title):
    for pattern, kind in KIND_RULES:
        if pattern.search(title):
            return kind
    return Session.Kind.OTHER


def normalised_title(value):
    return re.sub(r"[^0-9a-z]+", "", str(value).casefold())


def titles_match(a, b):
    a, b = normalised_title(a), normalised_title(b)
    return bool(a and b) and (a == b or a in b or b in a)


def save_if_changed(session, values, result, check=None):
    """Apply values to a session; save and count it as updated only if something changed.

    `check(session)` may raise ImportFailed before anything is written."""
    changed = [name for name, value in values.items() if getattr(session, name) != value]
    if not changed:
        result.unchanged += 1
        return False
    for name in changed:
        setattr(session, name, values[name])
    if check is not None:
        check(session)
    session.save()
    result.updated += 1
    return True
