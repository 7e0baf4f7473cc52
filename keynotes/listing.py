"""What the keynote pages and the API list, in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from keynotes.models import Keynote, Question, Speaker, Vote
from keynotes.timing import Window, window
from portal.timezones import local_day_bounds
from schedule.recordings.models import Recording


@dataclass
class Row:
    keynote: Keynote
    window: Window
    recording: Recording | None
    phase: str


def keynotes_with_speakers():
    return Keynote.objects.select_related("qa_session").prefetch_related(
        Prefetch("speakers", queryset=Speaker.objects.order_by("position", "name"))
    )


def recordings_for(keynotes):
    keys = [k.subject_key for k in keynotes]
    return {r.subject_key: r for r in Recording.objects.filter(subject_key__in=keys)}


def keynote_rows(now, keynotes=None):
    """Every keynote (in Q&A order) with its Q&A window and phase: three queries."""
    keynotes = list(keynotes if keynotes is not None else keynotes_with_speakers())
    recordings = recordings_for(keynotes)
    rows = []
    for keynote in keynotes:
        recording = recordings.get(keynote.subject_key)
        qa = window(keynote, recording)
        rows.append(Row(keynote, qa, recording, qa.phase(now)))
    return rows


def page_questions(keynote, sort="top"):
    """The questions everyone sees: visible ones, by votes (ties: oldest first) or newest.

    Plain rows with what the page shows (keynotes.rendering), not model instances: making
    140 questions and their askers into objects took longer than writing their HTML.
    """
    order = ("-votes", "created_at", "pk") if sort == "top" else ("-created_at", "-pk")
    return list(
        Question.objects.filter(keynote=keynote, status=Question.Status.VISIBLE)
        .order_by(*order)
        .values_list(
            "pk",
            "body",
            "anonymous",
            "votes",
            "answered_at",
            "created_at",
            "author__display_name",
            "author__email",
            named=True,
        )
    )


def summary(keynote):
    counts = keynote.questions.aggregate(
        asked=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        hidden=Count("pk", filter=Q(status=Question.Status.HIDDEN)),
        merged=Count("pk", filter=Q(status=Question.Status.MERGED)),
        pending=Count("pk", filter=Q(status=Question.Status.PENDING)),
        askers=Count("author", distinct=True),
    )
    votes = Vote.objects.filter(question__keynote=keynote).aggregate(
        votes=Count("pk"), voters=Count("user", distinct=True)
    )
    top = list(
        keynote.questions.filter(status=Question.Status.VISIBLE)
        .select_related("author")
        .order_by("-votes", "created_at")[:10]
    )
    return {**counts, **votes, "peak_watchers": keynote.peak_watchers, "top": top}


def todays_keynotes(now, zone):
    """The keynotes whose live Q&A falls on the viewer's today (for the home page)."""
    day = now.astimezone(zone).date()
    start, end = local_day_bounds(day, zone)
    return keynote_rows(now, keynotes_with_speakers().filter(qa_session__start__lt=end, qa_session__end__gt=start))
