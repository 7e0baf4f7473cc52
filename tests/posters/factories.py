"""Factories for the posters tests: a paper in its poster sessions."""

from datetime import UTC, datetime, timedelta

from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory

MONDAY = datetime(2020, 4, 27, tzinfo=UTC)
ICLR_HOURS = (5, 8, 12, 17, 20)


def iclr_like_sessions(days=4):
    """ICLR 2020's poster grid: five two-hour sessions a day at 05, 08, 12, 17 and 20 UTC."""
    return [
        SessionFactory(
            uid=f"poster-{day}-{hour}",
            title=f"Day {day + 1} session {n + 1}",
            start=MONDAY + timedelta(days=day, hours=hour),
            end=MONDAY + timedelta(days=day, hours=hour + 2),
        )
        for day in range(days)
        for n, hour in enumerate(ICLR_HOURS)
    ]


def paper_in_sessions(sessions, **kwargs):
    paper = PaperFactory(**kwargs)
    for session in sessions:
        PosterSlotFactory(paper=paper, session=session, call_link=f"https://video.example.org/j/secret-{paper.uid}")
    return paper
