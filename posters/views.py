"""Pages of the posters app: thin wiring from a request to the services."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal import visitor_input
from portal.page_parts import render_page_parts
from portal.public import changes_at, keep_from_shared_caches, public_page
from posters import bookmarks, discovery
from posters.browse import (
    PER_PAGE,
    SORTS,
    VIEWS,
    card_prefetches,
    local_days,
    paper_queryset,
    popular_keywords,
    poster_sessions,
    read_filters,
)
from posters.healthy_hours import within_healthy_hours
from posters.models import Author, Authorship, Keyword, Paper, PosterSlot, SimilarPaper
from posters.search import highlighted, mark_names
from schedule.calendars import calendar_response
from schedule.call_links import opens_at, window
from schedule.models import Session

MAX_UID = 64


def _paper_or_404(uid, queryset=None):
    if len(uid) > MAX_UID:
        raise Http404("No such paper.")
    return get_object_or_404(queryset if queryset is not None else Paper.objects.defer("search_vector"), uid=uid)


def _decorate(papers, user, parsed=None):
    """Attach what a card shows: highlighted title/snippet, author and keyword lists, star state."""
    starred = bookmarks.bookmarked_ids(user, papers)
    for paper in papers:
        paper.title_html, paper.snippet_html = highlighted(paper, parsed)
        paper.author_list = [(a.author, mark_names(a.author.name, parsed)) for a in paper.authorships.all()]
        paper.keyword_list = [k.keyword for k in paper.paper_keywords.all()]
        paper.session_list = [s.session for s in paper.poster_slots.all()]
        paper.is_bookmarked = paper.pk in starred
    return papers


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@public_page()
@require_GET
def paper_list(request):
    """The paper browser (or, for htmx, its results)."""
    now = timezone.now()
    sessions = poster_sessions()
    filters = read_filters(request.GET, sessions=sessions, zone=request.viewer_zone)
    paginator = Paginator(paper_queryset(filters, zone=request.viewer_zone, now=now), PER_PAGE[filters.view])
    page = paginator.get_page(filters.page)
    context = {
        "filters": filters,
        "page": page,
        "papers": _decorate(list(page.object_list), request.user, filters.query),
        "now": now,
        "page_params": filters.params(),
    }
    # "live now" badges on the cards.
    changes_at(request, *(s.start for s in sessions), *(s.end for s in sessions))
    if not filters.cacheable(request.GET, page.number):
        keep_from_shared_caches(request)  # a search, or junk in the URL
    if request.htmx and request.htmx.target == "paper-results":
        response = render(request, "posters/_results.html", context)
    else:
        context |= {
            "results": render_to_string("posters/_results.html", context, request=request),
            "sessions": sessions,
            "days": local_days(sessions, request.viewer_zone),
            "sorts": SORTS,
            "views": VIEWS,
            "keywords": popular_keywords(),
        }
        response = render(request, "posters/paper_list.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])  # the partial and the page share a URL
    return response


@public_page()
@require_GET
def paper_detail(request, uid):
    """The paper page. Plain joins rather than prefetch_related: on a first visit the ORM's
    building of queries, not PostgreSQL, is most of this page's cost."""
    paper = _paper_or_404(uid)
    authors = list(
        Author.objects.filter(authorships__paper=paper).order_by("authorships__position").only("name", "slug")
    )
    keywords = list(
        Keyword.objects.filter(paper_keywords__paper=paper).order_by("paper_keywords__position").only("name", "slug")
    )
    similar = list(
        SimilarPaper.objects.filter(paper=paper)
        .select_related("similar")
        .only("position", "score", "paper_id", "similar__uid", "similar__title")
        .order_by("position")[:5]
    )
    slots = list(
        PosterSlot.objects.filter(paper=paper).select_related("session").order_by("session__start", "session_id")
    )
    now = timezone.now()
    for slot in slots:
        # The call link's window and the "live" badge change at these instants.
        changes_at(request, opens_at(slot.session), slot.session.start, slot.session.end)
    context = {
        "paper": paper,
        "authors": authors,
        "keywords": keywords,
        "similar": [s.similar for s in similar],
        "poster_sessions": [
            {"session": slot.session, "link": window(slot.session, slot.call_link, now), "key": f"slot:{slot.pk}"}
            for slot in slots
        ],
        "now": now,
        # Blocks layers above add about the paper (people: its authors' profiles).
        "page_parts": render_page_parts("paper", request, paper=paper),
    }
    return render(request, "posters/paper_detail.html", context)


