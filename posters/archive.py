"""The papers' part of the archive's front page (portal/archive.py) and of the static
export (portal.public.register_public_paths): the most-discussed papers, every keyword,
every poster session; and every public URL of the papers."""

import itertools
import json

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch
from django.urls import reverse

from chat.models import Room
from portal.archive import register_archive_section
from portal.public import register_export_file, register_public_paths
from posters import api, views
from posters.browse import card_prefetches
from posters.models import Author, Authorship, Keyword, Paper, PaperKeyword, PosterSlot
from schedule.models import Session

MOST_DISCUSSED = 12


def most_discussed(now):
    """The papers whose discussions hold the most messages (two queries)."""
    rooms = list(
        Room.objects.filter(kind="paper", message_count__gt=0)
        .order_by("-message_count", "key")
        .values_list("key", "message_count")[:MOST_DISCUSSED]
    )
    counts = {key.partition(":")[2]: n for key, n in rooms}
    papers = {p.uid: p for p in Paper.objects.filter(uid__in=counts).only("uid", "title")}
    ranked = [(papers[uid], n) for uid, n in counts.items() if uid in papers]
    return {"papers": ranked} if ranked else None


def keywords(now):
    rows = list(Keyword.objects.annotate(n=Count("paper_keywords")).filter(n__gt=0).order_by("-n", "name")[:200])
    return {"keywords": rows} if rows else None


def sessions(now):
    found = list(Session.objects.filter(kind=Session.Kind.POSTER).annotate(n=Count("poster_slots")).order_by("start"))
    return {"sessions": found} if found else None


def paper_paths():
    yield reverse("posters:paper_list")
    yield reverse("posters:paper_map")
    yield reverse("posters:paper_map_data")
    yield reverse("posters:paper_map_list")
    yield reverse("posters:session_list")
    for uid in Paper.objects.order_by("uid").values_list("uid", flat=True).iterator(chunk_size=2000):
        yield reverse("posters:paper_detail", args=[uid])
        yield reverse("posters:paper_calendar", args=[uid])
    for pk in Session.objects.filter(kind=Session.Kind.POSTER).order_by("pk").values_list("pk", flat=True):
        yield reverse("posters:session_detail", args=[pk])


def author_paths():
    for slug in Author.objects.order_by("slug").values_list("slug", flat=True).iterator(chunk_size=2000):
        yield reverse("posters:author_detail", args=[slug])


AUTHORS_AT_ONCE = 500


def author_pages(wanted, request_for):
    """Every author's page for the static export (portal.public.register_public_paths), as
    posters.views.author_detail renders it, from five queries per AUTHORS_AT_ONCE authors
    rather than five per author: at 20,000 papers the authors' pages are four in five."""
    authors = Author.objects.order_by("slug").iterator(chunk_size=2000)
    while batch := list(itertools.islice(authors, AUTHORS_AT_ONCE)):
        paths = {author.pk: reverse("posters:author_detail", args=[author.slug]) for author in batch}
        batch = [author for author in batch if wanted(paths[author.pk])]
        if not batch:
            continue
        # Each author's papers in the view's order (the database's collation, not Python's).
        written = {author.pk: [] for author in batch}
        for author_id, paper_id in (
            Authorship.objects.filter(author__in=batch)
            .order_by("paper__title", "paper_id")
            .values_list("author_id", "paper_id")
        ):
            written[author_id].append(paper_id)
        ids = {pk for papers in written.values() for pk in papers}
        papers = Paper.objects.filter(pk__in=ids).defer("search_vector", "extra").prefetch_related(*card_prefetches())
        cards = {paper.pk: paper for paper in views._decorate(list(papers), AnonymousUser())}
        for author in batch:
            path = paths[author.pk]
            yield path, views.author_page(request_for(path), author, [cards[pk] for pk in written[author.pk]])


def api_paths():
    yield reverse("api-papers")
    yield reverse("api-poster-sessions")
    for pk in Session.objects.filter(kind=Session.Kind.POSTER).order_by("pk").values_list("pk", flat=True):
        yield reverse("api-poster-session", args=[pk])


