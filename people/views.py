"""Pages of meeting people. Public pages (the list, a profile) are the same for everyone;
the visitor's side (blocks, introductions asked) comes from `/me/state.json?people=…`.
Actions are private pages that POST through the services and redirect back."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chat.services.errors import ChatError
from people import introductions, matching, profiles, rooms, safety
from people.forms import IntroductionForm, JoinQueueForm, PersonReportForm, ProfileSharingForm
from people.models import Block
from people.safety import MeetError
from portal.models import Conference
from portal.public import keep_from_shared_caches, public_page

PAGE_SIZE = 50


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return default
    return target


# --- public pages -------------------------------------------------------------------------


@public_page(browsing=True)
def people_list(request):
    query = " ".join(request.GET.get("q", "").split())[:100]
    if query or set(request.GET) - {"q", "page"}:
        keep_from_shared_caches(request)
    found = profiles.search(query)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    people = list(page.object_list)
    papers = profiles.papers_by_user([p.user_id for p in people])
    context = {
        "query": query,
        "page": page,
        "people": [{"profile": p, "user": p.user, "papers": papers.get(p.user_id, [])} for p in people],
    }
    return render(request, "people/people_list.html", context)


@public_page(browsing=True)
def profile_page(request, user_id):
    profile = profiles.public_profile(user_id)
    if profile is None:
        raise Http404("No one shares a profile here.")
    papers = profiles.papers_by_user([user_id]).get(user_id, [])
    return render(request, "people/profile.html", {"profile": profile, "person": profile.user, "papers": papers})


@public_page(browsing=True)
def around(request):
    """Who's around: people online now, and where those who share a profile are."""
    from people import presence

    now = timezone.now()
    context = {"online": presence.online_count(now), "around": presence.around(now)}
    return render(request, "people/around.html", context)


# --- the visitor's own ------------------------------------------------------------------


@never_cache
@login_required
def my_people(request):
    profile = profiles.profile_of(request.user)
    form = ProfileSharingForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            profiles.save_profile(request.user, **form.cleaned_data)
        except profiles.ProfileError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "Your sharing settings are saved.")
            return redirect("people:mine")
    received = list(introductions.received(request.user)[:50])
    sent = list(introductions.sent(request.user)[:50])
    for intro in (*received, *sent):
        intro.room_url = rooms.url_for(intro.room_key)
    context = {
        "form": form,
        "profile": profile,
        "received": received,
        "sent": sent,
        "blocks": list(Block.objects.filter(blocker=request.user).select_related("blocked")),
        "suggestions": profiles.suggestions(request.user) if profile.public else [],
    }
    return render(request, "people/mine.html", context)


def _person(user_id):
    return get_object_or_404(get_user_model(), pk=user_id, is_active=True)


