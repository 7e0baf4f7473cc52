"""My agenda's pages and forms. Logged-in people's agendas live in the database; an
anonymous visitor's lives in their browser (static/js/schedule.js) and is shown through
`agenda_browser`, then merged into their account when they log in.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.models import Conference
from schedule.agenda import (
    AgendaError,
    add_to_agenda,
    agenda_days,
    agenda_keys,
    agenda_settings_for,
    appointment_lines,
    lines_for_browser_items,
    lines_for_items,
    parse_browser_items,
    regenerate_feed_token,
    remove_from_agenda,
)
from schedule.models import AgendaItem, AgendaSettings, Session
from schedule.reminders import active_notices


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def feed_urls(request, token):
    url = request.build_absolute_uri(f"{reverse('schedule:agenda_feed')}?token={token}")
    return url, "webcal://" + url.split("://", 1)[1]


def my_agenda(request):
    conference = Conference.get()
    context = {"conference": conference, "now": timezone.now()}
    if request.user.is_authenticated:
        items = AgendaItem.objects.filter(user=request.user).select_related("session", "session__parent")
        lines = lines_for_items(items) + appointment_lines(request.user)
        settings = agenda_settings_for(request.user)
        feed_url, webcal_url = feed_urls(request, settings.feed_token)
        context |= {
            "agenda_days": agenda_days(lines, request.viewer_zone),
            "item_count": len(lines),
            "overlap_count": sum(1 for line in lines if line.overlaps),
            "agenda_settings": settings,
            "reminder_choices": AgendaSettings.ReminderMinutes.choices,
            "feed_url": feed_url,
            "webcal_url": webcal_url,
            "notices": active_notices(request.user, context["now"]),
        }
    return render(request, "schedule/agenda.html", context)


@require_GET
def agenda_browser(request):
    """The agenda a visitor keeps in the browser, rendered like a saved one (for the script)."""
    try:
        items = parse_browser_items(request.GET.get("items", "[]"))
    except AgendaError as exc:
        items, problem = [], str(exc)
    else:
        problem = ""
    lines = lines_for_browser_items(items)
    return render(
        request,
        "schedule/_agenda_days.html",
        {
            "conference": Conference.get(),
            "agenda_days": agenda_days(lines, request.viewer_zone),
            "item_count": len(lines),
            "overlap_count": sum(1 for line in lines if line.overlaps),
            "problem": problem,
            "browser": True,
        },
        status=400 if problem else 200,
    )


def _session_or_none(raw):
    try:
        session_id = int(raw or "")
    except ValueError:
        return None
    return Session.objects.filter(pk=session_id).first() if session_id > 0 else None


def confirm_agenda_item(request, fallback):
    """GET: the private page that asks to confirm (the public pages' buttons come here
    without JavaScript: their HTML carries no CSRF token)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    session = _session_or_none(request.GET.get("session"))
    if session is None:
        messages.error(request, "That session does not exist (any more).")
        return HttpResponseRedirect(_safe_next(request, fallback))
    subject, label = request.GET.get("subject", ""), request.GET.get("label", "")
    present = f"{session.pk}|{subject}" in agenda_keys(request.user)
    title = label or session.title
    context = {
        "heading": f"Remove “{title}” from your agenda?" if present else f"Add “{title}” to your agenda?",
        "action": request.path,
        "fields": [
            ("session", session.pk),
            ("subject", subject),
            ("label", label),
            ("action", "remove" if present else "add"),
        ],
        "next": _safe_next(request, fallback),
        "submit": "Remove" if present else "Add to my agenda",
    }
    return render(request, "portal/confirm.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def agenda_item(request):
    """Add or remove a session (or a subject in it); JSON for the script, a redirect for
    forms; GET asks to confirm."""
    fallback = reverse("schedule:my_agenda")
    if request.method == "GET":
        return confirm_agenda_item(request, fallback)
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"error": "Log in to keep your agenda on the site."}, status=403)
        messages.info(request, "Log in to keep your agenda; it then follows you to every device.")
        return redirect_to_login(_safe_next(request, fallback))
    action = request.POST.get("action", "add")
    session = _session_or_none(request.POST.get("session"))
    problem = None
    if session is None:
        problem = "That session does not exist (any more)."
    elif action not in {"add", "remove"}:
        problem = "Unknown action."
    if problem is None:
        try:
            if action == "add":
                _, created = add_to_agenda(
                    request.user, session, request.POST.get("subject", ""), request.POST.get("label", "")
                )
                note = "Added to your agenda." if created else "It was already in your agenda."
            else:
                removed = remove_from_agenda(request.user, session.pk, request.POST.get("subject", ""))
                note = "Removed from your agenda." if removed else "It was not in your agenda."
        except AgendaError as exc:
            problem = str(exc)
    if _wants_json(request):
        if problem:
            return JsonResponse({"error": problem}, status=400)
        return JsonResponse({"in_agenda": action == "add", "message": note})
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, f"“{request.POST.get('label') or session.title}”: {note}")
    return HttpResponseRedirect(_safe_next(request, fallback))


@login_required
@require_POST
def regenerate_feed(request):
    regenerate_feed_token(request.user)
    messages.success(
        request, "Your calendar link is new; the old one no longer works. Subscribe again with the new link."
    )
    return redirect("schedule:my_agenda")


@login_required
@require_POST
def reminder_settings(request):
    settings = agenda_settings_for(request.user)
    try:
        minutes = int(request.POST.get("reminder_minutes", ""))
    except ValueError:
        minutes = -1
    if minutes not in AgendaSettings.ReminderMinutes.values:
        messages.error(request, "Choose one of the offered reminder times.")
        return redirect("schedule:my_agenda")
    settings.reminder_minutes = minutes
    settings.email_reminders = request.POST.get("email_reminders") in {"1", "on", "true"}
    settings.save(update_fields=["reminder_minutes", "email_reminders", "updated_at"])
    messages.success(request, f"Reminders: {settings.get_reminder_minutes_display().lower()}.")
    return redirect("schedule:my_agenda")


@login_required
@require_POST
def dismiss_notice(request, pk):
    item = get_object_or_404(AgendaItem, pk=pk, user=request.user)
    item.notice_dismissed_at = timezone.now()
    item.save(update_fields=["notice_dismissed_at"])
    if _wants_json(request):
        return JsonResponse({"dismissed": True})
    return HttpResponseRedirect(_safe_next(request, reverse("schedule:my_agenda")))
