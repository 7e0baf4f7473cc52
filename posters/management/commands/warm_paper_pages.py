"""Render every paper's shared page into the cache (portal.page_cache), e.g. after an import.

A first visit to a paper page renders it (~6–12 ms); a cached one costs a fraction of
that. After an import or a discovery run, when every page is stale, this makes the first
visits cheap too. It renders through the whole middleware stack, exactly as a visit:

    manage.py warm_paper_pages --host portal.example.org [--user someone@example.org ...]

The paper page is kept for portal.page_cache.LONG_PAGE_SECONDS (or until a version bump);
the Celery task posters.warm_paper_pages does the same after discovery and assignment
(posters/warming.py). Each --user adds that visitor's call-link class (anonymous is
always warmed); --zone adds zones besides the default one.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from posters.warming import warm_paper_pages


class Command(BaseCommand):
    help = "Render every paper's shared page (and the browser's first page) into the page cache."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None, help="Host the visitors use (default: PORTAL_BASE_URL's).")
        parser.add_argument("--user", action="append", default=[], help="Also warm this account's call-link class.")
        parser.add_argument("--zone", action="append", default=[], help="Also warm this time zone (tz cookie).")
        parser.add_argument("--limit", type=int, default=0, help="Only the first N papers (by UID).")

    def handle(self, host, user, zone, limit, **options):
        users = list(get_user_model().objects.filter(email__in=user))
        if len(users) != len(set(user)):
            raise CommandError("Unknown --user e-mail address.")
        started = time.perf_counter()
        count, failed = warm_paper_pages(host=host, users=users, zones=zone, limit=limit)
        seconds = time.perf_counter() - started
        self.stdout.write(f"Warmed {count} pages ({failed} not 200) in {seconds:.1f} s.")
