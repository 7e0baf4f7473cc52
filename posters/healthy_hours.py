"""Healthy hours: 08:00–22:00 local time, when a person can reasonably attend a session.

The hours are the programme's own ("Only my healthy hours", schedule/days.py); here is what
posters ask of them: whether a session fits one local day's window, and that window.
"""

from datetime import datetime

from schedule.days import HEALTHY_END, HEALTHY_START

__all__ = ["HEALTHY_END", "HEALTHY_START", "healthy_window", "within_healthy_hours"]


def within_healthy_hours(start, end, zone):
    """Whether [start, end) falls wholly within 08:00–22:00 of one local day in `zone`."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return (
        local_start.date() == local_end.date()
        and local_start.time() >= HEALTHY_START
        and local_end.time() <= HEALTHY_END
    )


def healthy_window(day, zone):
    """The aware instants [08:00, 22:00) of this local day in `zone`."""
    return datetime.combine(day, HEALTHY_START, tzinfo=zone), datetime.combine(day, HEALTHY_END, tzinfo=zone)
