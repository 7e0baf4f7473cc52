"""Pages of the booths app. `/booths/` and `/booths/<slug>/` are public pages (portal.public:
the same HTML for everyone; the visitor's call link and host controls come from the
state part "booths", booths/state.py). A self-organised booth's page is private, for
its members only (booths/private_views.py)."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from booths import calls, listing, private_views
from booths.models import Booth
from booths.state import booth_calls
from chat.services import presence
from portal.public import changes_at, keep_from_shared_caches, public_page
from portal.timezones import use_profile_zone
from schedule.call_links import opens_at, window


@public_page(browsing=True)
def index(request):
    now = timezone.now()
    filters = listing.read_filters(request.GET)
    booths = listing.booth_list(filters, now, getattr(request, "viewer_zone_name", "UTC"))
    changes_at(request, *listing.changes(booths, now))
    if filters.q:
        keep_from_shared_caches(request)  # each text would be a cache entry of its own
    context = {
        "groups": listing.grouped(booths),
        "open_now": [b for b in booths if b.is_open],
        "filters": filters,
        "kinds": [(k, Booth.Kind(k).label) for k in Booth.PUBLIC_KINDS],
        "count": len(booths),
        "now": now,
    }
    return render(request, "booths/booth_list.html", context)


def detail(request, slug):
    kind = Booth.objects.filter(slug=slug).values_list("kind", flat=True).first()
    if kind == Booth.Kind.SELF_ORGANISED:
        use_profile_zone(request)
        return private_views.detail(request, slug)
    return public_detail(request, slug)


# The time-zone middleware must not read the visitor for a public booth's page (the page
# would vary by cookie, and nginx would not keep it): a private one asks for it above.
detail.public_page = True


def _public_booth(slug):
    booth = listing.public_booths().prefetch_related("hosts").filter(slug=slug).first()
    if booth is None:
        raise Http404("There is no such booth.")
    return booth


@public_page(browsing=True)
def public_detail(request, slug):
    booth = _public_booth(slug)
    now = timezone.now()
    slots = booth.slot_list
    changes_at(request, *calls.changes(booth, slots, now))
    window_now = calls.current_window(booth, slots, now)
    context = {
        "booth": booth,
        "hosts": sorted(booth.hosts.all(), key=lambda u: u.name.lower()),
        "slots": slots,
        "upcoming": [s for s in slots if s.end > now],
        "is_open": calls.is_open_now(booth, slots, now),
        "present": presence.count(booth.room_key),
        "call": window(window_now, booth.call_link, now) if window_now else None,
        "call_opens_at": opens_at(window_now) if window_now else None,
        "now": now,
    }
    return render(request, "booths/booth_detail.html", context)


@private_views.not_found_privately
@require_GET
def call(request, slug):
    """Without JavaScript, "Join the video call" comes here: to the link if this visitor may
    see it now (booths.calls), else back to the booth with the reason."""
    found = booth_calls(request.user, [slug])
    if slug not in found:
        raise Http404("There is no such booth.")
    state = found[slug]["call"]
    if state["url"]:
        response = HttpResponseRedirect(state["url"])
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    reason = state["reason"] or "The booth's video call is not open now."
    return render(request, "portal/call_link.html", {"reason": reason}, status=403)
