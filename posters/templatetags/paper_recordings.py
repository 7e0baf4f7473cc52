"""`{% paper_media paper as media %}`: what the viewer may play of a paper's recording now;
`{% paper_media_section paper %}`: the paper page's video-and-slides place.

On a cached page (portal.page_cache) the place is shared when it is the same for every
viewer of the page's class; a logged-in viewer of a recording not yet public may be an
organiser or one of its authors (who preview it), so there it is a hole filled per request.
"""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from portal import page_cache
from portal.models import Conference
from posters.uploads import recordings_by_uid
from schedule.recordings.media import media_for
from schedule.recordings.release import is_public, release_day_of, release_instant, release_zone_and_hour

register = template.Library()


def _media(request, paper, recording, starts, conference):
    user = getattr(request, "user", None)
    media = media_for(recording, user, timezone.now()) if user is not None else media_for(None, None, None)
    if media.release_at is None and (recording is None or not recording.release_day) and starts:
        # Not uploaded yet: the rule on the paper's first poster session (already on the page).
        zone, hour = release_zone_and_hour(conference)
        media.release_at = release_instant(release_day_of(min(starts), zone), zone, hour)
    return media


@register.simple_tag(takes_context=True)
def paper_media(context, paper):
    recording = recordings_by_uid([paper]).get(paper.uid)
    starts = [item["session"].start for item in context.get("poster_sessions") or []]
    return _media(context.get("request"), paper, recording, starts, context.get("conference"))


@register.simple_tag(takes_context=True)
def paper_media_section(context, paper):
    request = context.get("request")
    recording = recordings_by_uid([paper]).get(paper.uid)
    if recording is not None and recording.release_at:
        page_cache.changes_at(request, recording.release_at)
    user = getattr(request, "user", None)
    if (
        page_cache.is_shared(request)
        and user is not None
        and user.is_authenticated
        and recording is not None
        and not is_public(recording, timezone.now())
    ):
        return page_cache.hole(request, "paper-media", paper.uid)
    starts = [item["session"].start for item in context.get("poster_sessions") or []]
    media = _media(request, paper, recording, starts, context.get("conference"))
    return render_to_string("posters/_recording.html", {"paper": paper, "media": media, "request": request})


def fill_paper_media(request, uid):
    """The place for this viewer (portal.page_cache hole "paper-media")."""
    from posters.models import Paper, PosterSlot

    paper = Paper.objects.only("id", "uid", "title").filter(uid=uid).first()
    if paper is None:
        return ""
    recording = recordings_by_uid([paper]).get(paper.uid)
    starts = list(PosterSlot.objects.filter(paper=paper).values_list("session__start", flat=True))
    media = _media(request, paper, recording, starts, Conference.get())
    return render_to_string("posters/_recording.html", {"paper": paper, "media": media, "request": request})
