"""/api/v1/ for papers and poster sessions (DRF).

Call links follow the same rule as the pages (posters.call_links): a slot's `call_link`
is null unless this viewer may see it now; `call_link_state` says why.
"""

from datetime import date

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

from portal.timezones import local_day_bounds, zone_or_none
from posters.browse import card_prefetches, find_keyword
from posters.models import Authorship, Paper, PaperKeyword, PosterSlot, SimilarPaper
from posters.search import apply_search, parse_query
from posters.uploads import api_video
from schedule.call_links import Viewer
from schedule.models import Session

# --- Serializers -----------------------------------------------------------------------


class SessionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="session.pk")
    title = serializers.CharField(source="session.title")
    start = serializers.DateTimeField(source="session.start")
    end = serializers.DateTimeField(source="session.end")
    call_link = serializers.SerializerMethodField()
    call_link_state = serializers.SerializerMethodField()
    call_link_opens_at = serializers.SerializerMethodField()

    def _link(self, slot):
        cache = self.context.setdefault("_links", {})
        if slot.pk not in cache:
            cache[slot.pk] = self.context["viewer"].link(slot.session, slot.call_link)
        return cache[slot.pk]

    def get_call_link(self, slot) -> str | None:
        return self._link(slot).url

    def get_call_link_state(self, slot) -> str:
        return self._link(slot).state

    def get_call_link_opens_at(self, slot) -> str:
        return self._link(slot).opens_at.isoformat()


class PaperSerializer(serializers.ModelSerializer):
    authors = serializers.SerializerMethodField()
    keywords = serializers.SerializerMethodField()
    sessions = SessionRefSerializer(source="poster_slots", many=True, read_only=True)
    url = serializers.SerializerMethodField()
    video = serializers.SerializerMethodField()

    class Meta:
        model = Paper
        fields = ["uid", "title", "authors", "keywords", "tldr", "url", "sessions", "video"]

    def get_video(self, paper) -> dict:
        """`release_at` (ISO 8601 UTC) always; media URLs only once this viewer may watch."""
        siblings = self.parent.instance if self.parent is not None and self.parent.instance is not None else [paper]
        return api_video(paper, self.context, siblings)

    def get_authors(self, paper) -> list[str]:
        return [a.author.name for a in paper.authorships.all()]

    def get_keywords(self, paper) -> list[str]:
        return [k.keyword.name for k in paper.paper_keywords.all()]

    def get_url(self, paper) -> str:
        return self.context["request"].build_absolute_uri(f"/papers/{paper.uid}/")


class SimilarSerializer(serializers.Serializer):
    uid = serializers.CharField(source="similar.uid")
    title = serializers.CharField(source="similar.title")
    score = serializers.FloatField()


class PaperDetailSerializer(PaperSerializer):
    similar = SimilarSerializer(source="similar_list", many=True, read_only=True)

    class Meta(PaperSerializer.Meta):
        fields = [*PaperSerializer.Meta.fields, "abstract", "forum_url", "pdf_url", "code_url", "similar"]


class PosterSessionSerializer(serializers.ModelSerializer):
    paper_count = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = ["id", "uid", "title", "start", "end", "paper_count", "url"]

    def get_url(self, session) -> str:
        return self.context["request"].build_absolute_uri(f"/posters/{session.pk}/")


class SlotSerializer(SessionRefSerializer):
    paper_uid = serializers.CharField(source="paper.uid")
    paper_title = serializers.CharField(source="paper.title")

    class Meta:
        fields = ["paper_uid", "paper_title", "call_link", "call_link_state", "call_link_opens_at"]

    def get_fields(self):
        fields = super().get_fields()
        return {name: fields[name] for name in self.Meta.fields}


class PosterSessionDetailSerializer(PosterSessionSerializer):
    slots = SlotSerializer(source="slot_list", many=True, read_only=True)

    class Meta(PosterSessionSerializer.Meta):
        fields = [*PosterSessionSerializer.Meta.fields, "slots"]


# --- Pagination ------------------------------------------------------------------------


class PaperCursorPagination(CursorPagination):
    """By UID; by relevance (then id) when searching."""

    page_size = 50
    ordering = "uid"

    def get_ordering(self, request, queryset, view):
        if getattr(view, "searching", False):
            return ("-rank", "id")
        return (self.ordering,)


class SessionCursorPagination(CursorPagination):
    page_size = 50
    ordering = ("start", "id")


# --- Views -----------------------------------------------------------------------------


class ViewerMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["viewer"] = Viewer(self.request.user, timezone.now())
        return context


def _slots():
    return Prefetch(
        "poster_slots", queryset=PosterSlot.objects.select_related("session").order_by("session__start", "session_id")
    )


@extend_schema(
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="Full-text search (title, authors, keywords, abstract)."),
        OpenApiParameter(
            "keyword",
            OpenApiTypes.STR,
            description="A keyword's slug or its name (any case), e.g. machine translation.",
        ),
        OpenApiParameter("session", OpenApiTypes.INT, description="A poster session's id."),
        OpenApiParameter("day", OpenApiTypes.DATE, description="Papers with a poster session starting that day."),
        OpenApiParameter("tz", OpenApiTypes.STR, description="Zone of `day` (default: the viewer's zone)."),
    ]
)
class PaperList(ViewerMixin, generics.ListAPIView):
    """Papers, with their poster sessions; filter with q, keyword, session, day."""

    serializer_class = PaperSerializer
    pagination_class = PaperCursorPagination
    searching = False

    def get_queryset(self):
        params = self.request.query_params
        papers = Paper.objects.defer("search_vector", "extra", "abstract")
        parsed = parse_query(params.get("q", ""))
        if parsed:
            self.searching = True
            papers = apply_search(papers, parsed, highlight=False)
        if params.get("keyword"):
            keyword = find_keyword(params["keyword"])
            if keyword is None:
                raise ValidationError({"keyword": "No such keyword: give its slug or its name."})
            papers = papers.filter(paper_keywords__keyword=keyword)
        if params.get("session"):
            if not params["session"].isdigit():
                raise ValidationError({"session": "A poster session's id is a number."})
            papers = papers.filter(poster_slots__session_id=int(params["session"]))
        if params.get("day"):
            try:
                day = date.fromisoformat(params["day"][:20])
            except ValueError:
                raise ValidationError({"day": "Use YYYY-MM-DD."}) from None
            zone = self.request.viewer_zone
            if params.get("tz"):
                zone = zone_or_none(params["tz"])
                if zone is None:
                    raise ValidationError({"tz": "Not a known time zone name."})
            start, end = local_day_bounds(day, zone)
            papers = papers.filter(
                pk__in=PosterSlot.objects.filter(session__start__gte=start, session__start__lt=end).values("paper_id")
            )
        prefetches = card_prefetches()[:2]
        return papers.prefetch_related(*prefetches, _slots())


def paper_detail_queryset():
    """The papers with what a paper's detail shows prefetched, but its similar papers."""
    return Paper.objects.defer("search_vector").prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("author").order_by("position")),
        Prefetch("paper_keywords", queryset=PaperKeyword.objects.select_related("keyword").order_by("position")),
        _slots(),
    )


SIMILAR_SHOWN = 5


def similar_papers():
    return (
        SimilarPaper.objects.select_related("similar")
        .only("score", "position", "paper_id", "similar__uid", "similar__title")
        .order_by("paper_id", "position")
    )


class PaperDetail(ViewerMixin, generics.RetrieveAPIView):
    serializer_class = PaperDetailSerializer
    # Given (PaperDetail.as_view(paper=...)): the paper, loaded with paper_detail_queryset and
    # its `similar_list`, for the static export's many at once (posters/archive.py).
    paper = None

    def get_object(self):
        if self.paper is not None:
            return self.paper
        paper = get_object_or_404(paper_detail_queryset(), uid=self.kwargs["uid"][:64])
        paper.similar_list = list(similar_papers().filter(paper=paper)[:SIMILAR_SHOWN])
        return paper


def _poster_sessions():
    return Session.objects.filter(kind=Session.Kind.POSTER).annotate(paper_count=Count("poster_slots"))


class PosterSessionList(generics.ListAPIView):
    serializer_class = PosterSessionSerializer
    pagination_class = SessionCursorPagination

    def get_queryset(self):
        return _poster_sessions()


class PosterSessionDetail(ViewerMixin, generics.RetrieveAPIView):
    serializer_class = PosterSessionDetailSerializer

    def get_object(self):
        session = get_object_or_404(_poster_sessions(), pk=self.kwargs["pk"])
        session.slot_list = list(
            PosterSlot.objects.filter(session=session)
            .select_related("paper", "session")
            .only("id", "call_link", "paper__uid", "paper__title", "session__id", "session__start", "session__end")
            .order_by("paper__title", "paper_id")
        )
        return session
