"""A paper's pre-recorded talk, seen from the papers: who its authors are (for uploads and
previews), which recording is the paper's (``paper:<uid>``) and on which day it is released
(the latest New Zealand date whose 02:00 is at or before the paper's first poster session,
DESIGN.md "Release rule").

schedule and chat ask about authors through the "paper" subject kind (posters/subjects.py).
"""

from datetime import UTC

from django.db.models import Min, Q
from django.db.models.functions import Lower

from portal.models import verified_addresses
from posters.models import AuthorEmail, Authorship, Paper, PosterSlot
from schedule.models import Recording
from schedule.recordings import release
from schedule.recordings.release import release_day_for, release_instant
from schedule.recordings.services import recording_for

PREFIX = "paper:"


def subject_key(paper):
    return f"{PREFIX}{paper.uid}"


def paper_uid_of(key):
    """The paper UID of a recording's subject key, or None if it is not a paper's."""
    return key[len(PREFIX) :] if key.startswith(PREFIX) else None


def authorships_of(user):
    """The authorships whose author's e-mail is one the user has *verified* (an address
    typed in at sign-up proves nothing)."""
    return Authorship.objects.alias(address=Lower("author__email")).filter(address__in=verified_addresses(user.pk))


def authored_paper_ids(user):
    """The ids of the papers with an author's address the user has verified: the author's own
    e-mail, or one an import gave for the paper (`AuthorEmail`), as a subquery."""
    imported = AuthorEmail.objects.filter(email__in=verified_addresses(user.pk)).values("paper_id")
    return Paper.objects.filter(Q(pk__in=authorships_of(user).values("paper_id")) | Q(pk__in=imported)).values("pk")


def is_author(key, user):
    """A user who has verified an author's e-mail on the paper (organiser-added uploaders
    are checked by schedule itself)."""
    uid = paper_uid_of(key)
    if not uid or not user.is_authenticated:
        return False
    return Paper.objects.filter(uid=uid, pk__in=authored_paper_ids(user)).exists()


def may_upload(user, paper):
    return release.may_upload(subject_key(paper), user)


def authored_papers(user):
    """The papers this person may upload for, by title."""
    if not user.is_authenticated:
        return Paper.objects.none()
    added = Recording.objects.filter(uploaders=user, subject_key__startswith=PREFIX).values_list(
        "subject_key", flat=True
    )
    uids = [paper_uid_of(k) for k in added]
    by_email = Q(pk__in=authored_paper_ids(user))
    return Paper.objects.defer("search_vector").filter(by_email | Q(uid__in=uids)).distinct().order_by("title")


def release_day(paper):
    """The release day by the rule on the paper's first poster session (None without one)."""
    first = PosterSlot.objects.filter(paper=paper).aggregate(first=Min("session__start"))["first"]
    return release_day_for(first) if first else None


def sync_release_days(paper_ids=None):
    """Move unreleased recordings to their paper's current release day.

    A paper's day follows its first poster session, so when sessions move or slots are
    reassigned the recording's `release_at` must follow. Returns how many moved.
    """
    firsts = PosterSlot.objects.values("paper__uid").annotate(first=Min("session__start"))
    if paper_ids is not None:
        firsts = firsts.filter(paper_id__in=paper_ids)
    zone, hour = release.release_zone_and_hour()
    day_by_key = {f"{PREFIX}{row['paper__uid']}": release_day_for(row["first"], zone, hour) for row in firsts}
    recordings = Recording.objects.filter(released_at__isnull=True, subject_key__startswith=PREFIX)
    if paper_ids is not None:
        recordings = recordings.filter(subject_key__in=day_by_key)
    moved = 0
    for recording in recordings.only("pk", "subject_key", "release_day"):
        day = day_by_key.get(recording.subject_key)
        if day and day != recording.release_day:
            recording.release_day = day
            recording.save(update_fields=["release_day"])
            moved += 1
    return moved


def recording_for_paper(paper):
    return recording_for(
        subject_key(paper), kind=Recording.Kind.POSTER, title=paper.title, release_day=release_day(paper)
    )


def recordings_by_uid(papers):
    """{uid: Recording} for these papers in one query (lists and the API: no N+1); unordered,
    as the answer is by UID (every paper page's render asks: the ordering was a fifth of
    the query's cost to build)."""
    keys = [subject_key(p) for p in papers]
    rows = Recording.objects.select_related("current_version").filter(subject_key__in=keys).order_by()
    return {paper_uid_of(r.subject_key): r for r in rows}


def release_at(paper, recording, first_session_start=None):
    """When the paper's video goes public: the recording's, else the rule on its first session."""
    if recording is not None and recording.release_at:
        return recording.release_at
    if first_session_start is None:
        first_session_start = PosterSlot.objects.filter(paper=paper).aggregate(first=Min("session__start"))["first"]
    return release_instant(release_day_for(first_session_start)) if first_session_start else None


def _authored_uids(user):
    if not user.is_authenticated:
        return set()
    return set(authored_papers(user).values_list("uid", flat=True))


def api_video(paper, context, siblings):
    """The paper's `video` object for the API: `release_at` (UTC) always, media URLs only
    when this viewer may see them. Loads every sibling's recording at once (no N+1)."""
    from django.utils import timezone

    from schedule.recordings.media import media_for
    from schedule.recordings.release import is_public, release_zone_and_hour

    cache = context.setdefault("_videos", {})
    request = context["request"]
    if "now" not in cache:
        cache["now"] = timezone.now()
        cache["zone"] = release_zone_and_hour()
        cache["authored"] = None
    if paper.uid not in cache.setdefault("recordings", {}):
        cache["recordings"].update({p.uid: None for p in siblings})
        cache["recordings"].update(recordings_by_uid(siblings))
    recording = cache["recordings"][paper.uid]
    now = cache["now"]
    if recording is not None and recording.release_at:
        when = recording.release_at
    else:
        starts = [slot.session.start for slot in paper.poster_slots.all()]
        zone, hour = cache["zone"]
        when = release_instant(release_day_for(min(starts), zone, hour), zone, hour) if starts else None
    entry = {
        "release_at": when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None,
        "status": recording.status if recording else Recording.Status.MISSING,
        "released": False,
    }
    if recording is None:
        return entry
    visible = is_public(recording, now)
    if not visible and request.user.is_authenticated:
        if cache["authored"] is None:
            cache["authored"] = _authored_uids(request.user)
        visible = request.user.is_organiser or paper.uid in cache["authored"]
    if not visible:
        return entry
    media = media_for(recording, request.user, now)
    if media.released:
        entry.update(
            released=True,
            sources=[{"label": s["label"], "url": request.build_absolute_uri(s["url"])} for s in media.sources],
            audio=request.build_absolute_uri(media.audio) if media.audio else None,
            poster=request.build_absolute_uri(media.poster) if media.poster else None,
            captions=request.build_absolute_uri(media.captions) if media.captions else None,
            slides=request.build_absolute_uri(media.slides) if media.slides else None,
            external_url=media.external_url or None,
            duration_seconds=media.duration.total_seconds() if media.duration else None,
        )
    return entry
