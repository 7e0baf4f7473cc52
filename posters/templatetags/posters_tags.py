from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from portal import page_cache
from posters.healthy_hours import within_healthy_hours
from posters.page_cache import star_button as render_star_button

register = template.Library()

OUTSIDE_HOLE = "outside-healthy"
OUTSIDE_NOTE = '<span class="muted">(outside 08:00–22:00 your time)</span>'


@register.simple_tag
def star_button(paper):
    """A paper's bookmark star (see posters.page_cache.personalise)."""
    return render_star_button(paper.uid, paper.title, bool(getattr(paper, "is_bookmarked", False)))


@register.simple_tag
def outside_healthy_hours_note(session):
    """A note when the session is not wholly within 08:00–22:00 in the viewer's zone (a
    hole on pages rendered for every zone, see portal.page_cache)."""
    if page_cache.zone_free():
        span = f"{session.start.timestamp():.0f}~{session.end.timestamp():.0f}"
        return mark_safe(page_cache.placeholder(OUTSIDE_HOLE, span))
    return _note(session.start, session.end, timezone.get_current_timezone())


def fill_outside_note(request, arg):
    """portal.page_cache filler for the hole "outside-healthy" (arg: start~end, epoch seconds)."""
    try:
        start, end = (datetime.fromtimestamp(int(s), UTC) for s in arg.split("~"))
    except ValueError:
        return ""
    return _note(start, end, getattr(request, "viewer_zone", None) or UTC)


def _note(start, end, zone):
    return "" if within_healthy_hours(start, end, zone) else mark_safe(OUTSIDE_NOTE)