@never_cache
@require_http_methods(["GET", "POST"])
def introduce(request, user_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = profiles.public_profile(user_id)
    if profile is None:
        raise Http404("No one shares a profile here.")
    back = _next_url(request, reverse("people:profile", args=[user_id]))
    form = IntroductionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            introductions.request_introduction(request.user, user_id, form.cleaned_data["note"])
        except MeetError as problem:
            form.add_error(None, problem.detail)
        else:
            messages.success(request, f"Your request is sent; {profile.user.display_name} will accept or decline.")
            return HttpResponseRedirect(back)
    problem = safety.refusal(request.user, suggestible=False)
    context = {"form": form, "person": profile.user, "next": back, "problem": problem}
    return render(request, "people/introduce.html", context)


@require_POST
@login_required
def answer_introduction(request, intro_id):
    accept = request.POST.get("answer") == "accept"
    try:
        intro = introductions.answer_introduction(request.user, intro_id, accept=accept)
    except MeetError as problem:
        messages.error(request, problem.detail)
    else:
        if accept:
            messages.success(request, f"You and {intro.requester.display_name} have a private room now.")
        else:
            messages.success(request, "Declined. They are told it did not work out, nothing more.")
    return HttpResponseRedirect(_next_url(request, reverse("people:mine")))


@never_cache
@require_http_methods(["GET", "POST"])
def block(request, user_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    person = _person(user_id)
    back = _next_url(request, reverse("people:index"))
    if request.method == "POST":
        try:
            safety.block(request.user, person)
        except MeetError as problem:
            messages.error(request, problem.detail)
        else:
            messages.success(
                request,
                "Blocked. You will not be matched or introduced, they cannot mention you, and the portal hides "
                "each of you from the other while logged in (a public profile stays readable by anyone logged out).",
            )
        return HttpResponseRedirect(back)
    context = {
        "heading": "Block this person?",
        "action": request.path,
        "fields": [],
        "next": back,
        "submit": "Block",
    }
    return render(request, "portal/confirm.html", context)


@require_POST
@login_required
def unblock(request, user_id):
    safety.unblock(request.user, _person(user_id))
    messages.success(request, "Unblocked.")
    return HttpResponseRedirect(_next_url(request, reverse("people:mine")))


@never_cache
@require_http_methods(["GET", "POST"])
def report(request, user_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    person = _person(user_id)
    back = _next_url(request, reverse("people:index"))
    form = PersonReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            safety.report(request.user, person, form.cleaned_data["reason"], form.cleaned_data["detail"])
        except ChatError as problem:
            form.add_error(None, problem.detail)
        else:
            messages.success(request, "Thank you: the moderators will look at your report.")
            return HttpResponseRedirect(back)
    return render(request, "people/report.html", {"form": form, "person": person, "next": back})


# --- meet someone now -----------------------------------------------------------------------


@never_cache
@login_required
def meet(request):
    """The queue: works without JavaScript (forms, and a refresh while waiting); with it,
    static/js/meet.js follows `/ws/people/queue/`."""
    state = matching.queue_state(request.user)
    problem = safety.refusal(request.user)
    context = {
        "state": state,
        "problem": problem,
        "form": JoinQueueForm(),
        "refresh": state["status"] == "waiting",
        "answer_seconds": matching.answer_seconds(),
    }
    return render(request, "people/meet.html", context)


def _meet_action(request, verb, success):
    try:
        verb()
    except MeetError as problem:
        messages.error(request, problem.detail)
    else:
        if success:
            messages.success(request, success)
    return redirect("people:meet")


@require_POST
@login_required
def meet_join(request):
    form = JoinQueueForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("people:meet")
    data = form.cleaned_data
    return _meet_action(
        request,
        lambda: matching.join_queue(request.user, topic=data["topic"], group_size=data["group_size"]),
        "You are in the queue.",
    )


@require_POST
@login_required
def meet_leave(request):
    return _meet_action(request, lambda: matching.leave_queue(request.user), "You left the queue.")


@require_POST
@login_required
def meet_answer(request):
    try:
        match_id = int(request.POST.get("match", ""))
    except ValueError:
        messages.error(request, "That is not a match.")
        return redirect("people:meet")
    accept = request.POST.get("answer") == "accept"
    return _meet_action(request, lambda: matching.answer(request.user, match_id, accept=accept), "")


def paper_authors_block(request, *, paper, **context):
    """The paper page's "Meet the authors" (portal/page_parts.py, place "paper"): its
    authors who share a profile; nothing when none does."""
    from django.template.loader import render_to_string

    found = profiles.authors_profiles(paper)
    if not found:
        return ""
    return render_to_string("people/_paper_authors.html", {"profiles": found}, request=request)


def meet_entry_block(request, **context):
    """ "Meet someone now" on the Corridor's page (portal/page_parts.py, place "room:corridor")."""
    from django.template.loader import render_to_string

    if Conference.get().is_archived(timezone.now()):
        return ""  # the archive has no queue to join
    return render_to_string("people/_meet_entry.html", {}, request=request)


@never_cache
@login_required
def my_questions(request):
    """The visitor's questions on papers and the answers they received; for authors, the
    minimum-answer policy and their progress on each paper."""
    from people import engagement

    asked, received = engagement.counts(request.user)
    context = {
        "questions": engagement.questions_asked(request.user),
        "asked": asked,
        "received": received,
        "progress": engagement.author_progress(request.user),
        "minimum": engagement.minimum(),
    }
    return render(request, "people/my_questions.html", context)


def answer_policy_block(request, **context):
    """Authors' "My papers" page (place "my_papers"): the minimum-answer policy and progress."""
    from django.template.loader import render_to_string

    from people import engagement

    progress = engagement.author_progress(request.user)
    if not progress:
        return ""
    return render_to_string(
        "people/_answer_progress.html", {"progress": progress, "minimum": engagement.minimum()}, request=request
    )
