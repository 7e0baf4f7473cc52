"""Whole-page caching with holes: render once what everyone in the same situation sees,
fill in each visitor's own bits per request by string substitution.

    @shared_page(versions=[posters.page_cache.VERSION_KEY], vary=call_link_class)
    def paper_detail(request, uid): ...

A decorated GET view renders in *shared mode* (`is_shared(request)`): everything per-user
is left as a placeholder (a *hole*), and the resulting HTML is stored under a key made of

- the host, path and query string, and the htmx headers (partials differ from pages);
- the viewer's zone and whether they chose it (base.html's time-zone bar), unless the
  page is rendered *zone-free* (below);
- `vary(request)`: what else the shared HTML depends on, e.g. the call-link class
  (anonymous / account / registered attendee; schedule.call_links.viewer_class);
- the current value of each version key in `versions` (checked on read: a bump makes
  every entry rendered before it stale at once), fetched in the same round trip as the
  page together with the keys the view's `prefetch` names for its holes.

A hit renders no template: the stored HTML gets this request's holes filled and is sent.

Holes (never part of the stored HTML):

- the CSRF token: `CSRF_PLACEHOLDER` stands in for it wherever the page's templates say
  `{{ csrf_token }}` or `{% csrf_token %}` (portal.context_processors puts it in);
- `hole(request, name, arg)`: a named hole filled by the function registered with
  `register_hole(name, fill)`; `fill(request, arg)` returns the HTML (the account menu in
  base.html, a chat room's panel and its per-user attributes, a recording a viewer may
  preview). Outside shared mode `hole()` fills at once, so templates need no two paths;
- `personalise(request, name, data)`: page-wide data handed to the function registered
  with `register_personaliser(name, fn)`, which rewrites the HTML per request (the stars
  of this visitor's bookmarks).

Zones. A view decorated with `zone_free=True` renders once for every zone: while it
renders, `zone_free()` is true, UTC is the active zone, and whatever shows the
viewer's zone is a hole filled per request: the time-zone bar's name, abbreviation and
"chosen" flag (portal.context_processors), and local times (portal_time's `when` and
`local_range` filters, and any hole a feature registers for its own zone-dependent bit).
Whatever such a page renders must show local times only through these, so a cached page
never shows one zone's times to a viewer in another.

Time. What a page shows can change with the clock alone ("in 3 h", "live now", a
call link's window). Whatever renders such a thing calls `changes_at(request, instant)`
(the `relative_to_now` tag does it itself); an entry is used only before the earliest
such instant, and never longer than PAGE_SECONDS (or the view's `seconds`: LONG_PAGE_SECONDS
for a page whose every input is versioned). So a cached page never shows a call
link after its session's end or before its window opens, and a relative time is never
stale; data that changes without a version bump shows within the page's `seconds`.

Not cached (rendered normally, holes filled at once): non-GET requests, a request with
flash messages pending or a problem with the viewer's zone, a response other than 200,
and a response whose view called `dont_store(request)`.

This module imports nothing of the apps: features and chat register their holes.
"""

import hashlib
import re
import time
import zoneinfo
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache as memoise
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

PAGE_SECONDS = 60
# A page whose every input is versioned may live this long (settings.PAGE_CACHE_LONG_SECONDS).
LONG_PAGE_SECONDS = getattr(settings, "PAGE_CACHE_LONG_SECONDS", 60 * 60)
KEY_PREFIX = "page:"
# Says whether the page came from the cache ("hit"), was rendered and stored ("miss") or
# rendered for this visitor only ("pass"): for benchmarks and operators.
STATUS_HEADER = "X-Page-Cache"

_fillers = {}
_personalisers = {}
_zone_free = ContextVar("page_cache_zone_free", default=False)
_UTC = zoneinfo.ZoneInfo("UTC")


@memoise
def _secret():
    # Placeholders carry a value derived from SECRET_KEY, so no message or title can forge one.
    return hashlib.sha256(f"page-cache:{settings.SECRET_KEY}".encode()).hexdigest()[:16]


@memoise
def _hole_re():
    return re.compile(r"\[\[hole:" + _secret() + r":([a-z][a-z0-9-]*):([A-Za-z0-9_.:=~-]*)\]\]")


class _CsrfPlaceholder:
    """Letters and digits only, so it survives autoescaping unchanged."""

    def __str__(self):
        return "csrfhole" + _secret()


CSRF_PLACEHOLDER = _CsrfPlaceholder()


def csrf_placeholder():
    return str(CSRF_PLACEHOLDER)


def register_hole(name, fill):
    """`fill(request, arg) -> str` (HTML) fills `hole(request, name, arg)` per request."""
    _fillers[name] = fill


