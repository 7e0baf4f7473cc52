"""Pages of the chat: the Corridor, any room full-page, the room directory, moderation."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chat import exporting, rooms, services
from chat.listing import SORTS, kinds, room_page, who_has_rooms
from chat.models import Mention, ModerationAction, Room, Sanction
from chat.services.errors import ChatError
from chat.services.moderation import open_person_reports, open_reports
from portal.page_parts import render_page_parts
from portal.public import public_page


@public_page(browsing=True)
def corridor(request):
    return _room_page(request, rooms.CORRIDOR)


@public_page(browsing=True)
def room_detail(request, key):
    return _room_page(request, key)


def _room_page(request, key):
    room = rooms.find_room_for(key, request.user)
    if room is None:
        raise Http404("There is no such room.")
    context = {
        "room": room,
        "context_url": rooms.url_for(room),
        # What layers above add to a room's page (people: "meet someone now" in the Corridor).
        "page_parts": render_page_parts(f"room:{room.kind}", request, room=room),
    }
    return render(request, "chat/room_detail.html", context)


@public_page(browsing=True)
def room_list(request):
    page, present = room_page(request.GET)
    context = {
        "page": page,
        "rooms": [(room, present[room.key]) for room in page],
        "q": request.GET.get("q", ""),
        "kind": request.GET.get("kind", ""),
        "sort": request.GET.get("sort") if request.GET.get("sort") in SORTS else "active",
        "sorts": SORTS,
        "kinds": kinds(),
        "who_has_rooms": who_has_rooms(),
    }
    template = "chat/_room_rows.html" if getattr(request, "htmx", False) else "chat/room_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the rows and the page share a URL
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def post_page(request, key):
    """Post without JavaScript: a private page with the composer and a CSRF token (the
    room's public panel links here); POST posts through the services and goes back."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    room = rooms.find_room_for(key, request.user)
    if room is None:
        raise Http404("There is no such room.")
    back = _next_url(request, rooms.url_for(room) or f"/rooms/{room.key}/")
    if request.method == "POST":
        try:
            services.post_message(room=room, author=request.user, body=request.POST.get("body", ""))
        except ChatError as refusal:
            messages.error(request, refusal.detail)
        else:
            messages.success(request, "Your message is posted.")
        return HttpResponseRedirect(back)
    try:
        services.check_can_post(request.user, room)
    except ChatError as refusal:
        messages.error(request, refusal.detail)
        return HttpResponseRedirect(back)
    context = {
        "heading": f"Write in {room.title}",
        "action": request.path,
        "fields": [],
        "next": back,
        "textarea": "Your message (Markdown: **bold**, *italic*, `code`, links; @name to mention)",
        "submit": "Send",
    }
    return render(request, "portal/confirm.html", context)


def _next_url(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return default
    return target


@require_POST
@login_required
def accept_code_of_conduct(request):
    if request.user.code_of_conduct_accepted_at is None:
        request.user.code_of_conduct_accepted_at = timezone.now()
        request.user.save(update_fields=["code_of_conduct_accepted_at"])
    messages.success(request, "Thank you for accepting the code of conduct. You can post now.")
    return HttpResponseRedirect(_next_url(request))


@login_required
def my_mentions(request):
    mentions = list(
        Mention.objects.filter(user=request.user, message__hidden_at__isnull=True, message__deleted_at__isnull=True)
        .select_related("message__room", "message__author")
        .order_by("-id")[:100]
    )
    unseen = [m.pk for m in mentions if m.seen_at is None]
    if unseen:
        Mention.objects.filter(pk__in=unseen).update(seen_at=timezone.now())
    return render(request, "chat/mentions.html", {"mentions": mentions, "unseen": set(unseen)})


# --- moderation -------------------------------------------------------------------------


def _moderator(request):
    if not request.user.is_authenticated:
        return False
    if not request.user.is_moderator:
        raise PermissionDenied("Only moderators can see this page.")
    return True


def moderator_only(view):
    """Check the permission before the view looks anything up, so that a non-moderator gets
    the same answer whatever the id (a 404 for a missing one would tell which exist)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not _moderator(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return checked


@moderator_only
def moderation_queue(request):
    reports = list(open_reports().order_by("message_id", "created_at"))
    by_message = {}
    for report in reports:
        by_message.setdefault(report.message_id, {"message": report.message, "reports": []})["reports"].append(report)
    now = timezone.now()
    sanctions = list(
        Sanction.objects.filter(lifted_at__isnull=True)
        .exclude(until__lte=now)
        .select_related("user", "room", "created_by")
        .order_by("-created_at")[:100]
    )
    actions = list(
        ModerationAction.objects.select_related("moderator", "target_user", "room", "message").order_by("-id")[:30]
    )
    people = {}
    for report in open_person_reports().order_by("person_id", "created_at"):
        people.setdefault(report.person_id, {"person": report.person, "reports": []})["reports"].append(report)
    context = {
        "items": list(by_message.values()),
        "people": list(people.values()),
        "sanctions": sanctions,
        "actions": actions,
    }
    return render(request, "chat/moderation.html", context)


def _act(request, verb, success):
    try:
        verb()
    except ChatError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, success)
    return HttpResponseRedirect(_next_url(request, "/moderation/"))


@require_POST
@moderator_only
def hide(request, message_id):
    reason = request.POST.get("reason", "")[:500]
    return _act(
        request,
        lambda: services.hide_message(moderator=request.user, message_id=message_id, reason=reason),
        "The message is hidden from everyone.",
    )


@require_POST
@moderator_only
def unhide(request, message_id):
    return _act(
        request,
        lambda: services.unhide_message(moderator=request.user, message_id=message_id),
        "The message is visible again.",
    )


@require_POST
@moderator_only
def dismiss(request, message_id):
    return _act(
        request,
        lambda: services.dismiss_reports(moderator=request.user, message_id=message_id),
        "The reports are dismissed; the message stays.",
    )


@require_POST
@moderator_only
def dismiss_person(request, user_id):
    person = get_object_or_404(get_user_model(), pk=user_id)
    return _act(
        request,
        lambda: services.dismiss_person_reports(moderator=request.user, person=person),
        "The reports about this person are dismissed.",
    )


@require_POST
@moderator_only
def mute(request, user_id):
    target = get_object_or_404(get_user_model(), pk=user_id)
    room = None
    if request.POST.get("room"):
        room = get_object_or_404(Room, key=request.POST["room"])
    try:
        minutes = int(request.POST.get("minutes", "60"))
    except ValueError:
        minutes = 0
    reason = request.POST.get("reason", "")[:500]
    where = f"in {room}" if room else "everywhere"
    return _act(
        request,
        lambda: services.mute_user(moderator=request.user, user=target, room=room, minutes=minutes, reason=reason),
        f"{target.name} is muted {where} for {minutes} minutes.",
    )


@require_POST
@moderator_only
def ban(request, user_id):
    target = get_object_or_404(get_user_model(), pk=user_id)
    reason = request.POST.get("reason", "")[:500]
    return _act(
        request,
        lambda: services.ban_user(moderator=request.user, user=target, reason=reason),
        f"{target.name} is banned from the chat.",
    )


@require_POST
@moderator_only
def lift(request, sanction_id):
    sanction = get_object_or_404(Sanction, pk=sanction_id)
    return _act(
        request,
        lambda: services.lift_sanction(moderator=request.user, sanction=sanction),
        f"The {sanction.get_kind_display()} of {sanction.user.name} is lifted.",
    )


# --- organisers' export -----------------------------------------------------------------


def export_room(request, key, fmt):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_organiser:
        raise PermissionDenied("Only organisers can export a room.")
    room = get_object_or_404(Room, key=key)
    content, content_type = exporting.export(room, fmt, exported_by=request.user)
    response = HttpResponse(content, content_type=content_type)
    filename = f"chat-{room.key.replace(':', '-')}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
