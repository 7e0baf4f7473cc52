"""Who sees a live session's video-call link (a poster slot's, a Q&A's), and when.

A link is shown only when both hold: the conference's policy lets this viewer see call
links (`Conference.call_links_visible_to`), and the session is in its window, from
LEAD before it starts until it ends. Everything that renders a slot (pages, API) goes
through `call_link_state`, and templates only ever see the URL it returns, so a link can
never reach someone who may not see it.
"""

from dataclasses import dataclass
from datetime import datetime

from portal.models import Conference
from schedule.models import CALL_LINK_LEAD as LEAD


class State:
    OPEN = "open"  # the link is shown
    NOT_YET = "not_yet"  # allowed, but the window has not opened: say when it will
    ENDED = "ended"
    NO_LINK = "no_link"  # in the window, but the organisers have not set a link
    NOT_ALLOWED = "not_allowed"  # this viewer may never see it (policy)


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
    if conference.call_link_visibility == policy.NOBODY:
        return "Video-call links are not published on this site."
    if not user.is_authenticated:
        if conference.call_link_visibility == policy.REGISTERED:
            return "Log in as a registered attendee to see the video-call link."
        return "Log in to see the video-call link."
    return "Video-call links are for registered attendees."


def call_link_state(session, link, *, allowed, now, reason=""):
    """The CallLink a viewer gets for `link` in `session` at `now`.

    `allowed` is `conference.call_links_visible_to(user)`, computed once per request.
    """
    start = opens_at(session)
    if now >= session.end:
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
        self.allowed = conference.call_links_visible_to(user)
        self.reason = "" if self.allowed else not_allowed_reason(conference, user)

    def link(self, session, link):
        return call_link_state(session, link, allowed=self.allowed, now=self.now, reason=self.reason)


def window(session, link, now):
    """The call link as a public page (the same for everyone) shows it: the window's state,
    never the URL. Those allowed get the URL from /me/state.json (portal/state.py)."""
    state = call_link_state(session, "x" if link else "", allowed=True, now=now)
    return CallLink(state.state, state.opens_at)
