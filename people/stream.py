"""The livestream's running order: what is on the stream now and next, and where each
segment leads (a paper and its next poster session, a keynote, a booth).

Organisers build it in admin (people.admin.StreamSegmentAdmin); `/live/` (schedule's
page, through portal/page_parts.py) and the home page show it. A keynote segment names
its session or its subject key (`keynote:<slug>`): people does not import keynotes.
"""

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from people.models import StreamSegment
from portal.public import changes_at
from posters.models import PosterSlot
from schedule.call_links import refuse_call_links
from schedule.subjects import split_key, subjects_by_key

NEXT_COUNT = 3


def validate(segment):
    """Model-level checks of one segment (admin's form calls this through clean)."""
    errors = {}
    if segment.start and segment.end and segment.end <= segment.start:
        errors["end"] = "A segment ends after it starts."
    key = (segment.subject_key or "").strip()
    if key:
        if split_key(key) is None:
            errors["subject_key"] = f"“{key[:60]}” is not a key (paper:<UID>, keynote:<slug>, booth:<slug>)."
        else:
            subject = subjects_by_key([key]).get(key)
            kind = key.partition(":")[0]
            if subject is None and not (kind == "keynote" and segment.session_id):
                errors["subject_key"] = f"Nothing is known by “{key[:60]}”: check the UID or slug."
            elif subject is not None and subject.private:
                errors["subject_key"] = "A private booth cannot be on the stream."
    if segment.kind == StreamSegment.Kind.SPOTLIGHT and not key.startswith("paper:"):
        errors.setdefault("subject_key", "A poster spotlight is about a paper: paper:<UID>.")
    if segment.kind == StreamSegment.Kind.KEYNOTE and not (key or segment.session_id):
        errors["session"] = "A keynote segment names its session or its key (keynote:<slug>)."
    if segment.start and segment.end and not errors:
        overlapping = StreamSegment.objects.filter(start__lt=segment.end, end__gt=segment.start).exclude(pk=segment.pk)
        other = overlapping.first()
        if other is not None:
            errors["start"] = f"The stream shows one thing at a time: this overlaps “{other.title}”."
    if errors:
        raise ValidationError(errors)
    refuse_call_links(segment, ["title", "note", "clip_url"], "the session")


def fill_next_session(segment):
    """A spotlight without a session gets its paper's next poster session after it ends."""
    if segment.kind != StreamSegment.Kind.SPOTLIGHT or segment.session_id or not segment.end:
        return
    uid = segment.subject_key.partition(":")[2]
    slot = (
        PosterSlot.objects.filter(paper__uid=uid, session__end__gt=segment.end)
        .select_related("session")
        .order_by("session__start")
        .first()
    )
    if slot is not None:
        segment.session = slot.session


def now_and_next(now=None, count=NEXT_COUNT):
    """(the segment on now or None, the next `count`), with `target` (the subject: title,
    url) on each; two queries and one per kind of subject."""
    now = now or timezone.now()
    segments = list(
        StreamSegment.objects.filter(end__gt=now).select_related("session").order_by("start", "id")[: count + 1]
    )
    targets = subjects_by_key([s.subject_key for s in segments if s.subject_key])
    for segment in segments:
        segment.target = targets.get(segment.subject_key)
    current = segments[0] if segments and segments[0].start <= now else None
    upcoming = [s for s in segments if s is not current][:count]
    return current, upcoming


def running_order_block(request, **context):
    """/live/'s running order (place "live"): now and next, each with where it leads."""
    now = timezone.now()
    current, upcoming = now_and_next(now)
    changes_at(request, current.end if current else None, *(s.start for s in upcoming))
    if current is None and not upcoming:
        return ""
    return render_to_string(
        "people/_running_order.html", {"current": current, "upcoming": upcoming, "now": now}, request=request
    )
