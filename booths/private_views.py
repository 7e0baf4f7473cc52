"""Pages of self-organised booths: private, per member, never cached by anyone.

Start one (`/booths/start/`), its page (`/booths/<slug>/` for its members; a 404 for
everyone else, exactly as for a booth that does not exist), its invite link
(`/booths/<slug>/join/<token>/`), adding someone by e-mail.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from booths import calls
from booths.models import Booth
from booths.services import private
from booths.services.errors import BoothError
from schedule.call_links import Viewer

NOT_FOUND = "There is no such booth."


def _emails(text):
    found = []
    for raw in text.replace(",", "\n").replace(";", "\n").split():
        email = raw.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(f"“{email[:80]}” is not an e-mail address.") from None
        if email not in found:
            found.append(email)
    return found


class StartForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, help_text="Only its members see it.")
    topic = forms.CharField(max_length=300, required=False)
    others = forms.CharField(
        label="Who else (e-mail addresses)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Up to two registered attendees, separated by commas; or invite them later with the link.",
    )

    def clean_others(self):
        emails = _emails(self.cleaned_data["others"])
        users = {u.email: u for u in get_user_model().objects.filter(email__in=emails, is_active=True)}
        missing = [e for e in emails if e not in users]
        if missing:
            raise ValidationError(f"Nobody has an account with the address {missing[0]}.")
        return [users[e] for e in emails]


def not_found_privately(view):
    """A 404 from a private booth's page is no-store too: a shared cache that kept a
    non-member's 404 would serve it to the members."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404 as missing:
            response = render(request, "404.html", {"exception": str(missing)}, status=404)
        add_never_cache_headers(response)
        return response

    return wrapped


def _member_booth(request, slug):
    """The open self-organised booth `slug` if the visitor is a member, else 404."""
    booth = Booth.objects.private().filter(slug=slug).first()
    if booth is None or not private.is_member(booth, request.user):
        raise Http404(NOT_FOUND)
    return booth


@never_cache
@require_http_methods(["GET", "POST"])
def start(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booth = private.start_private_booth(
                request.user,
                form.cleaned_data["others"],
                name=form.cleaned_data["name"],
                topic=form.cleaned_data["topic"],
            )
        except BoothError as refusal:
            form.add_error("others" if refusal.reason in ("too_many", "not_registered") else None, refusal.detail)
        else:
            messages.success(request, "Your booth is open. Only its members can see it.")
            return HttpResponseRedirect(booth.get_absolute_url())
    context = {"form": form, "max_members": private.max_members(), "hours": private.lifetime()}
    return render(request, "booths/private_start.html", context, status=400 if form.errors else 200)


@not_found_privately
def detail(request, slug):
    booth = _member_booth(request, slug)
    now = timezone.now()
    is_open = private.is_open(booth, now)
    call = calls.booth_call(booth, [], Viewer(request.user, now), member=True) if is_open else None
    context = {
        "booth": booth,
        "is_open": is_open,
        "members": list(booth.members.order_by("display_name", "email")),
        "call": call,
        "invite_url": request.build_absolute_uri(private.invite_path(booth)) if is_open else "",
        "full": booth.memberships.count() >= private.max_members(),
        "max_members": private.max_members(),
    }
    return render(request, "booths/private_detail.html", context)


@not_found_privately
@require_POST
def add_member(request, slug):
    if not request.user.is_authenticated:
        raise Http404(NOT_FOUND)
    booth = _member_booth(request, slug)
    try:
        emails = _emails(request.POST.get("email", ""))
        if len(emails) != 1:
            raise ValidationError("Give one e-mail address.")
    except ValidationError as problem:
        messages.error(request, problem.messages[0])
        return HttpResponseRedirect(booth.get_absolute_url())
    user = get_user_model().objects.filter(email=emails[0], is_active=True).first()
    if user is None:
        messages.error(request, f"Nobody has an account with the address {emails[0]}.")
        return HttpResponseRedirect(booth.get_absolute_url())
    try:
        added = private.add_member(booth, user, by=request.user)
    except BoothError as refusal:
        messages.error(request, refusal.detail)
    else:
        messages.success(request, f"{user.name} is in the booth." if added else f"{user.name} was already in it.")
    return HttpResponseRedirect(booth.get_absolute_url())


@not_found_privately
@require_http_methods(["GET", "POST"])
def join(request, slug, token):
    """The invite link: a registered attendee confirms and is in; anyone else is told why not."""
    booth = Booth.objects.private().filter(slug=slug).first()
    if booth is None or not private.invite_matches(booth, token):
        raise Http404("This invitation link is not valid.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if private.is_member(booth, request.user):
        return HttpResponseRedirect(booth.get_absolute_url())
    if request.method == "POST":
        try:
            private.join_by_invite(booth, request.user, token)
        except BoothError as refusal:
            messages.error(request, refusal.detail)
            return render(request, "booths/private_join.html", {"booth": None, "refusal": refusal}, status=403)
        messages.success(request, "You are in the booth.")
        return HttpResponseRedirect(booth.get_absolute_url())
    refusal = None
    if not request.user.is_registered:
        refusal = BoothError("not_registered", "Self-organised booths are for registered attendees only.")
    elif not private.is_open(booth):
        refusal = BoothError("closed", "This self-organised booth has closed.")
    elif booth.memberships.count() >= private.max_members():
        refusal = BoothError("too_many", f"This booth is full: it has {private.max_members()} people already.")
    context = {"booth": None if refusal else booth, "refusal": refusal}
    return render(request, "booths/private_join.html", context, status=403 if refusal else 200)