def register_personaliser(name, fn):
    """`fn(request, html, data) -> str` rewrites the page for this request; `data` is what
    the render passed to `personalise(request, name, data)` (merged if called again)."""
    _personalisers[name] = fn


@dataclass
class _Render:
    """What one shared render collected besides its HTML."""

    started: float
    expires: float
    store: bool = True
    personal: dict = field(default_factory=dict)


def _state(request):
    return getattr(request, "_page_cache", None)


def is_shared(request):
    """Whether this request renders HTML to be shared (holes instead of per-user bits)."""
    return request is not None and _state(request) is not None


def zone_free():
    """Whether a zone-free render is running here (local times must be holes; see the
    module docstring)."""
    return _zone_free.get()


@contextmanager
def zone_free_rendering(on=True, restore=None):
    """Render what follows for every zone (UTC active, local times as holes); then the
    zone `restore` (or none) is active again. Parts cached apart from the page (a chat
    room's panel) use it too, and `fill_holes` their output per request."""
    if not on:
        yield
        return
    token = _zone_free.set(True)
    timezone.activate(_UTC)
    try:
        yield
    finally:
        _zone_free.reset(token)
        if restore is not None:
            timezone.activate(restore)
        else:
            timezone.deactivate()


# The hole for the viewer's zone on a zone-free page: arg "name", "abbr" (its
# abbreviation now) or "chosen" ("1"/"0"); filled by portal.context_processors.fill_zone.
ZONE_HOLE = "zone"


def zone_placeholder(fact):
    """The viewer's zone `fact` ("name", "abbr", "chosen") as a hole."""
    return mark_safe(placeholder(ZONE_HOLE, fact))


def placeholder(name, arg=""):
    """The text that stands for hole `name` (arg: letters, digits and _.:=~- only)."""
    return f"[[hole:{_secret()}:{name}:{arg}]]"


def hole(request, name, arg=""):
    """A placeholder in shared mode; else the filled HTML right away."""
    if is_shared(request):
        return mark_safe(placeholder(name, arg))
    html = _fill_one(request, name, arg)
    return mark_safe(html.replace(csrf_placeholder(), get_token(request) if request is not None else ""))


def personalise(request, name, data):
    """Hand page-wide data to the personaliser `name` (see register_personaliser)."""
    state = _state(request)
    if state is None:
        return
    if isinstance(data, dict):
        state.personal.setdefault(name, {}).update(data)
    else:
        state.personal[name] = data


def changes_at(request, *instants):
    """The page looks different from the first of these instants on (past ones are ignored)."""
    state = _state(request)
    if state is None:
        return
    for instant in instants:
        if instant is None:
            continue
        moment = instant.timestamp() if isinstance(instant, datetime) else float(instant)
        if state.started < moment < state.expires:
            state.expires = moment


def refresh(request):
    """Render this request's page and store it even if a current copy is cached (warming:
    a page re-rendered before it expires lives its full time again)."""
    request._page_cache_refresh = True


def dont_store(request):
    """This response is for this visitor only (it will not be cached)."""
    state = _state(request)
    if state is not None:
        state.store = False


@memoise
def _fixed_url(name, current_app, prefix, urlconf):
    return reverse(name, current_app=current_app)


def fixed_url(name, current_app=None):
    """`reverse(name)` for a URL without arguments, memoised (per script prefix, URLconf
    and current app): hole fillers run on every hit, and a reverse costs more than the rest
    of a fill; templates' `{% url %}` uses it too (portal/templatetags/fixed_urls.py).
    NoReverseMatch is raised, not memoised."""
    return _fixed_url(name, current_app, get_script_prefix(), get_urlconf())


def _fill_one(request, name, arg):
    fill = _fillers.get(name)
    return fill(request, arg) if fill is not None else ""


def fill_holes(request, html):
    """`html` with its named holes filled for this request (not the CSRF token)."""
    if "[[hole:" in html:
        html = _hole_re().sub(lambda m: _fill_one(request, m[1], m[2]), html)
    return html


def fill(request, html, personal=None):
    """The stored HTML with this request's holes filled in."""
    html = fill_holes(request, html)
    for name, data in (personal or {}).items():
        fn = _personalisers.get(name)
        if fn is not None:
            html = fn(request, html, data)
    placeholder = csrf_placeholder()
    if placeholder in html:
        html = html.replace(placeholder, get_token(request))
    return html


def _bypass(request):
    return bool(getattr(request, "viewer_zone_problem", None)) or bool(len(get_messages(request)))


