"""`{% paper_media paper as media %}`: what the viewer may play of a paper's recording now;
`{% paper_media_section paper %}`: the paper page's video-and-slides place.

The paper page is public (portal.public): it shows what everyone may play; authors and
organisers preview a recording not yet released on the upload pages.
"""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from portal.public import changes_at
from posters.uploads import recordings_by_uid
from schedule.recordings.media import media_for
from schedule.recordings.release import release_day_for, release_instant, release_zone_and_hour

register = template.Library()


def _media(request, paper, recording, starts, conference):
    user = getattr(request, "user", None)
    now = timezone.now()
    media = media_for(recording, user, now) if user is not None else media_for(None, None, None)
    if media.release_at is None and (recording is None or not recording.release_day) and starts:
        # Not uploaded yet: the rule on the paper's first poster session (already on the page).
        zone, hour = release_zone_and_hour(conference)
        media.release_at = release_instant(release_day_for(min(starts), zone, hour), zone, hour)
    if not media.released and media.release_at is not None:
        if media.release_at <= now:
            # A promise in the past ("will be available from" yesterday) is no promise: a
            # held recording, or none uploaded yet, simply is not there.
            media.release_at = None
        else:
            # The promise vanishes (or the video appears) then: the page reports it (its copy
            # in nginx ends then, or within the spread after it: portal.public.max_age).
            changes_at(request, media.release_at)
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
        changes_at(request, recording.release_at)
    starts = [item["session"].start for item in context.get("poster_sessions") or []]
    media = _media(request, paper, recording, starts, context.get("conference"))
    return render_to_string("posters/_recording.html", {"paper": paper, "media": media, "request": request})
