"""Poster-session coverage: how many sessions a day each time zone can attend at a healthy hour.

For every whole UTC offset from −12 to +14, the conference's days *as they fall there*
(the local dates from the first poster session's start to the last one's end), and on
each the sessions that start that local day and lie wholly within 08:00–22:00 local.
A day is *partial* at an offset when the poster sessions begin after its 08:00 or end
before its 22:00 there (the conference's first and last days, usually): fewer sessions
on it say nothing about the schedule, so the promise is judged on full days only.
"""

from dataclasses import dataclass, field
from datetime import timedelta, timezone

from posters.healthy_hours import healthy_window, within_healthy_hours
from schedule.models import Session

OFFSETS = range(-12, 15)
PROMISED_PER_DAY = 3


@dataclass
class OffsetDays:
    """One offset's local days: the count on each, and which are partial."""

    counts: dict  # local date -> sessions wholly within healthy hours
    partial: frozenset = field(default_factory=frozenset)

    @property
    def full_days(self):
        return [d for d in self.counts if d not in self.partial]

    def minimum(self):
        """The fewest on a full day (None: no full day at this offset)."""
        full = [self.counts[d] for d in self.full_days]
        return min(full) if full else None


@dataclass
class CoverageTable:
    days: list  # every local date any offset has, in order
    rows: dict  # offset -> OffsetDays

    def failing(self):
        return [o for o in OFFSETS if (m := self.rows[o].minimum()) is not None and m < PROMISED_PER_DAY]

    def unjudged(self):
        return [o for o in OFFSETS if self.rows[o].minimum() is None]

    def statement(self):
        failing, unjudged = self.failing(), self.unjudged()
        judged = len(OFFSETS) - len(unjudged)
        tail = ""
        if unjudged:
            tail = f" No full conference day at {', '.join(f'UTC{o:+03d}' for o in unjudged)}: not judged."
        if not failing:
            return (
                f"The promise holds: at every offset from UTC−12 to UTC+14 with a full conference day, at least "
                f"{PROMISED_PER_DAY} poster sessions on every full day fall wholly within 08:00–22:00 local time."
                + tail
            )
        names = ", ".join(f"UTC{o:+03d}" for o in failing)
        return (
            f"The promise of at least {PROMISED_PER_DAY} sessions a day within 08:00–22:00 does NOT hold for "
            f"{len(failing)} of {judged} offsets (full days only): {names}." + tail
        )


def coverage_table(sessions=None):
    if sessions is None:
        sessions = list(Session.objects.filter(kind=Session.Kind.POSTER).order_by("start"))
    if not sessions:
        return CoverageTable(days=[], rows={})
    first = min(s.start for s in sessions)
    last = max(s.end for s in sessions)
    rows = {}
    for offset in OFFSETS:
        zone = timezone(timedelta(hours=offset))
        day, final = first.astimezone(zone).date(), (last - timedelta(microseconds=1)).astimezone(zone).date()
        counts = {}
        while day <= final:
            counts[day] = 0
            day += timedelta(days=1)
        for s in sessions:
            if within_healthy_hours(s.start, s.end, zone):
                counts[s.start.astimezone(zone).date()] += 1
        partial = frozenset(
            d for d in counts if not (first <= healthy_window(d, zone)[0] and healthy_window(d, zone)[1] <= last)
        )
        rows[offset] = OffsetDays(counts=counts, partial=partial)
    days = sorted({d for row in rows.values() for d in row.counts})
    return CoverageTable(days=days, rows=rows)
