"""`{% paper_media paper as media %}`: what the viewer may play of a paper's recording now."""

from django import template
from django.utils import timezone

from posters.uploads import recordings_by_uid
from schedule.recordings.media import media_for
from schedule.recordings.release import release_day_of, release_instant, release_zone_and_hour

register = template.Library()


@register.simple_tag(takes_context=True)
def paper_media(context, paper):
    request = context.get("request")
    user = getattr(request, "user", None)
    recording = recordings_by_uid([paper]).get(paper.uid)
    media = media_for(recording, user, timezone.now()) if user is not None else media_for(None, None, None)
    if media.release_at is None and (recording is None or not recording.release_day):
        # Not uploaded yet: the rule on the paper's first poster session (already on the page).
        starts = [item["session"].start for item in context.get("poster_sessions") or []]
        if starts:
            zone, hour = release_zone_and_hour(context.get("conference"))
            media.release_at = release_instant(release_day_of(min(starts), zone), zone, hour)
    return media
