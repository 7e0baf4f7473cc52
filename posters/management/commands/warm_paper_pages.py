"""Render every paper's shared page into the cache (portal.page_cache), e.g. after an import.

A first visit to a paper page renders it (~6–12 ms); a cached one costs a fraction of
that. After an import or a discovery run, when every page is stale, this makes the first
visits cheap too. It renders through the whole middleware stack, exactly as a visit:

    manage.py warm_paper_pages --host portal.example.org [--user someone@example.org ...]

Pages are kept for portal.page_cache.PAGE_SECONDS (or until a version bump), so warm right
before the crowd arrives. Each --user adds that visitor's call-link class (anonymous is
always warmed); --zone adds zones besides the default one.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory

from posters.models import Paper


class Command(BaseCommand):
    help = "Render every paper's shared page (and the browser's first page) into the page cache."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="localhost", help="Host the visitors use (part of the cache key).")
        parser.add_argument("--user", action="append", default=[], help="Also warm this account's call-link class.")
        parser.add_argument("--zone", action="append", default=[], help="Also warm this time zone (tz cookie).")
        parser.add_argument("--limit", type=int, default=0, help="Only the first N papers (by UID).")

    def handle(self, host, user, zone, limit, **options):
        users = list(get_user_model().objects.filter(email__in=user))
        if len(users) != len(set(user)):
            raise CommandError("Unknown --user e-mail address.")
        uids = Paper.objects.order_by("uid").values_list("uid", flat=True)
        uids = list(uids[:limit] if limit else uids)
        handler = WSGIHandler()
        factory = RequestFactory(HTTP_HOST=host)
        paths = ["/papers/", *(f"/papers/{uid}/" for uid in uids)]
        started = time.perf_counter()
        count, failed = 0, 0
        for visitor in [None, *users]:
            for zone_name in [None, *zone]:
                for path in paths:
                    request = factory.get(path)
                    if zone_name:
                        request.COOKIES[settings.PORTAL_TIME_ZONE_COOKIE] = zone_name
                    if visitor is not None:
                        # As the visitor: AuthenticationMiddleware keeps a user already set.
                        request.user = visitor
                        request._cached_user = visitor
                    response = handler.get_response(request)
                    count += 1
                    failed += response.status_code != 200
        seconds = time.perf_counter() - started
        self.stdout.write(f"Warmed {count} pages ({failed} not 200) in {seconds:.1f} s.")