def paper_api_paths():
    for uid in Paper.objects.order_by("uid").values_list("uid", flat=True).iterator(chunk_size=2000):
        yield reverse("api-paper", args=[uid])


PAPERS_AT_ONCE = 500


def paper_api_pages(wanted, request_for):
    """Every paper's /api/v1/papers/<uid>/ for the static export, through posters.api.PaperDetail
    given each paper loaded with the others (six queries per PAPERS_AT_ONCE papers, not six each)."""
    uids = Paper.objects.order_by("uid").values_list("uid", flat=True).iterator(chunk_size=2000)
    while batch := list(itertools.islice(uids, PAPERS_AT_ONCE)):
        paths = {uid: reverse("api-paper", args=[uid]) for uid in batch}
        papers = list(api.paper_detail_queryset().filter(uid__in=[uid for uid in batch if wanted(paths[uid])]))
        similar = {paper.pk: [] for paper in papers}
        for row in api.similar_papers().filter(paper__in=papers):
            if len(similar[row.paper_id]) < api.SIMILAR_SHOWN:
                similar[row.paper_id].append(row)
        for paper in sorted(papers, key=lambda p: p.uid):
            paper.similar_list = similar[paper.pk]
            path = paths[paper.uid]
            response = api.PaperDetail.as_view(paper=paper)(request_for(path), uid=paper.uid)
            yield path, response.render()


SEARCH_INDEX = "papers/search-index.js"


def write_search_index(out, export):
    """The papers browser's index for the export's client-side search and keyword filter
    (static/js/export.js): a script, so it loads from file:// too, where fetch() may not.
    Written a chunk of papers at a time."""
    page = reverse("posters:paper_list")
    keywords = dict(Keyword.objects.filter(paper_keywords__isnull=False).distinct().values_list("slug", "name"))
    sessions = {
        s.pk: s.title for s in Session.objects.filter(kind=Session.Kind.POSTER).only("pk", "title").order_by("start")
    }
    out.write("window.portalPaperIndex = {\n")
    out.write(f'"keywords": {json.dumps(keywords)},\n"sessions": {json.dumps(sessions)},\n"papers": [\n')
    papers = (
        Paper.objects.order_by("title", "uid")
        .only("uid", "title", "tldr")
        .prefetch_related(
            Prefetch("authorships", Authorship.objects.select_related("author").order_by("position")),
            Prefetch("paper_keywords", PaperKeyword.objects.select_related("keyword").order_by("position")),
            Prefetch("poster_slots", PosterSlot.objects.only("paper_id", "session_id").order_by("session__start")),
        )
    )
    first = True
    for paper in papers.iterator(chunk_size=1000):
        entry = {
            "u": export.relative_url(reverse("posters:paper_detail", args=[paper.uid]), page),
            "t": paper.title,
            "a": ", ".join(a.author.name for a in paper.authorships.all()),
            "k": [k.keyword.slug for k in paper.paper_keywords.all()],
            "s": [slot.session_id for slot in paper.poster_slots.all()],
            "d": paper.tldr[:300],
        }
        out.write(("" if first else ",\n") + json.dumps(entry, ensure_ascii=False))
        first = False
    out.write("\n]};\n")


def register():
    register_archive_section("papers", order=20, template="posters/_archive_most_discussed.html", build=most_discussed)
    register_archive_section("keywords", order=40, template="posters/_archive_keywords.html", build=keywords)
    register_archive_section("poster-sessions", order=50, template="posters/_archive_sessions.html", build=sessions)
    register_public_paths("papers", paper_paths)
    register_public_paths("authors", author_paths, pages=author_pages)
    register_public_paths("papers-api", api_paths, sitemap=False)
    register_public_paths("paper-api", paper_api_paths, sitemap=False, pages=paper_api_pages)
    register_export_file(SEARCH_INDEX, write_search_index)
