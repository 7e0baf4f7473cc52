from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from posters.healthy_hours import within_healthy_hours

register = template.Library()

OUTSIDE_NOTE = '<span class="muted">(outside 08:00–22:00 your time)</span>'


@register.simple_tag
def star_button(paper):
    """A paper's bookmark star (static/js/state.js and papers.js switch on the visitor's)."""
    on = bool(getattr(paper, "is_bookmarked", False))
    return format_html(
        '<button type="submit" class="star{}" data-uid="{}" aria-pressed="{}" title="{}">'
        '<span class="star-icon" aria-hidden="true">{}</span><span class="visually-hidden">Bookmark “{}”</span>'
        "</button>",
        " on" if on else "",
        paper.uid,
        "true" if on else "false",
        "Remove the bookmark" if on else "Bookmark this paper",
        "★" if on else "☆",
        paper.title,
    )


@register.simple_tag
def outside_healthy_hours_note(session):
    """A note when the session is not wholly within 08:00–22:00 in the viewer's zone."""
    zone = timezone.get_current_timezone()
    return "" if within_healthy_hours(session.start, session.end, zone) else mark_safe(OUTSIDE_NOTE)
