"""Render the papers' shared pages into the page cache (portal.page_cache) before the
crowd does: `manage.py warm_paper_pages` and the Celery task `posters.warm_paper_pages`,
which runs after discovery (itself run after an import) and after poster assignment.

Each page is rendered through the whole middleware stack, exactly as a visit, for the
anonymous visitor and each of `users`' call-link classes (the task: one user of each
class there is, `representative_users`), in the default zone and each of `zones` (the
paper page is the same for every zone; the browser's first page is not). Pages are
rendered even when cached, so each lives page_cache.LONG_PAGE_SECONDS from then, or until
a version bump: its own (an edit to that paper) or every paper's (a bulk job, which
queues this task again).

The task splits the papers into chunks of CHUNK_PAPERS, one task each
(`posters.warm_paper_chunk`), so the worker's processes share the work and no task holds
a worker for long (the day's release must not wait behind 20,000 renders).

The beat task `posters.keep_paper_pages_warm` (every minute) queues the warming
whenever the pages may have gone cold: after a bulk job, after the cache was emptied
(Redis restarted: the marker is gone), and before the pages warmed last expire.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db.models import F, Min, Q
from django.test import RequestFactory
from django.utils import timezone

from portal import page_cache
from posters.models import Paper


def default_host():
    """The host visitors use (part of the page key): PORTAL_BASE_URL's."""
    return urlsplit(settings.PORTAL_BASE_URL).netloc or "localhost"


def representative_users():
    """One active user of each logged-in call-link class there is
    (schedule.call_links.viewer_class: registered attendee or other account); a
    registered non-staff user, a staff user and an unregistered user are tried."""
    from portal.models import RegisteredEmail, User, verified_address_rows
    from schedule.call_links import viewer_class

    registered = verified_address_rows().filter(email__in=RegisteredEmail.objects.values("email")).values("user_id")
    active = User.objects.filter(is_active=True).order_by("pk")
    candidates = [
        active.filter(pk__in=registered, is_staff=False).first(),
        active.filter(is_staff=True).first(),
        active.exclude(pk__in=registered).filter(is_staff=False).first(),
    ]
    chosen = {}
    for user in filter(None, candidates):
        chosen.setdefault(viewer_class(_Visit(user)), user)
    return list(chosen.values())


class _Visit:
    def __init__(self, user):
        self.user = user


def paper_uids(limit=0):
    """Every paper's UID in the order their pages are warmed: the papers whose next poster
    session ends soonest first (live ones, then the next to start), those with no session
    to come last. A warming of 20,000 papers takes minutes; the pages visitors are about
    to open are warm in its first seconds."""
    next_end = Min("poster_slots__session__end", filter=Q(poster_slots__session__end__gt=timezone.now()))
    uids = (
        Paper.objects.annotate(next_end=next_end)
        .order_by(F("next_end").asc(nulls_last=True), "uid")
        .values_list("uid", flat=True)
    )
    return list(uids[:limit] if limit else uids)


def warm_paper_pages(host=None, users=(), zones=(), limit=0, uids=None, browser=True):
    """Render the browser's first page (unless not `browser`) and every paper page (or
    those of `uids`); returns (pages, not 200)."""
    uids = paper_uids(limit) if uids is None else uids
    handler = WSGIHandler()
    factory = RequestFactory(HTTP_HOST=host or default_host())
    paths = [*(["/papers/"] if browser else []), *(f"/papers/{uid}/" for uid in uids)]
    count, failed = 0, 0
    for visitor in [None, *users]:
        for zone_name in [None, *zones]:
            for path in paths:
                request = factory.get(path)
                page_cache.refresh(request)  # rendered again even if still cached: lives its full time
                if zone_name:
                    request.COOKIES[settings.PORTAL_TIME_ZONE_COOKIE] = zone_name
                if visitor is not None:
                    # As the visitor: the authentication middleware keeps a user already set.
                    request.user = visitor
                    request._cached_user = visitor
                response = handler.get_response(request)
                count += 1
                failed += response.status_code != 200
    return count, failed
