import logging
import sys
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.db.models import Count, Max, Min
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from keynotes.listing import todays_keynotes
from people import presence, stream
from portal.archive import archive_sections
from portal.forms import ProfileForm
from portal.health import run_checks
from portal.models import Conference
from portal.public import changes_at, public_page
from portal.timezones import common_zones, remember_zone, zone_abbreviation, zone_or_none
from schedule.models import Session
from schedule.recordings.release import todays_release_announcement

logger = logging.getLogger(__name__)


@public_page()
def home(request):
    now = timezone.now()
    if Conference.get().is_archived(now):
        return archive_home(request, now)
    # Poster sessions say how many posters they hold; one annotated query, whatever the count.
    sessions = Session.objects.annotate(poster_count=Count("poster_slots")).order_by("start", "title")
    live = list(sessions.filter(start__lte=now, end__gt=now)[:10])
    upcoming = list(sessions.filter(start__gt=now)[:5])
    if upcoming:
        # "Next" is what starts within a few hours of the next start, not the whole week.
        horizon = upcoming[0].start + timedelta(hours=12)
        upcoming = [s for s in upcoming if s.start < horizon]
    span = Session.objects.aggregate(first_start=Min("start"), last_end=Max("end"))
    keynotes = todays_keynotes(now, request.viewer_zone)
    changes_at(request, *(i for row in keynotes for i in row.window.changes()))
    stream_now, stream_next = stream.now_and_next(now, count=1)
    changes_at(request, stream_now.end if stream_now else None, *(s.start for s in stream_next))
    # "Live now" and "next" move on as sessions start and end.
    changes_at(request, *(s.end for s in live), *(s.start for s in upcoming))
    context = {
        "now": now,
        "live": live,
        "upcoming": upcoming,
        "first_start": span["first_start"],
        "last_end": span["last_end"],
        "release_announcement": todays_release_announcement(now),
        "keynotes": keynotes,
        "online": presence.online_count(now),
        "stream_now": stream_now,
    }
    return render(request, "portal/home.html", context)


def archive_home(request, now):
    """Once the conference is over, the home page is its archive's front page: what each
    feature adds (portal/archive.py: keynotes, most-discussed papers, workshops, keywords,
    sessions) instead of an empty "today"."""
    span = Session.objects.aggregate(first_start=Min("start"), last_end=Max("end"))
    return render(request, "portal/archive_home.html", {"sections": archive_sections(now), **span})


def sitemap(request):
    """/sitemap.xml: the pages the apps register as public (portal.public), streamed (20,000
    papers need not sit in memory). The same for everyone: cacheable like a public page."""
    from django.conf import settings
    from django.http import StreamingHttpResponse
    from django.utils.html import escape

    from portal.public import public_path_sources

    base = settings.PORTAL_BASE_URL.rstrip("/")

    def lines():
        yield '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        for source in public_path_sources():
            if source.sitemap:
                for path in source.paths():
                    if path.endswith("/"):  # pages, not their feeds and data
                        yield f"<url><loc>{escape(base + path)}</loc></url>\n"
        yield "</urlset>\n"

    response = StreamingHttpResponse(lines(), content_type="application/xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@public_page()
def code_of_conduct(request):
    return render(request, "portal/code_of_conduct.html")


@public_page()
def help_page(request):
    return render(request, "portal/help.html")


def time_zone_page(request):
    return render(request, "portal/time_zone.html", {"zones": common_zones()})


@csrf_exempt
@require_POST
def set_time_zone(request):
    """Save the viewer's zone in a cookie (and the profile when logged in).

    The picker is on public pages, whose HTML carries no CSRF token: without JavaScript an
    anonymous visitor's choice (a display preference in a cookie) is taken without one; a
    logged-in person's profile changes only with a valid token (state.js adds it)."""
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
    name = request.POST.get("time_zone", "").strip()
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    zone = zone_or_none(name)
    if not zone:
        problem = f"“{name[:64]}” is not a time zone we know" if name else "No time zone was given"
        messages.error(request, f"{problem}; times stay in {request.viewer_zone_name}.")
        return HttpResponseRedirect(target)
    if request.user.is_authenticated and request.user.time_zone != name:
        request.user.time_zone = name
        request.user.save(update_fields=["time_zone"])
    messages.success(request, f"Times are now shown in {name} ({zone_abbreviation(zone, timezone.now())}).")
    return remember_zone(HttpResponseRedirect(target), name)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, "Your profile is saved.")
        response = redirect("profile")
        # The browser keeps the same zone after logging out.
        return remember_zone(response, user.time_zone) if user.time_zone else response
    return render(request, "portal/profile.html", {"form": form})


def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page says: the static icon (nginx
    or WhiteNoise serve it, hashed in production), cached for a day."""
    response = HttpResponsePermanentRedirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=86400)
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
    if isinstance(sys.exc_info()[1], DatabaseError):
        return database_unavailable(request, sys.exc_info()[1])
    return HttpResponseServerError(loader.get_template("500.html").render({}))


def database_unavailable(request, exc):
    """503 for any request the database failed, wherever it failed: a view, or a middleware
    reading the session or the user (which no view's `except` can reach). Logged as one
    warning line; `_has_been_logged` keeps Django from logging it again with a traceback."""
    logger.warning("database unavailable on %s %s: %s", request.method, request.path, type(exc).__name__)
    detail = "The database is not answering; try again in a minute."
    if request.path.startswith(("/api/", "/healthz")) or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"type": "error", "code": "unavailable", "detail": detail}, status=503)
    else:
        page = {"code": 503, "title": "The database is not answering", "text": detail}
        response = HttpResponse(loader.get_template("500.html").render(page), status=503)
    response["Retry-After"] = "30"
    response._has_been_logged = True
    return response
