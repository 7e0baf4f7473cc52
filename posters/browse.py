"""The paper browser's filters: read from the URL, checked, and turned into one queryset.

Filters live in the query string so a filtered list can be shared. A value that makes no
sense (an unknown keyword, a day that is not a date, page=abc) is dropped with a notice
for the visitor; it never raises. Days are calendar days in the viewer's zone.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery

from portal.timezones import local_day_bounds
from posters.models import Authorship, Keyword, Paper, PaperKeyword, PosterSlot
from posters.search import ParsedQuery, apply_search, parse_query
from schedule.models import Session

SORTS = {"relevance": "Relevance", "title": "Title", "next": "Next session"}
VIEWS = {"cards": "Cards", "compact": "Compact list"}
PER_PAGE = {"cards": 20, "compact": 50}
MAX_PARAM = 300  # longer filter values are junk, not keywords


@dataclass
class PaperFilters:
    query: ParsedQuery = field(default_factory=ParsedQuery)
    keyword: Keyword | None = None
    session: Session | None = None
    day: date | None = None
    sort: str = "title"
    sort_explicit: bool = False  # chosen in the URL rather than the default
    view: str = "cards"
    page: str = "1"
    notices: list[str] = field(default_factory=list)

    @property
    def active(self):
        return bool(self.query or self.keyword or self.session or self.day)

    def params(self, **changes):
        """The query-string values of these filters, with `changes` applied (None drops one)."""
        values = {
            "q": self.query.text or None,
            "keyword": self.keyword.slug if self.keyword else None,
            "session": self.session.pk if self.session else None,
            "day": self.day.isoformat() if self.day else None,
            "sort": self.sort if self.sort != default_sort(self.query) else None,
            "view": self.view if self.view != "cards" else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}

    def cacheable(self, params, page_number):
        """Whether a list for the query string `params` may be cached: no search text, and
        every other parameter empty or exactly a value these filters accepted (an existing
        keyword, session, day, sort, view and page). Searches are never cached: each
        distinct text would be an entry of its own (issue 13: a flood of them filled Redis),
        and so would junk values; what may be cached is bounded by the conference's data."""
        accepted = {
            "keyword": self.keyword.slug if self.keyword else None,
            "session": str(self.session.pk) if self.session else None,
            "day": self.day.isoformat() if self.day else None,
            "sort": self.sort,
            "view": self.view,
            "page": str(page_number),
        }
        for name, values in params.lists():
            if len(values) != 1 or (values[0] != "" and values[0] != accepted.get(name)):
                return False
        return True


def default_sort(query):
    return "relevance" if query else "title"


def poster_sessions():
    """Every poster session, in time order (a few dozen rows at most)."""
    return list(Session.objects.filter(kind=Session.Kind.POSTER).order_by("start", "title"))


def local_days(sessions, zone):
    """The calendar days, in `zone`, on which poster sessions start."""
    return sorted({s.start.astimezone(zone).date() for s in sessions})


def find_keyword(text):
    """The keyword a visitor means, in one query: its slug (as in the chips' links), else the
    name people see on the papers ("machine translation", "MT"), in any case."""
    text = text.strip()[:MAX_PARAM]
    if not text:
        return None
    rows = Keyword.objects.filter(Q(slug=text) | Q(name__iexact=text) | Q(slug__iexact=text))[:20]
    folded = text.casefold()
    # The exact slug, then the exact name, then the name in another case, then the slug's.
    return min(rows, key=lambda k: (k.slug != text, k.name != text, k.name.casefold() != folded, k.name), default=None)


def _one(params, name):
    value = params.get(name, "")
    value = value.replace("\x00", "").strip() if isinstance(value, str) else ""
    return value[:MAX_PARAM]


