"""The papers pages' version, their cached fragments, and the stars filled in per request.

Whole pages (the paper page, the browser, search results) are cached by portal.page_cache
under VERSION_KEY; below them, the parts everyone sees alike whatever their zone or
login (a paper's title, authors, abstract, similar papers; a page of search results) are
rendered once and kept for PAGE_SECONDS under the same *version*, so a whole-page miss
(another zone, another call-link class) rarely renders them again. The version changes
whenever a paper, author, keyword, slot or poster session is saved or deleted (signals,
see apps.py) and after the bulk jobs (imports, assignment, discovery). The paper page is
also versioned on recordings (RECORDINGS_VERSION_KEY) and the Conference, and lives
portal.page_cache.LONG_PAGE_SECONDS, as do its fragments.

Per-user bits never enter the cache: call links are rendered per call-link class (the
whole-page key has it); stars are cached "off" and `fill_stars` switches on this
viewer's bookmarks (from their portal.user_cache entry); the CSRF token is
portal.page_cache's placeholder.
"""

import hashlib
import time

from django.core.cache import cache
from django.db import transaction
from django.utils.html import format_html

from portal.page_cache import CSRF_PLACEHOLDER, PAGE_SECONDS
from portal.page_cache import bump as page_bump

__all__ = ["CSRF_PLACEHOLDER", "PAGE_SECONDS", "VERSION_KEY"]

VERSION_KEY = "posters:version"
# What the paper page shows of recordings (state, override, release instant): every
# Recording, RecordingVersion or RecordingEvent (each organiser action logs one) saved or
# deleted bumps it (posters/apps.py); releases by the clock are the page's `changes_at`.
RECORDINGS_VERSION_KEY = "posters:recordings-version"


def bump_recordings_version(**kwargs):
    page_bump(RECORDINGS_VERSION_KEY)


def _bump_now():
    cache.set(VERSION_KEY, time.time_ns(), None)


def bump_version(**kwargs):
    """Make the cached parts stale now, and again when the transaction commits (a page
    rendered in between from uncommitted-yet-invisible data must not survive)."""
    _bump_now()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(entry[1] is _bump_now for entry in connection.run_on_commit):
        transaction.on_commit(_bump_now)


def get_versioned(key):
    """The cached value for `key` if it belongs to the current version, else None; and that version."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
        return None, version
    entry = found.get(key)
    if entry is not None and entry.get("version") == version:
        return entry, version
    return None, version


def set_versioned(key, version, entry, seconds=PAGE_SECONDS):
    entry["version"] = version
    cache.set(key, entry, seconds)
    return entry


def key_for(prefix, *parts):
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()
    return f"posters:{prefix}:{digest}"


def star_button(uid, title, on):
    """The star's button; `personalise` switches cached "off" buttons on by exact match."""
    return format_html(
        '<button type="submit" class="star{}" data-uid="{}" aria-pressed="{}" title="{}">'
        '<span class="star-icon" aria-hidden="true">{}</span><span class="visually-hidden">Bookmark “{}”</span>'
        "</button>",
        " on" if on else "",
        uid,
        "true" if on else "false",
        "Remove the bookmark" if on else "Bookmark this paper",
        "★" if on else "☆",
        title,
    )


def fill_stars(request, html, titles):
    """portal.page_cache personaliser: switch on this viewer's bookmarks among `titles` ({uid: title})."""
    from portal import user_cache
    from posters.models import Bookmark

    user = request.user
    if not user.is_authenticated or not titles:
        return html
    if user_cache.has_facts(user):
        # The user's cached entry (bumped by every bookmark change, portal/user_cache.py).
        starred = user_cache.fact(user, "bookmarks") & set(titles)
    else:
        starred = set(
            Bookmark.objects.filter(user=user, paper__uid__in=list(titles)).values_list("paper__uid", flat=True)
        )
    for uid in starred:
        title = titles[uid]
        html = html.replace(str(star_button(uid, title, False)), str(star_button(uid, title, True)))
    return html
