"""Pages of the keynotes app: the list and a keynote's page (public, the same for every
visitor), and the small private pages that act without JavaScript (ask, vote, moderate),
the chair's view and the organisers' summary."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from chat.services.errors import ChatError
from keynotes import services
from keynotes.listing import keynote_rows, page_questions, summary
from keynotes.models import KIND, Keynote, Question
from keynotes.rendering import questions_html
from keynotes.timing import Phase, window
from portal.models import Conference
from portal.public import changes_at, public_page
from portal.timezones import zone_abbreviation
from schedule.call_links import window as call_window
from schedule.recordings import upload_views
from schedule.recordings.media import media_for
from schedule.recordings.models import Recording

SORTS = {"top": "Most votes", "new": "Newest"}


def _keynote_or_404(slug):
    return get_object_or_404(Keynote.objects.select_related("qa_session"), slug=slug)


def _next(request, keynote):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return keynote.get_absolute_url()


@public_page(browsing=True)
def keynote_list(request):
    now = timezone.now()
    rows = keynote_rows(now)
    changes_at(request, *(i for row in rows for i in row.window.changes()))
    return render(request, "keynotes/keynote_list.html", {"rows": rows, "now": now, "Phase": Phase})


@public_page(browsing=True)
def keynote_detail(request, slug):
    keynote = get_object_or_404(Keynote.objects.select_related("qa_session", "on_air", "on_air__author"), slug=slug)
    now = timezone.now()
    recording = Recording.objects.select_related("current_version").filter(subject_key=keynote.subject_key).first()
    qa = window(keynote, recording)
    media = media_for(recording, request.user, now)
    sort = request.GET.get("sort", "top")
    if sort not in SORTS:
        sort = "top"
    questions = page_questions(keynote, sort)
    qa_session = keynote.qa_session
    call = call_window(qa_session, qa_session.call_link, now) if qa_session else None
    changes_at(request, *qa.changes(), recording.release_at if recording else None)
    if call is not None:
        changes_at(request, call.opens_at)
    context = {
        "keynote": keynote,
        "speakers": list(keynote.speakers.all()),
        "media": media,
        "talk": {"uid": f"keynote-{keynote.slug}"},
        "qa": qa,
        "phase": qa.phase(now),
        "is_open": qa.is_open(now),
        "now": now,
        "questions": questions,
        "on_air": keynote.on_air if keynote.on_air_id and keynote.on_air.status == Question.Status.VISIBLE else None,
        "sort": sort,
        "sorts": SORTS,
        "call": call,
        "call_key": f"session:{qa_session.pk}" if qa_session else "",
        "livestream_url": Conference.get().livestream_url,
        "answered_count": sum(1 for q in questions if q.answered_at),
    }
    on_air = context["on_air"]
    context["questions_html"] = questions_html(
        questions,
        on_air_id=on_air.pk if on_air else None,
        is_open=context["is_open"],
        vote_prefix=f"{keynote.get_absolute_url()}questions/",
        here=request.get_full_path(),
        zone_abbr=zone_abbreviation(request.viewer_zone, now) if hasattr(request, "viewer_zone") else "UTC",
    )
    return render(request, "keynotes/keynote_detail.html", context)


def _refused(request, keynote, refusal, template, context, status=None):
    status = status or {"forbidden": 403, "rate_limited": 429}.get(refusal.code, 400)
    context = {**context, "keynote": keynote, "error": refusal.detail, "next": _next(request, keynote)}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def ask(request, slug):
    """Without JavaScript: the form to ask (GET) and the question asked (POST)."""
    keynote = _keynote_or_404(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context = {"keynote": keynote, "next": _next(request, keynote), "body": "", "anonymous": False}
    try:
        services.check_can_ask(request.user, keynote, timezone.now())
    except ChatError as refusal:
        return _refused(request, keynote, refusal, "keynotes/ask.html", context)
    if request.method == "GET":
        return render(request, "keynotes/ask.html", context)
    body, anonymous = request.POST.get("body", ""), request.POST.get("anonymous") == "1"
    context.update(body=body, anonymous=anonymous)
    try:
        question = services.ask(keynote, request.user, body, anonymous=anonymous)
    except ChatError as refusal:
        return _refused(request, keynote, refusal, "keynotes/ask.html", context)
    if question.status == Question.Status.PENDING:
        messages.success(request, "Your question is asked; it appears once a moderator approves it.")
    else:
        messages.success(request, "Your question is asked.")
    return HttpResponseRedirect(_next(request, keynote) + f"#question-{question.pk}")


@require_http_methods(["GET", "POST"])
def vote(request, slug, question_id):
    """Without JavaScript: confirm (GET) and cast or take back a vote (POST on=1/0)."""
    keynote = _keynote_or_404(slug)
    question = get_object_or_404(Question.objects.select_related("author"), pk=question_id, keynote=keynote)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    voted = question.vote_rows.filter(user=request.user).exists()
    if request.method == "GET":
        context = {
            "heading": f"Take back your vote on “{question.body[:80]}”?"
            if voted
            else f"Vote for “{question.body[:80]}”?",
            "action": request.path,
            "fields": [("on", "0" if voted else "1")],
            "next": _next(request, keynote),
            "submit": "Take back my vote" if voted else "Vote",
        }
        return render(request, "portal/confirm.html", context)
    on = request.POST.get("on", "0" if voted else "1") == "1"
    try:
        if on:
            services.vote(keynote, request.user, question.pk)
        else:
            services.unvote(keynote, request.user, question.pk)
    except ChatError as refusal:
        messages.error(request, refusal.detail)
        return HttpResponseRedirect(_next(request, keynote))
    messages.success(request, "Your vote is counted." if on else "Your vote is taken back.")
    return HttpResponseRedirect(_next(request, keynote) + f"#question-{question.pk}")


ACTIONS = ("approve", "hide", "merge", "answered", "unanswered", "on_air", "off_air", "next")


@require_POST
def moderate(request, slug):
    """The chair's and moderators' forms (and chair.js without a socket): one action."""
    keynote = _keynote_or_404(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("keynotes:chair", args=[slug]))
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        messages.error(request, f"“{action[:40]}” is not a moderation action; one of {', '.join(ACTIONS)}.")
        return HttpResponseRedirect(_next(request, keynote))
    raw, into = request.POST.get("question", ""), request.POST.get("into", "")
    question_id = int(raw) if raw.isdigit() and len(raw) < 18 else None
    try:
        if action == "next":
            services.next_on_air(keynote, request.user)
        elif action == "off_air":
            services.set_on_air(keynote, request.user, None)
        elif question_id is None:
            raise services.Invalid("Name the question by its number.")
        elif action == "approve":
            services.approve(keynote, request.user, question_id)
        elif action == "hide":
            services.hide(keynote, request.user, question_id)
        elif action == "merge":
            if not (into.isdigit() and len(into) < 18):
                raise services.Invalid("Say which question to merge it into, by its number.")
            services.merge(keynote, request.user, question_id, int(into))
        elif action in ("answered", "unanswered"):
            services.mark_answered(keynote, request.user, question_id, action == "answered")
        else:
            services.set_on_air(keynote, request.user, question_id)
    except ChatError as refusal:
        if refusal.reason == "not_moderator":
            raise PermissionDenied(refusal.detail) from None
        messages.error(request, refusal.detail)
    else:
        messages.success(request, "Done.")
    return HttpResponseRedirect(_next(request, keynote))


def chair(request, slug):
    """The chair's second screen: the top questions in large type, one-key actions."""
    keynote = _keynote_or_404(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.is_moderator(request.user, keynote):
        raise PermissionDenied("Only moderators, organisers and this keynote's chairs see the chair view.")
    questions = list(
        keynote.questions.select_related("author")
        .filter(status__in=[Question.Status.VISIBLE, Question.Status.PENDING], answered_at__isnull=True)
        .order_by("-votes", "created_at", "pk")[:30]
    )
    context = {
        "keynote": keynote,
        "questions": questions,
        "on_air": keynote.questions.select_related("author").filter(pk=keynote.on_air_id).first(),
        "qa": window(keynote, services.recording_of(keynote)),
        "now": timezone.now(),
        "next": request.path,
    }
    response = render(request, "keynotes/chair.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def keynote_summary(request, slug):
    """For organisers: questions asked, answered, votes, peak watchers."""
    keynote = _keynote_or_404(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_staff or services.is_moderator(request.user, keynote)):
        raise PermissionDenied("The Q&A summary is for organisers and moderators.")
    return render(request, "keynotes/summary.html", {"keynote": keynote, "summary": summary(keynote)})


def recording(request, slug):
    """The speakers' (or an organiser's) upload page of the pre-recorded talk: the one upload
    page of schedule.recordings at the keynote's own address."""
    return upload_views.upload_page(request, f"{KIND}:{slug}")


def upload(request, slug, kind):
    return upload_views.upload(request, f"{KIND}:{slug}", kind)
