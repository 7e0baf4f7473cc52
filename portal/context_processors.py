from django.conf import settings
from django.utils import timezone

from portal.models import Conference
from portal.public import changes_at, exporting, is_public
from portal.timezones import zone_abbreviation


def portal(request):
    zone = getattr(request, "viewer_zone", None)
    # A public page is everyone's: `{% csrf_token %}` renders nothing (state.js adds the token).
    public = {"csrf_token": "", "public_page": True} if is_public(request) else {}
    conference, now = Conference.get(), timezone.now()
    # The archive's banner comes and goes with the phase: a cached page no longer than that.
    changes_at(request, conference.next_phase_change(now))
    return {
        **public,
        "conference": conference,
        "conference_phase": conference.phase(now),
        "static_export": exporting(),
        "viewer_zone_name": getattr(request, "viewer_zone_name", settings.PORTAL_DEFAULT_TIME_ZONE),
        "viewer_zone_abbr": zone_abbreviation(zone, timezone.now()) if zone else "UTC",
        "viewer_zone_chosen_flag": "1" if getattr(request, "viewer_zone_chosen", False) else "0",
        "viewer_zone_problem": getattr(request, "viewer_zone_problem", None),
        "viewer_zone_chosen": getattr(request, "viewer_zone_chosen", False),
        "public_browsing": settings.PORTAL_PUBLIC_BROWSING,
    }
