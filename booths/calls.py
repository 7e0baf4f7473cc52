"""A booth's video-call link under schedule/call_links.py's one rule.

A booth's call is open (from CALL_LINK_LEAD before) while one of its slots runs, or while a
host has marked it open (`open_until`); an all-day booth is open on every conference day:
its slots say when (a social's day-long sessions), and without slots (a workshop's booth)
it is open from the conference's first midnight to the midnight after its last day. A
self-organised booth's call is open from its start until it closes, and only for its members.
Whoever may see it, `schedule.call_links` decides the state and the URL: pages and the state
request only ever see what `booth_call` returns.
"""

from dataclasses import dataclass
from datetime import datetime

from portal.models import Conference
from schedule.call_links import CallLink, State, Viewer, call_link_state, opens_at


@dataclass(frozen=True)
class Window:
    """A span a booth's call is open in, shaped as schedule.call_links expects of a session."""

    start: datetime
    end: datetime


def windows(booth, slots, now):
    """The booth's call windows: its slots' (the conference's days for an all-day booth
    without slots) and a host's "open now" (sorted by start)."""
    found = [Window(s.start, s.end) for s in slots]
    if booth.all_day and not found:
        conference = Conference.get()
        found.append(Window(conference.starts_at, conference.ends_at))
    if booth.open_until and booth.open_until > now:
        found.append(Window(now, booth.open_until))
    return sorted(found, key=lambda w: (w.start, w.end))


def current_window(booth, slots, now):
    """The window that is open now, else the next one, else the last that ended (or None)."""
    spans = windows(booth, slots, now)
    for window in spans:
        if opens_at(window) <= now < window.end:
            return window
    upcoming = [w for w in spans if now < opens_at(w)]
    if upcoming:
        return upcoming[0]
    return spans[-1] if spans else None


def is_open_now(booth, slots, now):
    """Whether the booth is open (a slot runs or a host marked it open): "now open"."""
    return any(w.start <= now < w.end for w in windows(booth, slots, now))


def private_window(booth):
    return Window(booth.created_at, booth.closed_at or booth.closes_at)


def booth_call(booth, slots, viewer: Viewer, *, member=False) -> CallLink:
    """The CallLink `viewer` gets for `booth` now (`slots`: its sessions, prefetched)."""
    now = viewer.now
    if booth.is_private:
        allowed = viewer.allowed and member
        reason = viewer.reason or ("" if member else "Only the booth's members see its video call.")
        return call_link_state(private_window(booth), booth.call_link, allowed=allowed, now=now, reason=reason)
    window = current_window(booth, slots, now)
    if window is None:
        if not viewer.allowed:
            return CallLink(State.NOT_ALLOWED, now, reason=viewer.reason)
        return CallLink(State.CLOSED, now)
    return viewer.link(window, booth.call_link)


def changes(booth, slots, now):
    """Instants after `now` where the booth's public state (open now, call window) changes."""
    instants = []
    for window in windows(booth, slots, now):
        instants += [opens_at(window), window.start, window.end]
    return [i for i in instants if i > now]
