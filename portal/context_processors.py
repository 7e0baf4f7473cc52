from django.conf import settings
from django.utils import timezone

from portal import page_cache
from portal.models import Conference
from portal.timezones import zone_abbreviation


def portal(request):
    zone = getattr(request, "viewer_zone", None)
    conference = Conference.get()
    shared = {"csrf_token": page_cache.csrf_placeholder()} if page_cache.is_shared(request) else {}
    return {
        **shared,
        "conference": conference,
        "viewer_zone_name": getattr(request, "viewer_zone_name", settings.PORTAL_DEFAULT_TIME_ZONE),
        "viewer_zone_abbr": zone_abbreviation(zone, timezone.now()) if zone else "UTC",
        "viewer_zone_problem": getattr(request, "viewer_zone_problem", None),
        "viewer_zone_chosen": getattr(request, "viewer_zone_chosen", False),
        "public_browsing": settings.PORTAL_PUBLIC_BROWSING,
    }