def page_key(request, vary=None, zone_free=False):
    parts = [
        request.get_host(),
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
        "" if zone_free else getattr(request, "viewer_zone_name", ""),
        "" if zone_free else bool(getattr(request, "viewer_zone_chosen", False)),
        vary(request) if vary is not None else request.user.is_authenticated,
    ]
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()
    return KEY_PREFIX + digest


def _bump_now(*keys):
    value = time.time_ns()
    cache.set_many(dict.fromkeys(keys, value), None)


def bump(*keys):
    """A new value for each version key, now and again when the transaction commits (a
    page rendered in between from data not yet committed must not survive the commit)."""
    if not keys:
        return
    _bump_now(*keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump_now(*keys))


def current_versions(keys, found=None):
    """The value of each version key, starting any that is missing."""
    found = found if found is not None else cache.get_many(list(keys))
    versions = []
    for key in keys:
        value = found.get(key)
        if value is None:
            cache.add(key, time.time_ns(), None)
            value = cache.get(key)
        versions.append(value)
    return tuple(versions)


def _respond(request, entry):
    response = HttpResponse(fill(request, entry["html"], entry["personal"]), content_type=entry["content_type"])
    patch_vary_headers(response, ["Cookie", "HX-Request", "HX-Target"])
    response[STATUS_HEADER] = "hit"
    return response


def get_many(request, keys):
    """`cache.get_many(keys)`, answered from the page's own lookup when the view named
    these keys in `prefetch` (one round trip to the cache for a whole hit)."""
    prefetched = getattr(request, "_page_cache_prefetched", None) if request is not None else None
    if prefetched is not None and prefetched[0].issuperset(keys):
        return {key: prefetched[1][key] for key in keys if key in prefetched[1]}
    return cache.get_many(list(keys))


def shared_page(*, versions=(), vary=None, seconds=PAGE_SECONDS, zone_free=False, prefetch=None):
    """Cache the decorated view's page for everyone alike (see the module docstring).

    `versions`: cache keys whose value changes when the page's data does; or a function
    of the view's arguments `(request, *args, **kwargs)` returning them (one paper's page).
    `vary(request)`: a short value for whatever else the shared HTML depends on
    (default: whether the visitor is logged in).
    `seconds`: the longest an entry is used; more than PAGE_SECONDS only for a page whose
    data all shows in `versions` or `vary`.
    `zone_free`: render once for every zone (see the module docstring).
    `prefetch(request, *args, **kwargs)`: cache keys the page's holes will read (a chat
    panel's), fetched with the page; the holes read them through `get_many`.
    """
    fixed = tuple(versions) if not callable(versions) else ()
    keys_for = versions if callable(versions) else (lambda request, *args, **kwargs: fixed)

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "GET":
                return view(request, *args, **kwargs)
            version_keys = tuple(keys_for(request, *args, **kwargs))
            now = time.time()
            state = _Render(started=now, expires=now + seconds)
            key = None
            if _bypass(request):
                state.store = False
            else:
                key = page_key(request, vary, zone_free)
                extra = tuple(prefetch(request, *args, **kwargs)) if prefetch is not None else ()
                found = cache.get_many([key, *version_keys, *extra])
                if extra:
                    request._page_cache_prefetched = (frozenset(extra), found)
                current = current_versions(version_keys, found)
                entry = None if getattr(request, "_page_cache_refresh", False) else found.get(key)
                if entry is not None and entry["versions"] == current and entry["rendered"] <= now < entry["expires"]:
                    return _respond(request, entry)
            request._page_cache = state
            token_used = request.META.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
            try:
                with zone_free_rendering(zone_free, getattr(request, "viewer_zone", None)):
                    response = view(request, *args, **kwargs)
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()
            finally:
                request._page_cache = None
                if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                    # Something asked for the real token while rendering: it may be in the HTML.
                    state.store = False
                elif token_used is not None:
                    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = token_used
            if (
                response.status_code != 200
                or response.streaming
                or not response.get("Content-Type", "").startswith("text/html")
            ):
                # Never cached; its holes (if any) still get filled.
                if not response.streaming:
                    response.content = fill(request, response.content.decode(response.charset), state.personal)
                return response
            entry = {
                "html": response.content.decode(response.charset),
                "personal": state.personal,
                "content_type": response["Content-Type"],
                "versions": current if key else (),
                "rendered": now,
                "expires": state.expires,
            }
            stored = bool(key and state.store and state.expires > now + 1)
            if stored:
                cache.set(key, entry, int(state.expires - now) + 1)
            response.content = fill(request, entry["html"], entry["personal"])
            patch_vary_headers(response, ["Cookie", "HX-Request", "HX-Target"])
            response[STATUS_HEADER] = "miss" if stored else "pass"
            return response

        return wrapper

    return decorate
