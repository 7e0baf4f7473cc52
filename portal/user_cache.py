"""The logged-in visitor, cached: their user row, roles and per-user facts in one cache
entry, so a cached page (portal.page_cache) serves a logged-in visitor without a query.

`CachedUserMiddleware` (in place of Django's AuthenticationMiddleware) loads
`request.user` as Django does (session key, backend, session auth hash), but reads the
user from one cache entry holding

- the user row, *without* its password hash (the field is left deferred: code that needs
  it, e.g. the password-change form, reads it from the database), and the session auth
  hashes computed from it, which the session's hash is checked against exactly as
  `django.contrib.auth.get_user` does (a password change logs other sessions out);
- `is_registered` and `is_moderator` (`User.load_roles`), and the verified addresses
  (`User.verified_emails`) that address-derived roles read;
- the facts the apps register with `register_fact(name, compute)` (the paper stars'
  bookmarked UIDs, the chat's active sanctions), read with `fact(user, name)`.

Roles and facts are read from the database on first use and the entry is written once,
after the response, when the request loaded it afresh or read something it lacked; the
stored row is a copy taken when it was loaded (an unsaved change to `request.user`, e.g.
by a form that failed validation, never reaches the cache).

The entry is valid under two versions, both checked on every read:

- the user's own (`bump_user(user_id)`), bumped by: a User save or delete (profile edit,
  password change, login, code-of-conduct acceptance, admin), an allauth e-mail address
  saved or deleted (confirming one grants its roles at once), a Bookmark saved or
  deleted and `posters.bookmarks.merge` (bulk), a chat Sanction saved or deleted (posting
  or lifting one);
- everyone's (`bump_all()`), bumped by: a RegisteredEmail saved or deleted and
  `portal.registrations` imports (bulk), group membership changes (m2m_changed) and Group
  saves or deletes.

These hooks live in `portal/apps.py`, `posters/apps.py` and `chat/apps.py` (signals) and
in the two bulk writers. A bump happens at once and again when the transaction commits,
so an entry computed from data about to change never survives it. The facts only shape
what a page shows; the services still check in the database when someone acts (the
chat's `check_can_post` at post time).
"""

import copy

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, _get_user_session_key, load_backend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from portal.page_cache import bump, current_versions

ENTRY_KEY = "user:entry:{}"
VERSION_KEY = "user:version:{}"
ALL_VERSION_KEY = "users:version"
SECONDS = 60 * 60
# The User's cached properties kept in the entry (all read from versioned data).
ROLES = ("is_registered", "is_moderator", "is_booth_host", "verified_emails")

_facts = {}


def register_fact(name, compute):
    """`compute(user)` gives a picklable value kept in the user's entry (see the docstring)."""
    _facts[name] = compute


def fact(user, name):
    """The fact from the user's cached entry (computed and added to it on first use); for a
    user not loaded through the cache, computed afresh."""
    state = getattr(user, "_user_cache", None)
    if state is None:
        return _facts[name](user)
    if name not in state["facts"]:
        state["facts"][name] = _facts[name](user)
        state["dirty"] = True
    return state["facts"][name]


def has_facts(user):
    return getattr(user, "_user_cache", None) is not None


def bump_user(user_id):
    """This user's cached entry is stale (now and when the transaction commits)."""
    if user_id is not None:
        bump(VERSION_KEY.format(user_id))


def bump_all(**kwargs):
    """Every user's cached entry is stale (roles changed: registrations, groups)."""
    bump(ALL_VERSION_KEY)


def remember_roles(user):
    """`User.load_roles` read the roles: keep them in the user's entry."""
    if getattr(user, "_user_cache", None) is not None:
        user._user_cache["dirty"] = True


def store_if_changed(user):
    """Write the entry once per request, if the request loaded it afresh or read roles or
    facts it did not hold (CachedUserMiddleware, after the response)."""
    state = getattr(user, "_user_cache", None)
    if state is None:
        return
    row = state["row"]
    if state.get("dirty") or any(name in user.__dict__ and name not in row.__dict__ for name in ROLES):
        _store(user)
        state["dirty"] = False


def _pristine(user):
    """A copy of the row as loaded (later changes to `request.user`, e.g. by a form that
    fails validation, never reach the cache), without the password hash (it stays deferred)."""
    row = copy.copy(user)
    for name in ("password", "_user_cache"):
        row.__dict__.pop(name, None)
    return row


def _store(user):
    # The versions are those read before anything in the entry was read from the
    # database: a bump since then makes the entry stale at once.
    state = user._user_cache
    stored = state["row"]
    for name in ROLES:
        if name in user.__dict__:
            stored.__dict__[name] = user.__dict__[name]
    entry = {
        "versions": state["versions"],
        "backend": state["backend"],
        "user": stored,
        "facts": state["facts"],
        "auth_hashes": state["auth_hashes"],
    }
    cache.set(ENTRY_KEY.format(user.pk), entry, SECONDS)


def load_user(backend, user_id):
    """The user (roles and facts read so far attached), from the cache or the database."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return backend.get_user(user_id)
    key, backend_name = ENTRY_KEY.format(user_id), type(backend).__qualname__
    found = cache.get_many([key, VERSION_KEY.format(user_id), ALL_VERSION_KEY])
    versions = current_versions([VERSION_KEY.format(user_id), ALL_VERSION_KEY], found)
    entry = found.get(key)
    if entry is not None and entry["versions"] == versions and entry["backend"] == backend_name:
        user = entry["user"]
        user._user_cache = {**entry, "row": _pristine(user), "facts": dict(entry["facts"])}
        return user
    user = backend.get_user(user_id)
    if user is None:
        return None
    user._user_cache = {
        "row": _pristine(user),
        "versions": versions,
        "backend": backend_name,
        "facts": {},
        "auth_hashes": (user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()),
        "dirty": True,
    }
    return user


def get_user(request):
    """`django.contrib.auth.get_user`, with the user read through `load_user`."""
    from django.contrib.auth.models import AnonymousUser

    user = None
    try:
        user_id = _get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            user = load_user(load_backend(backend_path), user_id)
            if hasattr(user, "get_session_auth_hash"):
                current, *fallbacks = user._user_cache["auth_hashes"]
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash or not constant_time_compare(session_hash, current):
                    if session_hash and any(constant_time_compare(session_hash, h) for h in fallbacks):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = current
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


class CachedUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware with `request.user` read through the cache."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))

    def process_response(self, request, response):
        user = request.__dict__.get("_cached_user")  # only if this request loaded one
        if user is not None:
            store_if_changed(user)
        return response


def _cached_user(request):
    # As django.contrib.auth.middleware.get_user: a user already set (_cached_user) is kept.
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user
