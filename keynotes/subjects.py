"""The "keynote" subject kind (`keynote:<slug>`): what the lower layers ask about a keynote.

Registered once from KeynotesConfig.ready() (schedule/subjects.py). Recordings ask it
who may upload the talk (the speakers, by a verified address), chat opens the room
`keynote:<slug>` for a keynote that exists, the agenda names an item by its title.
"""

from collections import defaultdict

from django.urls import reverse

from keynotes import programme
from keynotes.models import KIND, Keynote, Speaker
from portal.models import verified_addresses
from schedule.recordings.models import Recording
from schedule.recordings.services import recording_for
from schedule.subjects import RecordingTerms, Subject, register_subject_kind


def resolve(slugs):
    titles, emails = {}, defaultdict(set)
    rows = Keynote.objects.filter(slug__in=slugs).order_by().values_list("slug", "title", "speakers__email")
    for slug, title, email in rows:
        titles[slug] = title
        if email:
            emails[slug].add(email.lower())
    return [
        Subject(
            key=f"{KIND}:{slug}",
            title=title,
            url=reverse("keynotes:detail", args=[slug]),
            upload_url=reverse("keynotes:recording", args=[slug]),
            author_emails=frozenset(emails[slug]),
        )
        for slug, title in titles.items()
    ]


def is_author(slug, user):
    return Speaker.objects.filter(keynote__slug=slug, email__in=verified_addresses(user)).exists()


def authored_by(user):
    return list(
        Speaker.objects.filter(email__in=verified_addresses(user)).values_list("keynote__slug", flat=True).distinct()
    )


def recording(slug):
    """The keynote's recording, on the day of its live Q&A (keynotes/programme.py); made
    without a day while it has none. None: no such keynote."""
    keynote = Keynote.objects.select_related("qa_session").filter(slug=slug).first()
    if keynote is None:
        return None
    return programme.sync(keynote) or recording_for(
        keynote.subject_key, kind=Recording.Kind.KEYNOTE, title=keynote.title, release_day=None
    )


RECORDINGS = RecordingTerms(
    make=recording,
    release_basis="before its live Q&A starts",
    release_pending="set once the keynote has its live Q&A session",
    who_uploads="the keynote's speakers",
    page_label="The keynote page",
)


def register():
    register_subject_kind(KIND, resolve, is_author=is_author, authored_by=authored_by, recordings=RECORDINGS)
