"""A keynote's place in the programme: its recording (schedule.recordings, released by
the one rule: the last 02:00 Pacific/Auckland at or before its live Q&A starts) and its
Q&A session's public page."""

from keynotes.timing import release_day
from schedule.recordings.models import Recording
from schedule.recordings.services import recording_for


def sync(keynote):
    """Make or update the keynote's recording, and point its Q&A session at its page.
    Idempotent; a released recording keeps its day."""
    recording = Recording.objects.filter(subject_key=keynote.subject_key).first()
    if keynote.qa_session is not None or recording is not None:
        day = release_day(keynote)
        if recording is not None and recording.released_at is not None:
            day = recording.release_day
        recording = recording_for(
            keynote.subject_key, kind=Recording.Kind.KEYNOTE, title=keynote.title, release_day=day
        )
    qa = keynote.qa_session
    if qa is not None and not qa.url:
        qa.url = keynote.get_absolute_url()
        qa.save(update_fields=["url", "updated_at"])
    return recording
