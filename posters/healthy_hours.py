"""Healthy hours: 08:00–22:00 local time, when a person can reasonably attend a session."""

from datetime import time

HEALTHY_START = time(8)
HEALTHY_END = time(22)


def within_healthy_hours(start, end, zone):
    """Whether [start, end) falls wholly within 08:00–22:00 of one local day in `zone`."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return (
        local_start.date() == local_end.date()
        and local_start.time() >= HEALTHY_START
        and local_end.time() <= HEALTHY_END
    )
