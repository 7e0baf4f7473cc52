"""The viewer's time zone: chosen once, applied on every page (DESIGN.md, "Time").

Inside, every instant is aware UTC; this module is the edge where it becomes local.
The zone comes from the profile, else the `tz` cookie (first guessed in the browser
from `Intl`), else UTC. A bad name never breaks a page: the default is used and the
viewer is told.
"""

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def zone_or_none(name):
    """The ZoneInfo for an IANA name, or None when it is not one."""
    if not name or not isinstance(name, str) or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def common_zones():
    """Zone names offered in the picker, sorted."""
    zones = (z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [*sorted(zones), "UTC"]


def cookie_zone_name(request):
    """(name, problem): the zone of the `tz` cookie (what a public page renders in)."""
    cookie = request.COOKIES.get(settings.PORTAL_TIME_ZONE_COOKIE)
    if cookie:
        if zone_or_none(cookie):
            return cookie, None
        return settings.PORTAL_DEFAULT_TIME_ZONE, "The time zone saved in this browser is unknown; showing UTC."
    return settings.PORTAL_DEFAULT_TIME_ZONE, None


def viewer_zone_name(request):
    """(name, problem): the viewer's zone name and, if their choice was unusable, why."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.time_zone:
        if zone_or_none(user.time_zone):
            return user.time_zone, None
        return (
            settings.PORTAL_DEFAULT_TIME_ZONE,
            f"Your profile's time zone “{user.time_zone}” is unknown; showing UTC.",
        )
    return cookie_zone_name(request)


def remember_zone(response, name):
    """The `tz` cookie: the zone public pages render in for this browser."""
    response.set_cookie(
        settings.PORTAL_TIME_ZONE_COOKIE,
        name,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def use_profile_zone(request):
    """Render in the logged-in viewer's profile zone (and bring the cookie in line). The
    middleware does it for every page that is not public; a view that is public for some
    URLs only (booths.views.detail) calls it once it knows the page is private."""
    user = request.user
    if user.is_authenticated and user.time_zone:
        ViewerTimeZoneMiddleware._activate(request, *viewer_zone_name(request))
        request.viewer_zone_chosen = True
        if request.viewer_zone_problem is None:
            request.profile_zone_name = request.viewer_zone_name


class ViewerTimeZoneMiddleware:
    """Activates the viewer's zone so templates render local times.

    A public page (portal.public) renders in the `tz` cookie's zone only: it is cached by
    the cookie, and must not read the user. Other pages use the profile's zone first, and
    bring the cookie in line with it, so the next public page renders in it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._activate(request, *cookie_zone_name(request))
        request.viewer_zone_chosen = bool(request.COOKIES.get(settings.PORTAL_TIME_ZONE_COOKIE))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        profile_zone = getattr(request, "profile_zone_name", None)
        if profile_zone and profile_zone != request.COOKIES.get(settings.PORTAL_TIME_ZONE_COOKIE):
            remember_zone(response, profile_zone)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "public_page", False):
            return
        use_profile_zone(request)

    @staticmethod
    def _activate(request, name, problem):
        request.viewer_zone_name = name
        request.viewer_zone = zoneinfo.ZoneInfo(name)
        request.viewer_zone_problem = problem
        timezone.activate(request.viewer_zone)


def zone_on_login(sender, request, user, **kwargs):
    """allauth's user_logged_in: the `tz` cookie follows the profile's zone from now on."""
    if user.time_zone and zone_or_none(user.time_zone):
        request.profile_zone_name = user.time_zone


def local_day_bounds(day, zone):
    """The aware UTC instants [start, end) of a calendar day in a zone (DST-safe)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(zoneinfo.ZoneInfo("UTC")), end.astimezone(zoneinfo.ZoneInfo("UTC"))


def zone_abbreviation(zone, instant):
    """A short label for a zone at an instant, e.g. 'JST' or 'UTC+05:30'."""
    local = instant.astimezone(zone)
    abbr = local.tzname() or ""
    if abbr and not abbr.startswith(("+", "-")):
        return abbr
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_abbreviations(zone, around):
    """{UTC offset in minutes: zone_abbreviation} for the offsets a zone uses in the year
    around an instant (standard and summer time), so a script names the zone of any recent
    or coming instant exactly as the `when` filter does (static/js/chat.js)."""
    labels = {}
    for days in range(-182, 183, 7):
        instant = around + timedelta(days=days)
        minutes = int(instant.astimezone(zone).utcoffset().total_seconds() // 60)
        labels.setdefault(minutes, zone_abbreviation(zone, instant))
    return labels