def read_filters(params, *, sessions, zone):
    """PaperFilters from a QueryDict; `sessions` is `poster_sessions()` (already fetched)."""
    filters = PaperFilters()
    raw_q = params.get("q", "") or ""
    filters.query = parse_query(raw_q)
    if filters.query.truncated:
        filters.notices.append(f"Your search was long; only its first {len(filters.query.text)} characters were used.")
    elif raw_q.strip() and not filters.query:
        filters.notices.append("Your search has no letters or digits to look for; showing all papers.")

    wanted = _one(params, "keyword")
    if wanted:
        filters.keyword = find_keyword(wanted)
        if filters.keyword is None:
            filters.notices.append(f"There is no keyword “{wanted[:80]}”; that filter was left out.")

    session_id = _one(params, "session")
    if session_id:
        by_id = {str(s.pk): s for s in sessions}
        filters.session = by_id.get(session_id)
        if filters.session is None:
            filters.notices.append("That poster session does not exist; that filter was left out.")

    day = _one(params, "day")
    if day:
        try:
            filters.day = date.fromisoformat(day)
        except ValueError:
            filters.notices.append(f"“{day[:40]}” is not a day (use YYYY-MM-DD); that filter was left out.")

    filters.sort = _one(params, "sort") or default_sort(filters.query)
    filters.sort_explicit = bool(_one(params, "sort")) and filters.sort != default_sort(filters.query)
    if filters.sort not in SORTS or (filters.sort == "relevance" and not filters.query):
        if filters.sort != "relevance":
            filters.notices.append("Unknown sort order; sorted by the default.")
        filters.sort = default_sort(filters.query)
        filters.sort_explicit = False
    filters.view = _one(params, "view") or "cards"
    if filters.view not in VIEWS:
        filters.view = "cards"
    filters.page = _one(params, "page") or "1"
    if not filters.page.isdigit() or len(filters.page) > 6:
        filters.notices.append("That page number is not a number; showing the first page.")
        filters.page = "1"
    return filters


def slot_prefetch(**extra):
    # Never load call links for lists: they are shown only through schedule.call_links.
    slots = PosterSlot.objects.select_related("session").defer("call_link").order_by("session__start", "session_id")
    return Prefetch("poster_slots", queryset=slots, **extra)


def card_prefetches():
    return [
        Prefetch("authorships", queryset=Authorship.objects.select_related("author").order_by("position")),
        Prefetch("paper_keywords", queryset=PaperKeyword.objects.select_related("keyword").order_by("position")),
        slot_prefetch(),
    ]


def paper_queryset(filters, *, zone, now):
    """The papers matching `filters`, ordered, with what a result card shows prefetched."""
    papers = Paper.objects.defer("search_vector", "extra")
    papers = apply_search(papers, filters.query)
    if filters.keyword:
        papers = papers.filter(Exists(PaperKeyword.objects.filter(paper=OuterRef("pk"), keyword=filters.keyword)))
    if filters.session:
        papers = papers.filter(Exists(PosterSlot.objects.filter(paper=OuterRef("pk"), session=filters.session)))
    if filters.day:
        start, end = local_day_bounds(filters.day, zone)
        papers = papers.filter(
            Exists(PosterSlot.objects.filter(paper=OuterRef("pk"), session__start__gte=start, session__start__lt=end))
        )
    if filters.sort == "relevance":
        papers = papers.order_by("-rank", "title", "id")
    elif filters.sort == "next":
        upcoming = PosterSlot.objects.filter(paper=OuterRef("pk"), session__end__gt=now).order_by("session__start")
        papers = papers.annotate(next_start=Subquery(upcoming.values("session__start")[:1])).order_by(
            F("next_start").asc(nulls_last=True), "title", "id"
        )
    else:
        papers = papers.order_by("title", "id")
    return papers.prefetch_related(*card_prefetches())


def popular_keywords(limit=150):
    """The most used keywords, for the filter's suggestions (cached: a GROUP BY over all papers)."""

    def compute():
        rows = Keyword.objects.annotate(n=Count("paper_keywords")).order_by("-n", "name")[:limit]
        return [(k.slug, k.name, k.n) for k in rows]

    return cache.get_or_set(f"posters:popular-keywords:{limit}", compute, 300)
