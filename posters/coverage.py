"""Poster-session coverage: how many sessions a day each time zone can attend at a healthy hour.

Counted per conference day (the day each session starts in the conference's zone): for
every whole UTC offset from −12 to +14, the sessions of that day that fall wholly within
08:00–22:00 local. For a schedule that repeats daily, as ICLR 2020's did, this is also the
number per local day.
"""

from dataclasses import dataclass
from datetime import timedelta, timezone

from portal.models import Conference
from posters.healthy_hours import within_healthy_hours
from schedule.models import Session

OFFSETS = range(-12, 15)
PROMISED_PER_DAY = 3


@dataclass
class CoverageTable:
    zone: str
    days: list
    counts: dict  # offset -> [count per day]

    def failing(self):
        return [o for o in OFFSETS if self.counts[o] and min(self.counts[o]) < PROMISED_PER_DAY]

    def statement(self):
        failing = self.failing()
        if not failing:
            return (
                f"The promise holds: at every offset from UTC−12 to UTC+14 at least {PROMISED_PER_DAY} poster "
                "sessions a day fall wholly within 08:00–22:00 local time."
            )
        names = ", ".join(f"UTC{o:+03d}" for o in failing)
        return (
            f"The promise of at least {PROMISED_PER_DAY} sessions a day within 08:00–22:00 does NOT hold for "
            f"{len(failing)} of {len(OFFSETS)} offsets: {names}."
        )


def coverage_table(sessions=None):
    if sessions is None:
        sessions = list(Session.objects.filter(kind=Session.Kind.POSTER).order_by("start"))
    conference = Conference.get()
    zone = conference.zone
    days = sorted({s.start.astimezone(zone).date() for s in sessions})
    by_day = {d: [s for s in sessions if s.start.astimezone(zone).date() == d] for d in days}
    counts = {}
    for offset in OFFSETS:
        fixed = timezone(timedelta(hours=offset))
        counts[offset] = [sum(1 for s in by_day[d] if within_healthy_hours(s.start, s.end, fixed)) for d in days]
    return CoverageTable(zone=conference.time_zone, days=days, counts=counts)