@require_GET
def paper_calendar_file(request, uid):
    """The paper's poster sessions as iCalendar (schedule's helper: never any call link)."""
    paper = _paper_or_404(uid, Paper.objects.only("id", "uid", "title"))
    sessions = [
        slot.session
        for slot in PosterSlot.objects.filter(paper=paper)
        .select_related("session")
        .defer("call_link")
        .order_by("session__start", "session_id")
    ]
    return calendar_response(
        sessions,
        request=request,
        name=paper.title,
        filename=f"poster-{paper.uid}.ics",
        subject_key=paper.chat_room_key,
        summary=f"Poster: {paper.title}",
        page_url=request.build_absolute_uri(f"/papers/{paper.uid}/"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def bookmark_toggle(request, uid):
    """POST: star or unstar (htmx and papers.js, or the confirmation form). GET: the
    private page that confirms (the public pages' stars come here without JavaScript)."""
    paper = _paper_or_404(uid, Paper.objects.only("id", "uid", "title"))
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponse(status=401)
        return redirect_to_login(
            request.get_full_path() if request.method == "GET" else _safe_next(request, f"/papers/{paper.uid}/")
        )
    if request.method == "GET":
        on = paper.pk in bookmarks.bookmarked_ids(request.user, [paper])
        context = {
            "heading": f"Remove the bookmark on “{paper.title}”?" if on else f"Bookmark “{paper.title}”?",
            "action": request.path,
            "fields": [("on", "0" if on else "1")],
            "next": _safe_next(request, f"/papers/{paper.uid}/"),
            "submit": "Remove the bookmark" if on else "Bookmark",
        }
        return render(request, "portal/confirm.html", context)
    wanted = request.POST.get("on")
    if wanted in ("1", "0"):
        paper.is_bookmarked = bookmarks.set_bookmark(request.user, paper, wanted == "1")
    else:
        paper.is_bookmarked = bookmarks.toggle(request.user, paper)
    if request.htmx:
        return render(request, "posters/_star.html", {"paper": paper})
    verb = "Bookmarked" if paper.is_bookmarked else "Removed the bookmark on"
    messages.success(request, f"{verb} “{paper.title}”.")
    return HttpResponseRedirect(_safe_next(request, f"/papers/{paper.uid}/"))


@require_GET
def my_papers(request):
    """My papers: the account's bookmarks, or (anonymous, with JS) the browser's list sent as ?uids=."""
    if request.user.is_authenticated:
        papers = Paper.objects.filter(bookmarks__user=request.user).order_by("-bookmarks__created_at", "title")
        from_browser = False
    else:
        uids = [u for u in request.GET.get("uids", "").split(",") if u][: bookmarks.MAX_MERGE]
        papers = Paper.objects.filter(uid__in=[u[:MAX_UID] for u in uids]).order_by("title")
        from_browser = True
    papers = _decorate(list(papers.defer("search_vector", "extra").prefetch_related(*card_prefetches())), request.user)
    if from_browser:
        for paper in papers:
            paper.is_bookmarked = True
    context = {"papers": papers, "from_browser": from_browser, "now": timezone.now()}
    if request.htmx and request.htmx.target == "my-papers":
        return render(request, "posters/_my_papers_list.html", context)
    return render(request, "posters/my_papers.html", context)


@require_http_methods(["GET", "POST"])
def bookmarks_endpoint(request):
    """GET: the account's bookmarked UIDs. POST {"uids": [...]}: merge the browser's list into them."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Log in to keep bookmarks in your account."}, status=401)
    if request.method == "POST":
        try:
            payload = visitor_input.loads(request.body or b"{}")
            uids = payload.get("uids", []) if isinstance(payload, dict) else []
        except visitor_input.NestedTooDeeply as problem:
            return JsonResponse({"detail": str(problem)}, status=400)
        except visitor_input.BadInput:
            return JsonResponse({"detail": 'Send JSON: {"uids": [...]}.'}, status=400)
        if not isinstance(uids, list):
            return JsonResponse({"detail": "“uids” must be a list."}, status=400)
        try:
            return JsonResponse({"uids": bookmarks.merge(request.user, uids)})
        except visitor_input.BadInput as problem:
            return JsonResponse({"detail": str(problem)}, status=400)
    return JsonResponse({"uids": bookmarks.bookmarked_uids(request.user)})


@public_page()
@require_GET
def author_detail(request, slug):
    if len(slug) > 300:
        raise Http404("No such author.")
    author = get_object_or_404(Author, slug=slug)
    papers = (
        Paper.objects.filter(authorships__author=author)
        .defer("search_vector", "extra")
        .order_by("title", "pk")
        .prefetch_related(*card_prefetches())
    )
    return author_page(request, author, _decorate(list(papers), request.user))


def author_page(request, author, papers):
    """The author's page from their papers (decorated cards, by title): the view's, and the
    static export's for every author at once (posters/archive.py, author_pages)."""
    context = {"author": author, "papers": papers, "now": timezone.now()}
    return render(request, "posters/author_detail.html", context)


@public_page()
@require_GET
def session_list(request):
    now = timezone.now()
    zone = request.viewer_zone
    sessions = Session.objects.filter(kind=Session.Kind.POSTER).annotate(paper_count=Count("poster_slots"))
    days = {}
    for session in sessions.order_by("start", "title"):
        session.healthy = within_healthy_hours(session.start, session.end, zone)
        session.live = session.is_live(now)
        days.setdefault(session.start.astimezone(zone).date(), []).append(session)
    return render(request, "posters/session_list.html", {"days": sorted(days.items()), "now": now})


@public_page()
@require_GET
def session_detail(request, pk):
    session = get_object_or_404(Session, pk=pk, kind=Session.Kind.POSTER)
    now = timezone.now()
    slots = list(
        PosterSlot.objects.filter(session=session)
        .select_related("paper")
        .only("id", "call_link", "session_id", "paper__id", "paper__uid", "paper__title")
        .prefetch_related(
            Prefetch("paper__authorships", queryset=Authorship.objects.select_related("author").order_by("position"))
        )
        .order_by("paper__title", "paper_id")
    )
    changes_at(request, opens_at(session), session.start, session.end)
    rows = [
        {
            "paper": slot.paper,
            "authors": [a.author for a in slot.paper.authorships.all()],
            "link": window(session, slot.call_link, now),
            "key": f"slot:{slot.pk}",
        }
        for slot in slots
    ]
    context = {
        "session": session,
        "rows": rows,
        "window": window(session, "x", now),
        "now": now,
        "healthy": within_healthy_hours(session.start, session.end, request.viewer_zone),
    }
    return render(request, "posters/session_detail.html", context)


@require_GET
def paper_random(request):
    uid = discovery.random_paper_uid()
    if uid is None:
        messages.info(request, "There are no papers yet.")
        return HttpResponseRedirect("/papers/")
    return HttpResponseRedirect(f"/papers/{uid}/")


@public_page()
@require_GET
def paper_map(request):
    run = discovery.latest_run()
    papers = Paper.objects.count() if run else 0
    return render(request, "posters/paper_map.html", {"run": run, "stale": bool(run) and papers != run.paper_count})


@require_GET
def paper_map_data(request):
    """The map's points (cached per discovery run), or with ?q= the UIDs that match a search."""
    if "q" in request.GET:
        return JsonResponse({"matches": discovery.search_uids(request.GET.get("q", ""))})
    return HttpResponse(discovery.map_json(), content_type="application/json")


@public_page()
@require_GET
def paper_map_list(request):
    """The map as a list: one region (a content cluster) at a time, for keyboards and screen readers."""
    run = discovery.latest_run()
    regions = run.regions if run else []
    raw = request.GET.get("region", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 6 else 1
    number = min(max(number, 1), max(len(regions), 1))
    papers = discovery.region_papers(number - 1) if regions else []
    context = {"run": run, "regions": regions, "number": number, "papers": papers}
    return render(request, "posters/paper_map_list.html", context)
