"""Paper search: PostgreSQL full-text search with ranking and highlights, or a SQLite fallback.

What a visitor types is never trusted: it is cut to MAX_QUERY_LENGTH characters, NUL and
control characters are dropped, and it is turned into a tsquery by PostgreSQL's own
`websearch_to_tsquery` (quotes, `or`, `-` work; nothing can be a syntax error). Plain
words typed as you go get a prefix match on the last word ("reinforc" finds
"reinforcement"). Highlights come back with private-use markers that are swapped for
<mark> only after the text is escaped, so a title containing "<" can never inject HTML.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Cast
from django.utils.html import escape
from django.utils.safestring import mark_safe

from posters.models import Authorship, PaperKeyword

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
CONFIG = "english"
START, STOP = "\ue000", "\ue001"  # private-use characters: never in real text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
_SIMPLE = re.compile(r"^[\w\s]+$")


@dataclass
class ParsedQuery:
    text: str = ""
    terms: list[str] = field(default_factory=list)
    truncated: bool = False
    prefix_last: bool = False

    def __bool__(self):
        return bool(self.terms)


def parse_query(raw):
    """Clean what was typed; `terms` are its words (letters and digits), lower-cased."""
    raw = raw or ""
    truncated = len(raw) > MAX_QUERY_LENGTH
    text = _CONTROL.sub(" ", raw[:MAX_QUERY_LENGTH]).strip()
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    terms = list(dict.fromkeys(words))[:MAX_TERMS]
    # Typing as you go: a query of plain words whose last word is unfinished.
    prefix_last = bool(terms) and bool(_SIMPLE.match(text)) and not raw[:MAX_QUERY_LENGTH].endswith(" ")
    return ParsedQuery(text=text, terms=terms, truncated=truncated, prefix_last=prefix_last)


def uses_full_text():
    return connection.vendor == "postgresql"


def _tsquery(parsed):
    if parsed.prefix_last:
        # Plain words only (checked by _SIMPLE): safe to hand to to_tsquery with :*.
        words = [w for w in parsed.terms if w.replace("_", "").isalnum()]
        raw = " & ".join([*(w for w in words[:-1]), f"{words[-1]}:*"]) if words else ""
        if raw:
            return SearchQuery(raw, search_type="raw", config=CONFIG)
    return SearchQuery(parsed.text, search_type="websearch", config=CONFIG)


def apply_search(queryset, parsed, *, highlight=True):
    """Filter `queryset` (Papers) to matches of `parsed`, annotated with `rank`.

    With `highlight`, also `title_highlight` and `abstract_highlight` (PostgreSQL only;
    see `highlighted` for what the templates use).
    """
    if not parsed:
        return queryset
    if uses_full_text():
        query = _tsquery(parsed)
        # ts_rank is a float4; as float8 it round-trips exactly, so API cursors can compare it.
        rank = Cast(SearchRank(F("search_vector"), query), FloatField())
        queryset = queryset.filter(search_vector=query).annotate(rank=rank)
        if highlight:
            queryset = queryset.annotate(
                title_highlight=SearchHeadline(
                    "title", query, config=CONFIG, start_sel=START, stop_sel=STOP, highlight_all=True
                ),
                abstract_highlight=SearchHeadline(
                    "abstract",
                    query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
        return queryset
    # SQLite (embedded default): every word must appear somewhere; title hits rank first.
    rank = Value(0, output_field=IntegerField())
    for term in parsed.terms:
        author = Exists(Authorship.objects.filter(paper=OuterRef("pk"), author__name__icontains=term))
        keyword = Exists(PaperKeyword.objects.filter(paper=OuterRef("pk"), keyword__name__icontains=term))
        queryset = queryset.filter(
            Q(title__icontains=term) | Q(abstract__icontains=term) | Q(tldr__icontains=term) | author | keyword
        )
        rank = (
            rank
            + Case(When(title__icontains=term, then=8), default=0, output_field=IntegerField())
            + Case(When(author, then=8), default=0, output_field=IntegerField())
            + Case(When(keyword, then=4), default=0, output_field=IntegerField())
            + Case(When(tldr__icontains=term, then=2), default=0, output_field=IntegerField())
            + Case(When(abstract__icontains=term, then=1), default=0, output_field=IntegerField())
        )
    return queryset.annotate(rank=rank)


def _marked(text):
    """Escape `text` and turn the private-use markers into <mark>."""
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def _mark_terms(text, terms):
    if not terms:
        return text
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE)
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)


def _snippet(text, terms, width=240):
    """A window of `text` around its first match (SQLite fallback)."""
    if len(text) <= width:
        return text
    lower = text.lower()
    hits = [i for i in (lower.find(t) for t in terms) if i >= 0]
    first = min(hits) if hits else 0
    start = max(0, first - width // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = text.find(" ", start + width)
    end = len(text) if end < 0 else end
    return ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")


def highlighted(paper, parsed):
    """(title_html, abstract_snippet_html) with the matches marked; safe to render."""
    if not parsed:
        return escape(paper.title), None
    title = getattr(paper, "title_highlight", None)
    abstract = getattr(paper, "abstract_highlight", None)
    if title is None:  # fallback or no annotation: mark the typed words ourselves
        title = _mark_terms(paper.title, parsed.terms)
        abstract = _mark_terms(_snippet(paper.abstract, parsed.terms), parsed.terms) if paper.abstract else ""
    return _marked(title), (_marked(abstract) if abstract else None)


def mark_names(text, parsed):
    """A name or keyword with the typed words marked (authors are not in ts_headline)."""
    if not parsed:
        return escape(text)
    return _marked(_mark_terms(text, parsed.terms))
