from datetime import timedelta

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.health import run_checks
from portal.timezones import common_zones, zone_or_none
from schedule.models import Session


def home(request):
    now = timezone.now()
    live = list(Session.objects.filter(start__lte=now, end__gt=now).order_by("start", "title")[:10])
    upcoming = list(Session.objects.filter(start__gt=now).order_by("start", "title")[:5])
    if upcoming:
        # "Next" is what starts within a few hours of the next start, not the whole week.
        horizon = upcoming[0].start + timedelta(hours=12)
        upcoming = [s for s in upcoming if s.start < horizon]
    first_session = Session.objects.order_by("start").first()
    context = {"now": now, "live": live, "upcoming": upcoming, "first_session": first_session}
    return render(request, "portal/home.html", context)


def code_of_conduct(request):
    return render(request, "portal/code_of_conduct.html")


def help_page(request):
    return render(request, "portal/help.html")


def time_zone_page(request):
    return render(request, "portal/time_zone.html", {"zones": common_zones()})


@require_POST
def set_time_zone(request):
    """Save the viewer's zone in a cookie (and the profile when logged in)."""
    name = request.POST.get("time_zone", "").strip()
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    if not zone_or_none(name):
        from django.contrib import messages

        messages.error(request, f"“{name[:64]}” is not a time zone we know; times stay in {request.viewer_zone_name}.")
        return HttpResponseRedirect(target)
    if request.user.is_authenticated and request.user.time_zone != name:
        request.user.time_zone = name
        request.user.save(update_fields=["time_zone"])
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.PORTAL_TIME_ZONE_COOKIE,
        name,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@never_cache
def healthz(request):
    checks = run_checks()
    database_ok = checks["database"]["status"] == "ok"
    overall = "ok" if all(c["status"] == "ok" for c in checks.values()) else ("degraded" if database_ok else "down")
    return JsonResponse({"status": overall, "checks": checks}, status=200 if database_ok else 503)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_500(request):
    # No context processors: the database may be what failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({}))
