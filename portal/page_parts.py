"""Blocks a higher layer adds to a lower layer's public page, without an upward import.

A feature's page (the paper page in `posters`) names a place; a layer above it (people:
"the authors' profiles") registers what goes there, once from its AppConfig.ready:

    register_page_part("paper", render)      # render(request, **context) -> HTML or ""

and the page's view asks `render_page_parts("paper", request, paper=paper)`. What a part
renders is on a public page (portal.public): the same for every visitor, nothing personal.
"""

from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

_parts: dict[str, dict[str, object]] = {}


def register_page_part(place, render, *, name=None):
    _parts.setdefault(place, {})[name or f"{render.__module__}.{render.__qualname__}"] = render


def render_page_parts(place, request, **context):
    rendered = [render(request, **context) for render in _parts.get(place, {}).values()]
    return format_html_join("", "{}", ((mark_safe(html),) for html in rendered if html))
