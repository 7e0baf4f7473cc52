from django.conf import settings
from django.utils import timezone
from django.utils.html import escape

from portal import page_cache
from portal.models import Conference
from portal.timezones import zone_abbreviation


def zone_facts(request):
    """The viewer's zone as base.html's time-zone bar shows it: name, abbreviation now, and
    "1"/"0" for whether they chose it."""
    zone = getattr(request, "viewer_zone", None)
    return {
        "name": getattr(request, "viewer_zone_name", settings.PORTAL_DEFAULT_TIME_ZONE),
        "abbr": zone_abbreviation(zone, timezone.now()) if zone else "UTC",
        "chosen": "1" if getattr(request, "viewer_zone_chosen", False) else "0",
    }


def fill_zone(request, arg):
    """portal.page_cache filler for the hole "zone" (arg: name, abbr or chosen)."""
    return escape(zone_facts(request).get(arg, ""))


def portal(request):
    conference = Conference.get()
    shared = {"csrf_token": page_cache.csrf_placeholder()} if page_cache.is_shared(request) else {}
    if page_cache.zone_free():
        # Rendered for every zone: the zone is filled in per request.
        zone = {fact: page_cache.zone_placeholder(fact) for fact in ("name", "abbr", "chosen")}
    else:
        zone = zone_facts(request)
    return {
        **shared,
        "conference": conference,
        "viewer_zone_name": zone["name"],
        "viewer_zone_abbr": zone["abbr"],
        "viewer_zone_chosen_flag": zone["chosen"],
        "viewer_zone_problem": getattr(request, "viewer_zone_problem", None),
        "viewer_zone_chosen": getattr(request, "viewer_zone_chosen", False),
        "public_browsing": settings.PORTAL_PUBLIC_BROWSING,
    }
