"""When a keynote's Q&A is open, and what its page says about it now.

The Q&A opens when the talk is released (its recording's release instant: 02:00 in the
release zone on its release day, schedule/recordings/release.py, or an organiser's early
release) and closes when the live session ends; afterwards it is read-only, kept for the
archive. A keynote without a live session has no Q&A.
"""

from dataclasses import dataclass
from datetime import datetime

from schedule.recordings.models import Recording
from schedule.recordings.release import release_day_for, release_instant


class Phase:
    NO_SESSION = "no_session"  # no live Q&A scheduled
    UPCOMING = "upcoming"  # before the live session (questions may be open already)
    LIVE = "live"  # the live session is on
    ENDED = "ended"  # watch the recording; the Q&A is read-only


@dataclass(frozen=True)
class Window:
    opens_at: datetime | None
    closes_at: datetime | None
    starts_at: datetime | None

    def is_open(self, now):
        return self.opens_at is not None and self.opens_at <= now < self.closes_at

    def phase(self, now):
        if self.closes_at is None:
            return Phase.NO_SESSION
        if now >= self.closes_at:
            return Phase.ENDED
        if now >= self.starts_at:
            return Phase.LIVE
        return Phase.UPCOMING

    def changes(self):
        """The instants at which what a page shows about the Q&A changes."""
        return [i for i in (self.opens_at, self.starts_at, self.closes_at) if i is not None]


def release_day(keynote):
    """The recording's release day, by the one rule (release_day_for): the last 02:00 in the
    release zone at or before the keynote's first session, its streamed talk or its live
    Q&A, so the talk is out before either in every zone (a Q&A at 12:00 UTC is already the
    next day in Auckland, whose 02:00 would come after it)."""
    sessions = [keynote.qa_session, keynote.talk_session if keynote.talk_session_id else None]
    starts = [s.start for s in sessions if s is not None]
    return release_day_for(min(starts)) if starts else None


def window(keynote, recording=None):
    """The Q&A's window; `recording` (the keynote's, or None) when the caller has it."""
    qa = keynote.qa_session
    if qa is None:
        return Window(None, None, None)
    if recording is not None and recording.release_override == Recording.Override.EARLY and recording.released_at:
        opens = min(recording.released_at, qa.start)
    elif recording is not None and recording.release_at:
        opens = recording.release_at
    else:
        opens = release_instant(release_day_for(qa.start))
    return Window(opens_at=min(opens, qa.start), closes_at=qa.end, starts_at=qa.start)
