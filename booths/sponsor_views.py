"""Sponsors' pages: `/sponsors/` by tier, a sponsor's page (booth, expo talks, jobs, meeting
slots), `/sponsors/jobs/` (filterable) on the read path; booking and cancelling meetings and
`/sponsors/meetings/` (one's own, with the call link inside its window) are private."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from booths.services import meetings
from booths.services.errors import BoothError
from booths.sponsor_models import Job, MeetingSlot, Sponsor
from portal.public import changes_at, keep_from_shared_caches, public_page
from schedule.models import Session

MAX_QUERY = 100


def tiers(sponsors):
    """[(tier, [sponsor, …])] in the tiers' order."""
    return [(tier, list(group)) for tier, group in groupby(sponsors, key=lambda s: s.tier)]


@public_page(browsing=True)
def sponsor_list(request):
    sponsors = list(
        Sponsor.objects.select_related("booth").annotate(job_count=Count("jobs")).order_by("tier_rank", "name")
    )
    return render(request, "booths/sponsor_list.html", {"tiers": tiers(sponsors)})


@public_page(browsing=True)
def sponsor_detail(request, slug):
    sponsor = (
        Sponsor.objects.select_related("booth")
        .prefetch_related(
            Prefetch("talks", queryset=Session.objects.order_by("start")),
            Prefetch("jobs", queryset=Job.objects.order_by("title", "id")),
        )
        .filter(slug=slug)
        .first()
    )
    if sponsor is None:
        raise Http404("There is no such sponsor.")
    now = timezone.now()
    slots = list(sponsor.meeting_slots.filter(cancelled_at__isnull=True, start__gt=now).order_by("start"))
    changes_at(request, *(s.start for s in slots))
    context = {"sponsor": sponsor, "meeting_slots": slots, "now": now}
    return render(request, "booths/sponsor_detail.html", context)


@public_page(browsing=True)
def job_list(request):
    q = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    sponsor = (request.GET.get("sponsor") or "").strip()[:96]
    place = (request.GET.get("place") or "").strip()[:MAX_QUERY]
    jobs = Job.objects.select_related("sponsor")
    if q:
        jobs = jobs.filter(Q(title__icontains=q) | Q(sponsor__name__icontains=q))
    if sponsor:
        jobs = jobs.filter(sponsor__slug=sponsor)
    if place:
        jobs = jobs.filter(place__icontains=place)
    if q or place:
        keep_from_shared_caches(request)
    context = {
        "jobs": list(jobs),
        "q": q,
        "place": place,
        "sponsor": sponsor,
        "sponsors": list(
            Sponsor.objects.filter(jobs__isnull=False).distinct().order_by("name").values_list("slug", "name")
        ),
    }
    return render(request, "booths/job_list.html", context)


def _slot_or_404(slot_id):
    slot = MeetingSlot.objects.select_related("sponsor").filter(pk=slot_id).first()
    if slot is None:
        raise Http404("There is no such meeting slot.")
    return slot


@never_cache
@require_http_methods(["GET", "POST"])
def book(request, slot_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    slot = _slot_or_404(slot_id)
    back = slot.sponsor.get_absolute_url()
    if request.method == "POST":
        try:
            meetings.book(slot, request.user)
        except BoothError as refusal:
            messages.error(request, refusal.detail)
            return HttpResponseRedirect(back)
        messages.success(request, f"Your meeting with {slot.sponsor.name} is booked; it is in your agenda.")
        return HttpResponseRedirect("/sponsors/meetings/")
    context = {
        "heading": f"Book a meeting with {slot.sponsor.name}",
        "action": request.path,
        "fields": [],
        "next": back,
        "submit": "Book it",
    }
    return render(request, "portal/confirm.html", context)


@never_cache
@require_POST
def cancel(request, slot_id):
    if not request.user.is_authenticated:
        return redirect_to_login("/sponsors/meetings/")
    slot = _slot_or_404(slot_id)
    if not meetings.is_party(slot, request.user):
        raise Http404("There is no such meeting.")
    try:
        meetings.cancel(slot, request.user)
    except BoothError as refusal:
        messages.error(request, refusal.detail)
    else:
        messages.success(request, "The meeting is cancelled.")
    return HttpResponseRedirect("/sponsors/meetings/")


@never_cache
def my_meetings(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    now = timezone.now()
    booked = [(slot, meetings.meeting_call(slot, request.user, now)) for slot in meetings.meetings_of(request.user)]
    return render(request, "booths/my_meetings.html", {"meetings": booked, "now": now})
