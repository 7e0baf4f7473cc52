"""Private pages for hosts and applicants: apply for a booth (`/booths/apply/`, with the
organisers' answers to one's applications), edit one's booth (`/booths/<slug>/edit/`)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from booths.forms import AddSlotForm, ApplicationForm, HostEditForm
from booths.models import Booth
from booths.services import applications
from booths.services.errors import BoothError

OPEN_FOR = timedelta(hours=1)


def _zone(request):
    return getattr(request, "viewer_zone_name", "UTC")


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = ApplicationForm(request.POST or None, zone_name=_zone(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booth = applications.apply(
                request.user,
                kind=data["kind"],
                name=data["name"],
                description=data["description"],
                slots=data["slots"],
                co_host_emails=data["co_hosts"],
            )
        except BoothError as refusal:
            form.add_error(None, refusal.detail)
        else:
            messages.success(
                request, f"Thank you: “{booth.name}” is with the organisers. Their answer comes here and by e-mail."
            )
            return HttpResponseRedirect(request.path)
    mine = Booth.objects.filter(applicant=request.user).exclude(kind=Booth.Kind.SELF_ORGANISED).order_by("-created_at")
    context = {"form": form, "applications": mine, "registered": request.user.is_registered}
    return render(request, "booths/apply.html", context, status=400 if form.errors else 200)


def _hosted(request, slug):
    if not request.user.is_authenticated:
        return None
    booth = Booth.objects.exclude(kind=Booth.Kind.SELF_ORGANISED).filter(slug=slug).first()
    if booth is None:
        raise Http404("There is no such booth.")
    if not (request.user.is_staff or applications.is_host(booth, request.user)):
        raise PermissionDenied("Only this booth's hosts can edit it.")
    return booth


@never_cache
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    booth = _hosted(request, slug)
    if booth is None:
        return redirect_to_login(request.get_full_path())
    form = HostEditForm(request.POST or None, request.FILES or None, instance=booth)
    slot_form = AddSlotForm(zone_name=_zone(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your booth is saved.")
        return HttpResponseRedirect(request.path)
    context = {"booth": booth, "form": form, "slot_form": slot_form, "slots": booth.slots.order_by("start")}
    return render(request, "booths/edit.html", context, status=400 if form.errors else 200)


@never_cache
@require_POST
def add_slots(request, slug):
    booth = _hosted(request, slug)
    if booth is None:
        return redirect_to_login(request.get_full_path())
    form = AddSlotForm(request.POST, zone_name=_zone(request))
    if form.is_valid():
        applications.make_slots(booth, form.cleaned_data["slots"])
        messages.success(request, "The times are added.")
    else:
        messages.error(request, " ".join(form.errors["slots"]))
    return HttpResponseRedirect(f"/booths/{booth.slug}/edit/")


@never_cache
@require_POST
def mark_open(request, slug):
    """A host opens the booth's call now (for an hour), or closes it."""
    booth = _hosted(request, slug)
    if booth is None:
        return redirect_to_login(request.get_full_path())
    if request.POST.get("open") == "1":
        booth.open_until = timezone.now() + OPEN_FOR
        messages.success(request, "The booth is open for the next hour: its call link is shown.")
    else:
        booth.open_until = None
        messages.success(request, "The booth is closed until its next time.")
    booth.save(update_fields=["open_until", "updated_at"])
    return HttpResponseRedirect(f"/booths/{booth.slug}/edit/")
