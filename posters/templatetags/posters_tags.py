from django import template

from posters.page_cache import star_button as render_star_button

register = template.Library()


@register.simple_tag
def star_button(paper):
    """A paper's bookmark star (see posters.page_cache.personalise)."""
    return render_star_button(paper.uid, paper.title, bool(getattr(paper, "is_bookmarked", False)))
