"""The site's main navigation.

Each section's page is built by its own app; until its URL name resolves, the item is
left out, so the navigation never links to a 404.
"""

from urllib.parse import quote

from django import template
from django.middleware.csrf import get_token
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

MAIN_NAV = [
    ("home", "Home"),
    ("schedule:index", "Schedule"),
    ("posters:paper_list", "Papers"),
    ("keynotes:index", "Keynotes"),
    ("booths:index", "Booths"),
    ("booths:sponsors", "Sponsors"),
    ("booths:workshops", "Workshops"),
    ("chat:corridor", "Corridor"),
    ("people:index", "People"),
    ("schedule:my_agenda", "My agenda"),
    ("help", "Help"),
]


# Sections for the live conference only: the archive has no agenda to keep.
LIVE_ONLY = {"schedule:my_agenda"}
# Sections a static copy cannot hold (portal/export): a live chat, a visitor's own agenda.
NOT_EXPORTED = {"schedule:my_agenda", "chat:corridor"}


def nav_items(path, archived=False, export=False):
    """[(url, label, is_current)] for the sections that exist; at most one is current."""
    items = []
    for name, label in MAIN_NAV:
        if (archived and name in LIVE_ONLY) or (export and name in NOT_EXPORTED):
            continue
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
    archived = context.get("conference_phase") == "archived"
    export = bool(context.get("static_export"))
    return {"items": nav_items(request.path if request else "", archived=archived, export=export)}


def account_nav_html(request):
    """The account menu's items: this visitor's name, Admin for staff, the logout form; or
    the login and signup links (on a public page always these: static/js/state.js puts the
    visitor's own in their place)."""
    user = request.user
    if user.is_authenticated:
        current = request.resolver_match is not None and request.resolver_match.url_name == "profile"
        items = [
            format_html(
                '<li><a href="{}"{}><span class="visually-hidden">Your profile: </span>{}</a></li>',
                reverse("profile"),
                mark_safe(' aria-current="page"') if current else "",
                user.name,
            )
        ]
        if user.is_staff:
            items.append(format_html('<li><a href="{}">Admin</a></li>', reverse("admin:index")))
        items.append(
            format_html(
                '<li><form method="post" action="{}" class="inline">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button type="submit" class="link-button">Log out</button></form></li>',
                reverse("account_logout"),
                get_token(request),
            )
        )
    else:
        login_url = reverse("account_login")
        next_query = "" if request.path == login_url else "?next=" + quote(request.get_full_path())
        items = [
            format_html('<li><a href="{}{}">Log in</a></li>', login_url, next_query),
            format_html('<li><a href="{}" class="signup">Sign up</a></li>', reverse("account_signup")),
        ]
    return "".join(items)


@register.simple_tag(takes_context=True)
def account_nav(context):
    return mark_safe(account_nav_html(context["request"]))
