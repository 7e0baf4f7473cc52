"""Workshops and their talks' pre-recorded videos (issue 17: "pre-recorded invited talks as
`schedule` recordings under the release rule").

A workshop is the schedule's session of kind `workshop`; its talks are the sessions under
it. A talk is the subject `talk:<session pk>` (schedule/subjects.py), registered from
BoothsConfig.ready(): its page is the workshop's, at the talk's anchor, and its recording
is uploaded on the one upload page (schedule/recordings/upload_views.py). Sessions carry
no speakers' addresses, so a talk has no authors: organisers upload, and so do the people
an organiser adds as its uploaders (Recording admin; `release.may_upload`).

A talk's recording is made when someone who may upload first opens its upload page (a
talk nobody records shows nothing); its release day is the rule's on the talk's start
(`release_day_for`: 02:00 Pacific/Auckland at or before it), kept current when the talk
moves or is renamed, and kept once it is released.
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from schedule.importers.ical import WORKSHOP_UID_PREFIX
from schedule.models import Session
from schedule.recordings.media import Media, media_for
from schedule.recordings.models import Recording
from schedule.recordings.release import release_day_for
from schedule.recordings.services import recording_for
from schedule.subjects import RecordingTerms, Subject, register_subject_kind

KIND = "talk"


def workshop_code(session):
    return session.uid.removeprefix(WORKSHOP_UID_PREFIX)


def workshop_talks():
    """Every workshop's talks: the sessions whose parent is a workshop."""
    return Session.objects.filter(parent__kind=Session.Kind.WORKSHOP)


def subject_key(talk):
    return f"{KIND}:{talk.pk}"


def talk_anchor(talk_pk):
    return f"talk-{talk_pk}"


def _pks(args):
    return [int(arg) for arg in args if arg.isdigit() and len(arg) < 18]


def resolve(args):
    """The workshop talks with these session ids, in one query."""
    rows = workshop_talks().filter(pk__in=_pks(args)).order_by().values_list("pk", "title", "parent__uid")
    subjects = []
    for pk, title, workshop_uid in rows:
        key = f"{KIND}:{pk}"
        page = reverse("booths:workshop", args=[workshop_uid.removeprefix(WORKSHOP_UID_PREFIX)])
        subjects.append(
            Subject(
                key=key,
                title=title,
                url=f"{page}#{talk_anchor(pk)}",
                upload_url=reverse("schedule:recording_upload_page", args=[key]),
            )
        )
    return subjects


def sync(talk, *, make=False):
    """Bring the talk's recording in line with the talk (title, release day by the rule on its
    start); make it first when `make`. A released recording keeps its day. Returns the
    recording, or None when there is none (and `make` was not asked)."""
    key = subject_key(talk)
    recording = Recording.objects.filter(subject_key=key).first()
    if recording is None and not make:
        return None
    day = release_day_for(talk.start)
    if recording is not None and recording.released_at is not None:
        day = recording.release_day
    return recording_for(key, kind=Recording.Kind.WORKSHOP_TALK, title=talk.title, release_day=day)


def recording(arg):
    """The talk's recording for its upload page, made on first use (None: no such talk)."""
    pks = _pks([arg])
    talk = workshop_talks().filter(pk__in=pks).first() if pks else None
    return sync(talk, make=True) if talk is not None else None


RECORDINGS = RecordingTerms(
    make=recording,
    release_basis="before the talk starts",
    release_pending="not set yet",
    who_uploads="the speakers an organiser added as uploaders",
    page_label="The workshop page",
)


def register():
    # No chat room per talk: the workshop's booth has the room.
    register_subject_kind(KIND, resolve, recordings=RECORDINGS, rooms=False)


@dataclass(frozen=True)
class TalkRow:
    """One talk on its workshop's page, as everyone sees it now."""

    talk: Session
    anchor: str
    key: str
    media: Media | None = None  # the player (released, with a video or slides)
    available_from: datetime | None = None  # the promise before the release

    @property
    def uid(self):
        """The player's element id (posters/_recording.html names it by `paper.uid`)."""
        return self.anchor

    @property
    def player(self):
        return self.media is not None and (self.media.has_video or bool(self.media.slides))


def talk_rows(talks, user, now):
    """The page's rows for these talks, with their recordings in one query: the player once
    released, the release instant before, nothing for a talk without a recording (or one an
    organiser holds back: no promise the page cannot keep)."""
    keys = {talk.pk: subject_key(talk) for talk in talks}
    recordings = {
        r.subject_key: r
        for r in Recording.objects.select_related("current_version").filter(subject_key__in=keys.values())
    }
    rows = []
    for talk in talks:
        key = keys[talk.pk]
        row = TalkRow(talk=talk, anchor=talk_anchor(talk.pk), key=key)
        found = recordings.get(key)
        if found is not None and found.release_override != Recording.Override.HELD:
            media = media_for(found, user, now)
            if media.released:
                row = TalkRow(talk=talk, anchor=row.anchor, key=key, media=media)
            elif media.release_at is not None:
                row = TalkRow(talk=talk, anchor=row.anchor, key=key, available_from=media.release_at)
        rows.append(row)
    return rows


def uploader_state(user, talk_pks):
    """The state part "talks" (/me/state.json?talks=<pk>,…): for each of these talks this
    visitor may upload for, the link to its upload page. Organisers may for every talk;
    anyone else for the talks whose recording an organiser added them to (one query)."""
    if not user.is_authenticated:
        return {}
    if user.is_organiser:
        pks = list(workshop_talks().filter(pk__in=talk_pks).values_list("pk", flat=True))
    else:
        keys = Recording.objects.filter(uploaders=user, subject_key__in=[f"{KIND}:{pk}" for pk in talk_pks])
        pks = [int(key.partition(":")[2]) for key in keys.values_list("subject_key", flat=True)]
    return {
        str(pk): {"uploader": True, "upload_url": reverse("schedule:recording_upload_page", args=[f"{KIND}:{pk}"])}
        for pk in sorted(pks)
    }
