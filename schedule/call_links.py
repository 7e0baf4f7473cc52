"""Video-call links: what one looks like, and who sees a session's (a poster slot's, a
Q&A's) and when.

What a call link looks like is defined here only: a URL on a meeting service's host
(settings.CALL_LINK_HOSTS), or with a meeting path (/j/, /join/) or a passcode in its
query; and text that gives a passcode or meeting ID. Public text (a session's title,
description and location, a paper's abstract, ...) refuses both in model validation
(`refuse_call_links`, so admin and importers alike); feeds and importers cut them out
(`without_call_links`).

A link is shown only when both hold: the conference's policy lets this viewer see call
links (`Conference.call_links_visible_to`), and the session is in its window, from
LEAD before it starts until it ends. Everything that renders a slot (pages, API) goes
through `call_link_state`, and templates only ever see the URL it returns, so a link can
never reach someone who may not see it.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from portal.models import Conference
from portal.public import exporting
from schedule.models import CALL_LINK_LEAD as LEAD

# A URL: with a scheme, from www., or a bare host name followed by a path.
URL = re.compile(r"""(?:https?://|www\.|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?=/))[^\s<>"']*""", re.I)
MEETING_PATH = re.compile(r"/(?:j|join|wc/join)/", re.I)
PASSCODE_QUERY = re.compile(r"(?:^|&)(?:pwd|passcode|password)=", re.I)
# "Passcode: 123456", "pwd=...", "Meeting ID 123 456 789" (not "the password reset talk").
PASSCODE = r"\b(?:password|passcode|pass code|pwd|meeting id|meeting number|access code)\b\s*(?:[:=]|(?=\d))"
PASSCODE_TEXT = re.compile(PASSCODE, re.I)
PASSCODE_LINE = re.compile(rf"^.*{PASSCODE}.*$", re.I | re.M)


def _meeting_host(host):
    for pattern in settings.CALL_LINK_HOSTS:
        pattern = pattern.lower()
        if host == pattern.removeprefix("*.") or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def is_call_link(url):
    """Whether `url` looks like a video-call link (see the module docstring)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    try:
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return False
    return _meeting_host(host) or bool(MEETING_PATH.search(parts.path) or PASSCODE_QUERY.search(parts.query))


def call_links_in(text):
    """The call links in `text`, in order."""
    return [match[0] for match in URL.finditer(text or "") if is_call_link(match[0])]


def without_call_links(text):
    """Public text: call links and lines giving meeting passwords or ids removed."""
    if not text:
        return ""
    text = URL.sub(lambda match: "" if is_call_link(match[0]) else match[0], text)
    text = PASSCODE_LINE.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def refuse_call_links(instance, fields, where):
    """Model validation: a ValidationError naming each of `fields` (public text of
    `instance`) that holds a call link or a passcode; `where` says which "Call link"
    field takes it instead."""
    errors = {}
    for name in fields:
        text = str(getattr(instance, name) or "")
        links = call_links_in(text)
        if links:
            found = f"“{links[0][:80]}” is a video-call link"
        elif PASSCODE_TEXT.search(text):
            found = "This gives a meeting passcode or ID"
        else:
            continue
        errors[name] = (
            f"{found}, and this field is public. Put video-call links in the “Call link” field of {where}: "
            "they are shown only to the people the conference lets see call links, and only around the session's time."
        )
    if errors:
        raise ValidationError(errors)


class State:
    OPEN = "open"  # the link is shown
    NOT_YET = "not_yet"  # allowed, but the window has not opened: say when it will
    ENDED = "ended"
    NO_LINK = "no_link"  # in the window, but the organisers have not set a link
    NOT_ALLOWED = "not_allowed"  # this viewer may never see it (policy)
    CLOSED = "closed"  # nothing scheduled now or later (a booth with no slot left, not marked open)


@dataclass(frozen=True)
class CallLink:
    state: str
    opens_at: datetime
    url: str | None = None  # set only in the OPEN state
    reason: str = ""  # for NOT_ALLOWED: what would let the viewer see it

    @property
    def is_open(self):
        return self.state == State.OPEN


def opens_at(session):
    return session.start - LEAD


def not_allowed_reason(conference, user):
    policy = Conference.CallLinkVisibility
    if exporting() is not None:
        return "Join the video call from the live portal."
    if conference.call_link_visibility == policy.NOBODY:
        return "Video-call links are not published on this site."
    if not user.is_authenticated:
        if conference.call_link_visibility == policy.REGISTERED:
            return "Log in as a registered attendee to see the video-call link."
        return "Log in to see the video-call link."
    return "Video-call links are for registered attendees."


def call_link_state(session, link, *, allowed, now, reason="", archived=False):
    """The CallLink a viewer gets for `link` in `session` at `now`.

    `allowed` is `conference.call_links_visible_to(user)`, computed once per request;
    `archived`: the conference is archived (no call is open in the archive).
    """
    start = opens_at(session)
    if archived or now >= session.end:
        return CallLink(State.ENDED, start)
    if not allowed:
        return CallLink(State.NOT_ALLOWED, start, reason=reason)
    if now < start:
        return CallLink(State.NOT_YET, start)
    if not link:
        return CallLink(State.NO_LINK, start)
    return CallLink(State.OPEN, start, url=link)


class Viewer:
    """What one request may see of call links: the policy decision, made once."""

    def __init__(self, user, now, conference=None):
        conference = conference or Conference.get()
        self.user = user
        self.now = now
        # A static export is read long after its windows close, by anyone: never a link in it.
        self.allowed = conference.call_links_visible_to(user) and exporting() is None
        self.reason = "" if self.allowed else not_allowed_reason(conference, user)
        self.archived = conference.is_archived(now)

    def link(self, session, link):
        return call_link_state(
            session, link, allowed=self.allowed, now=self.now, reason=self.reason, archived=self.archived
        )


def window(session, link, now):
    """The call link as a public page (the same for everyone) shows it: the window's state,
    never the URL. Those allowed get the URL from /me/state.json (portal/state.py)."""
    archived = Conference.get().is_archived(now)
    state = call_link_state(session, "x" if link else "", allowed=True, now=now, archived=archived)
    return CallLink(state.state, state.opens_at)
