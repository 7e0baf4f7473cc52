"""Public pages: HTML that is the same for every visitor in the same zone, cacheable by nginx.

    @public_page()
    def paper_detail(request, uid): ...

The view renders for nobody: `request.user` is an AnonymousUser, the session is never
read, `{% csrf_token %}` renders nothing and flash messages added while rendering stay on
this response (they describe the URL, not the visitor). So Django adds no `Vary: Cookie`
and sets no cookie. The visitor's own state (name, stars, agenda, call links, chat
permissions, flash messages, CSRF token) comes from `/me/state.json` (portal/state.py),
applied by static/js/state.js.

The response says `Cache-Control: public, max-age=N`: N is PORTAL_PUBLIC_PAGE_SECONDS,
or less when something the page shows changes with the clock sooner (a release, a
call-link window, "live now"): templates and views report those instants with
`changes_at(request, instant, ...)`. The copy then expires at the change or up to
PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS after it, at a point of its own (`max_age`). The
zone the page was rendered in (the `tz` cookie's, never the profile's) is in
`X-Time-Zone`; nginx keys its cache on the cookie.
"""

import contextlib
import contextvars
import hashlib
import math
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.contrib.messages.storage.base import BaseStorage
from django.utils import timezone
from django.utils.cache import patch_cache_control

ZONE_HEADER = "X-Time-Zone"


class PageMessages(BaseStorage):
    """Messages for this response only (stored nowhere: the page is everyone's)."""

    def _get(self, *args, **kwargs):
        return [], True

    def _store(self, messages, response, *args, **kwargs):
        return []


NOT_SHARED = object()


def is_public(request):
    return getattr(request, "public_changes", None) is not None


def changes_at(request, *instants):
    """What this page shows changes at these instants: a public page is cached no longer."""
    changes = getattr(request, "public_changes", None) if request is not None else None
    if changes is not None:
        changes.extend(i for i in instants if i is not None)


def keep_from_shared_caches(request):
    """This public response is not to be stored by a shared cache (a search's results:
    each distinct text would be an entry of its own, issue 13): `max-age=0`."""
    if is_public(request):
        request.public_changes.append(NOT_SHARED)


def spread_place(path):
    """Where this URL's copies expire within the spread: a fraction in [0, 1), the same for
    every render and every zone's copy of the page, spread evenly over pages (a hash: the
    URLs of a day's papers differ in a few characters, which a checksum keeps together)."""
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest()) / 2**64


def max_age(changes, now, default, spread=0.0):
    """Seconds a shared cache may keep the page: `default`, but no longer than until the
    first of `changes` after `now` plus `spread` seconds.

    Many pages change at one instant (a day's papers at the 02:00 release, a poster
    session's papers at its start); if every copy expired then, the crowd would wait for
    all those renders at once. Each page's copy expires at its own point of the spread
    (`spread_place`), never before the change (nothing shows early) and at most `spread`
    seconds after it."""
    if NOT_SHARED in changes:
        return 0
    upcoming = [(c - now).total_seconds() for c in changes if c > now]
    if not upcoming:
        return default
    return max(0, min(default, math.floor(min(upcoming) + spread)))


def for_nobody(request):
    """The request as a public page's view sees it: nobody's, its flash messages its own."""
    request.user = AnonymousUser()
    request.public_changes = []
    request._messages = PageMessages(request)
    return request


def public_page(seconds=None, browsing=False):
    """Render a view for nobody, and let shared caches keep its 200 responses (see above).

    `browsing`: a page of the minimum viable conference, for members only when
    PORTAL_PUBLIC_BROWSING is off (then it is rendered privately, for those logged in)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if browsing and not settings.PORTAL_PUBLIC_BROWSING:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_store=True)
                return response
            for_nobody(request)
            response = view(request, *args, **kwargs)
            if request._messages._queued_messages and response.status_code in (301, 302, 303, 307, 308):
                # A redirect with a message (a bad date): the message follows the visitor.
                storage = default_storage(request)
                for message in request._messages._queued_messages:
                    storage.add(message.level, message.message, message.extra_tags)
                storage.update(response)
            if response.status_code == 200 and request.method in ("GET", "HEAD"):
                default = settings.PORTAL_PUBLIC_PAGE_SECONDS if seconds is None else seconds
                spread = settings.PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS * spread_place(request.path)
                age = max_age(request.public_changes, timezone.now(), default, spread)
                patch_cache_control(response, public=True, max_age=age)
            else:
                patch_cache_control(response, private=True, no_store=True)
            response[ZONE_HEADER] = getattr(request, "viewer_zone_name", settings.PORTAL_DEFAULT_TIME_ZONE)
            return response

        wrapped.public_page = True  # portal.timezones reads the cookie's zone only
        return wrapped

    return decorator


# --- The static export (portal/export) ----------------------------------------------------
#
# Every app tells the export which of its public URLs exist, from its AppConfig.ready:
#
#     register_public_paths("papers", lambda: (f"/papers/{uid}/" for uid in ...iterator()))
#
# A source is a callable giving URL paths lazily (a generator over `.iterator()`), so an
# export of 20,000 papers never holds them all. The export renders each path through the
# real views (portal/export), and /sitemap.xml lists the pages among them.
#
# A source of many pages of one kind (an author's page: 70,000 of them at 20,000 papers)
# may also give `pages(wanted, request_for)`: the same pages rendered many at a time from
# a few queries over them all, each the response its view gives (`request_for(path)` is
# the request as that view sees it, for_nobody, in the export's zone). It yields
# (path, response) for each of its paths for which `wanted(path)` holds.

_exporting = contextvars.ContextVar("portal_static_export", default=False)


@dataclass(frozen=True)
class PublicPaths:
    name: str
    paths: object  # callable() -> iterable of URL paths ("/papers/abc/", "/calendar.ics")
    sitemap: bool = True  # pages a search engine should know (not feeds or JSON)
    pages: object = None  # callable(wanted, request_for) -> (path, response), or None: one request a path


_sources = {}


def register_public_paths(name, paths, sitemap=True, pages=None):
    """Add (or replace) a source of public URL paths for the export and the sitemap."""
    _sources[name] = PublicPaths(name, paths, sitemap, pages)


def public_path_sources():
    return list(_sources.values())


@dataclass(frozen=True)
class ExportFile:
    """A file of the export that no view serves (the papers' search index): `write(out,
    export)` streams it into the open text file `out`; `export.relative_url(path, from_path)`
    gives a link as a page at `from_path` sees it."""

    name: str  # path inside the export, "papers/search-index.js"
    write: object


_files = {}


def register_export_file(name, write):
    _files[name] = ExportFile(name, write)


def export_files():
    return list(_files.values())


@dataclass(frozen=True)
class ExportPlan:
    """How the export's pages point at media: `media_base` first ("" = the export's own
    copy, --with-media), then each of `mirrors` should it fail."""

    media_base: str = ""
    mirrors: tuple = ()


def exporting():
    """The ExportPlan while rendering for the static export, else None. Set by portal/export
    in its own thread, never by anything a request carries (a header could poison nginx's cache)."""
    return _exporting.get() or None


@contextlib.contextmanager
def export_render(plan):
    """Renders inside are for the static export, with this ExportPlan."""
    token = _exporting.set(plan)
    try:
        yield
    finally:
        _exporting.reset(token)
