"""Caching the public parts of the papers pages, with the per-user bits filled in per request.

What everyone sees the same way (a paper's title, authors, abstract, similar papers; a
page of search results) is rendered once and kept for PAGE_SECONDS under the current
*version*. The version changes whenever a paper, author, keyword, slot or poster session
is saved or deleted (signals, see apps.py) and after the bulk jobs (assignment,
discovery); bulk imports that send no signals show within PAGE_SECONDS.

Per-user bits never enter the cache: call links are computed per request from the
slots; stars are cached "off" and switched on for this viewer's bookmarks; the CSRF
token in the star forms is a placeholder replaced by this request's token.
"""

import hashlib
import time

from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.utils.html import format_html

PAGE_SECONDS = 60
VERSION_KEY = "posters:version"
CSRF_PLACEHOLDER = "__posters_csrf__"


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


def set_versioned(key, version, entry):
    entry["version"] = version
    cache.set(key, entry, PAGE_SECONDS)
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


def personalise(html, request, starred):
    """Fill a cached fragment in for this request: its CSRF token and its stars (`starred`: {uid: title})."""
    html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    for uid, title in starred.items():
        html = html.replace(str(star_button(uid, title, False)), str(star_button(uid, title, True)))
    return html
