"""The papers pages' version, their cached fragments, and the stars filled in per request.

Whole pages are cached by portal.page_cache. The lists (the browser, search results)
live under VERSION_KEY, which changes whenever a paper, author, keyword, slot, similar
paper or poster session is saved or deleted (signals, see apps.py) and after the bulk
jobs (imports, assignment, discovery); below them, a page of search results is kept
for PAGE_SECONDS under the same *version*.

A paper's page lives under versions of its own (`paper_page_versions`): the paper's
(bumped by a change to anything it shows: the paper, its authors and keywords, its
slots and their sessions, its similar papers' titles, its recording), every paper's
(the bulk jobs) and the Conference's. So an edit to one paper or session leaves every
other paper's page cached. It lives portal.page_cache.LONG_PAGE_SECONDS, as do its
fragments (what it shows every viewer class alike).

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

from portal.models import CONFERENCE_VERSION_KEY
from portal.page_cache import CSRF_PLACEHOLDER, PAGE_SECONDS
from portal.page_cache import bump as page_bump

__all__ = ["CSRF_PLACEHOLDER", "PAGE_SECONDS", "VERSION_KEY"]

VERSION_KEY = "posters:version"
# Every paper page at once: the bulk jobs (imports, assignment, discovery) bump it.
ALL_PAPERS_KEY = "posters:papers-version"


def paper_version_key(uid):
    """One paper's page: bumped by a change to anything that page shows (row_changed).
    Hashed: the key is read before the view turns away a UID that is not a paper's."""
    return "posters:paper-version:" + hashlib.sha1(uid.encode(), usedforsecurity=False).hexdigest()


def paper_page_versions(request=None, uid=""):
    """The version keys of a paper's page (portal.page_cache `versions`)."""
    return (paper_version_key(uid), ALL_PAPERS_KEY, CONFERENCE_VERSION_KEY)


def _bump_now():
    cache.set(VERSION_KEY, time.time_ns(), None)


def _bump_lists():
    """Make the lists' cached parts stale now, and again when the transaction commits (a
    page rendered in between from uncommitted-yet-invisible data must not survive)."""
    _bump_now()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(entry[1] is _bump_now for entry in connection.run_on_commit):
        transaction.on_commit(_bump_now)


def bump_version(**kwargs):
    """After a bulk write (it sends no signals): every list and every paper page is stale."""
    _bump_lists()
    page_bump(ALL_PAPERS_KEY)


def bump_papers(uids):
    """These papers changed: their pages are stale, and every list."""
    _bump_lists()
    page_bump(*{paper_version_key(uid) for uid in uids if uid})


def row_changed(sender, instance, **kwargs):
    """Signal receiver for the rows the papers pages show (posters/apps.py): the lists and
    the pages of the papers that show this row are stale."""
    bump_papers(_uids_showing(instance))


def recording_changed(sender, instance, **kwargs):
    """Signal receiver for Recording, RecordingVersion and RecordingEvent: the page of the
    paper it belongs to (if a paper's) is stale. Releases by the clock are the page's
    `changes_at`; every organiser action logs an event."""
    from posters.uploads import paper_uid_of

    recording = getattr(instance, "recording", None) if not hasattr(instance, "subject_key") else instance
    uid = paper_uid_of(recording.subject_key) if recording is not None else None
    if uid:
        page_bump(paper_version_key(uid))


def _uids_showing(instance):
    from posters.models import Author, Authorship, Keyword, Paper, PaperKeyword, PosterSlot, SimilarPaper
    from schedule.models import Session

    if isinstance(instance, Paper):
        # Its own page, and those listing it among their similar papers (its title).
        return [instance.uid, *SimilarPaper.objects.filter(similar_id=instance.pk).values_list("paper__uid", flat=True)]
    if isinstance(instance, Author):
        return Authorship.objects.filter(author_id=instance.pk).values_list("paper__uid", flat=True)
    if isinstance(instance, Keyword):
        return PaperKeyword.objects.filter(keyword_id=instance.pk).values_list("paper__uid", flat=True)
    if isinstance(instance, Session):
        return PosterSlot.objects.filter(session_id=instance.pk).values_list("paper__uid", flat=True)
    paper_id = getattr(instance, "paper_id", None)  # Authorship, PaperKeyword, PosterSlot, SimilarPaper
    return Paper.objects.filter(pk=paper_id).values_list("uid", flat=True) if paper_id else []


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
