from django.conf import settings
from django.utils import timezone
from django.utils.html import escape

from portal import page_cache
from portal.models import Conference
from portal.timezones import zone_abbreviation

ZONE_FACTS = ("name", "abbr", "chosen")


def zone_fact(request, fact):
    """The viewer's zone as base.html's time-zone bar shows it: its name ("name"), its
    abbreviation now ("abbr"), or "1"/"0" for whether they chose it ("chosen")."""
    if fact == "name":
        return getattr(request, "viewer_zone_name", settings.PORTAL_DEFAULT_TIME_ZONE)
    if fact == "abbr":
        zone = getattr(request, "viewer_zone", None)
        return zone_abbreviation(zone, timezone.now()) if zone else "UTC"
    if fact == "chosen":
        return "1" if getattr(request, "viewer_zone_chosen", False) else "0"
    return ""


def fill_zone(request, arg):
    """portal.page_cache filler for the hole "zone" (arg: name, abbr or chosen)."""
    return escape(zone_fact(request, arg))


def portal(request):
    conference = Conference.get()
    shared = {"csrf_token": page_cache.csrf_placeholder()} if page_cache.is_shared(request) else {}
    if page_cache.zone_free():
        # Rendered for every zone: the zone is filled in per request.
        zone = {fact: page_cache.zone_placeholder(fact) for fact in ZONE_FACTS}
    else:
        zone = {fact: zone_fact(request, fact) for fact in ZONE_FACTS}
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
