"""The programme as a viewer's days: which local days the conference covers, which
sessions fall on each, which cross the viewer's midnight, and the healthy-hours rule.

Everything takes aware UTC instants and a zone; nothing here reads the request, so the
same rules serve pages, the API, e-mails and feeds.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Min

from portal.timezones import local_day_bounds
from schedule.models import Session

# "Only my healthy hours": sessions that lie wholly within 08:00–22:00 local time.
HEALTHY_START = time(8)
HEALTHY_END = time(22)
# Never build more columns than this, whatever the data says (a runaway import).
MAX_DAYS = 21


@dataclass(frozen=True)
class Span:
    """The instants [start, end) the programme covers."""

    start: datetime
    end: datetime


def programme_span(conference):
    """From the first session's start to the last one's end; the conference's own days
    (in its zone) while there are no sessions yet."""
    bounds = Session.objects.aggregate(first=Min("start"), last=Max("end"))
    if bounds["first"] is not None:
        return Span(bounds["first"], bounds["last"])
    start, _ = local_day_bounds(conference.start_date, conference.zone)
    _, end = local_day_bounds(conference.end_date, conference.zone)
    return Span(start, end)


def local_days(span, zone):
    """The viewer's calendar days that the span touches, in order."""
    first = span.start.astimezone(zone).date()
    last = (span.end - timedelta(microseconds=1)).astimezone(zone).date()
    count = min((last - first).days + 1, MAX_DAYS)
    return [first + timedelta(days=n) for n in range(count)]


def today_in(zone, now):
    return now.astimezone(zone).date()


def default_day(days, zone, now):
    """Today when the conference is on (for this viewer), else its first day."""
    today = today_in(zone, now)
    if days and days[0] <= today <= days[-1]:
        return today
    return days[0] if days else today


def parse_day(value):
    """A date from 'YYYY-MM-DD', or None."""
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class DayEntry:
    """A session as it appears on one local day."""

    session: Session
    day: date
    from_previous_day: bool  # started before this day's local midnight
    into_next_day: bool  # still running at the next local midnight

    @property
    def crosses_midnight(self):
        return self.from_previous_day or self.into_next_day


def entries_for_day(sessions, day, zone):
    """The sessions that share time with the local day, each marked where it crosses midnight."""
    start, end = local_day_bounds(day, zone)
    return [
        DayEntry(s, day, from_previous_day=s.start < start, into_next_day=s.end > end)
        for s in sessions
        if s.start < end and s.end > start
    ]


def entries_by_day(sessions, days, zone):
    """{day: [DayEntry]} for every day, sessions crossing midnight under each day they touch."""
    by_day = {day: [] for day in days}
    bounds = {day: local_day_bounds(day, zone) for day in days}
    for session in sessions:
        first = session.start.astimezone(zone).date()
        last = (session.end - timedelta(microseconds=1)).astimezone(zone).date()
        day = max(first, days[0]) if days else first
        while day <= last and day in by_day:
            start, end = bounds[day]
            by_day[day].append(
                DayEntry(session, day, from_previous_day=session.start < start, into_next_day=session.end > end)
            )
            day += timedelta(days=1)
    return by_day


def same_day(start, end):
    """Whether a local range needs no second date: it ends that day, or at its midnight."""
    return end.date() == start.date() or (end - start < timedelta(days=1) and end.time() == time.min)


def in_healthy_hours(session, zone):
    """Whether the session lies wholly within 08:00–22:00 of one local day."""
    start = session.start.astimezone(zone)
    end = session.end.astimezone(zone)
    day = start.date()
    window_start = datetime.combine(day, HEALTHY_START, tzinfo=zone)
    window_end = datetime.combine(day, HEALTHY_END, tzinfo=zone)
    return window_start <= start and end <= window_end
