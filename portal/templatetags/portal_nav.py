"""The site's main navigation.

Each section's page is built by its own app; until its URL name resolves, the item is
left out, so the navigation never links to a 404.
"""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

MAIN_NAV = [
    ("home", "Home"),
    ("schedule:index", "Schedule"),
    ("posters:paper_list", "Papers"),
    ("keynotes:index", "Keynotes"),
    ("booths:index", "Booths"),
    ("chat:corridor", "Corridor"),
    ("schedule:my_agenda", "My agenda"),
    ("help", "Help"),
]


def nav_items(path):
    """[(url, label, is_current)] for the sections that exist; at most one is current."""
    items = []
    for name, label in MAIN_NAV:
        try:
            items.append((reverse(name), label))
        except NoReverseMatch:
            continue
    # The current section is the longest URL that the path starts with ("/" only for itself),
    # so /schedule/my-agenda/ marks "My agenda", not "Schedule".
    matches = [url for url, _ in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    return [(url, label, url == current) for url, label in items]


@register.inclusion_tag("portal/_main_nav.html", takes_context=True)
def main_nav(context):
    request = context.get("request")
    return {"items": nav_items(request.path if request else "")}
