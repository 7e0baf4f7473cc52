"""Render the papers' shared pages into the page cache (portal.page_cache) before the
crowd does: `manage.py warm_paper_pages` and the Celery task `posters.warm_paper_pages`,
which runs after discovery (itself run after an import) and after poster assignment.

Each page is rendered through the whole middleware stack, exactly as a visit, for the
anonymous visitor (and each of `users`' call-link classes), in the default zone and each
of `zones`. The paper page lives page_cache.LONG_PAGE_SECONDS or until a version bump.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory

from posters.models import Paper


def default_host():
    """The host visitors use (part of the page key): PORTAL_BASE_URL's."""
    return urlsplit(settings.PORTAL_BASE_URL).netloc or "localhost"


def warm_paper_pages(host=None, users=(), zones=(), limit=0):
    """Render the browser's first page and every paper page; returns (pages, not 200)."""
    uids = Paper.objects.order_by("uid").values_list("uid", flat=True)
    uids = list(uids[:limit] if limit else uids)
    handler = WSGIHandler()
    factory = RequestFactory(HTTP_HOST=host or default_host())
    paths = ["/papers/", *(f"/papers/{uid}/" for uid in uids)]
    count, failed = 0, 0
    for visitor in [None, *users]:
        for zone_name in [None, *zones]:
            for path in paths:
                request = factory.get(path)
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
