"""/api/v1/ of the keynotes: the keynotes, and each one's questions.

Questions are those everyone sees on the page: never hidden, pending or merged ones, and
never the name of someone who asked anonymously. Instants are ISO 8601 in UTC.
"""

from datetime import UTC

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

from keynotes.listing import keynote_rows, keynotes_with_speakers
from keynotes.models import Keynote, Question, Speaker


def utc_field(**kwargs):
    return serializers.DateTimeField(default_timezone=UTC, read_only=True, **kwargs)


class SpeakerSerializer(serializers.ModelSerializer):
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Speaker
        fields = ["name", "affiliation", "bio", "photo_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_photo_url(self, speaker) -> str | None:
        return self.context["request"].build_absolute_uri(speaker.photo.url) if speaker.photo else None


class QASessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    start = utc_field()
    end = utc_field()


class KeynoteSerializer(serializers.ModelSerializer):
    speakers = SpeakerSerializer(many=True, read_only=True)
    qa_session = QASessionSerializer(read_only=True, allow_null=True)
    phase = serializers.SerializerMethodField(help_text="no_session, upcoming, live or ended (read-only Q&A).")
    questions_open_at = serializers.SerializerMethodField()
    questions_close_at = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    questions_url = serializers.SerializerMethodField()
    chat_room = serializers.CharField(source="room_key", read_only=True)

    class Meta:
        model = Keynote
        fields = [
            "slug",
            "title",
            "abstract",
            "speakers",
            "qa_session",
            "phase",
            "questions_open_at",
            "questions_close_at",
            "pre_moderated",
            "page_url",
            "questions_url",
            "chat_room",
        ]

    def _row(self, keynote):
        rows = self.context.setdefault("rows", {})
        if keynote.pk not in rows:
            rows[keynote.pk] = keynote_rows(self.context["now"], [keynote])[0]
        return rows[keynote.pk]

    def get_phase(self, keynote) -> str:
        return self._row(keynote).phase

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_questions_open_at(self, keynote):
        instant = self._row(keynote).window.opens_at
        return instant.astimezone(UTC).isoformat().replace("+00:00", "Z") if instant else None

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_questions_close_at(self, keynote):
        instant = self._row(keynote).window.closes_at
        return instant.astimezone(UTC).isoformat().replace("+00:00", "Z") if instant else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, keynote):
        return self.context["request"].build_absolute_uri(keynote.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_questions_url(self, keynote):
        return self.context["request"].build_absolute_uri(f"/api/v1/keynotes/{keynote.slug}/questions/")


class ByQAStart(CursorPagination):
    ordering = ("id",)
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class KeynoteViewMixin:
    serializer_class = KeynoteSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


class KeynoteList(KeynoteViewMixin, generics.ListAPIView):
    """The keynotes, each with its speakers, its live Q&A and whether questions are open."""

    pagination_class = ByQAStart
    queryset = keynotes_with_speakers()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # One query for every keynote's recording (the Q&A opens at its release).
            self._rows = {row.keynote.pk: row for row in keynote_rows(timezone.now(), page)}
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["rows"] = getattr(self, "_rows", {})
        return context


class KeynoteDetail(KeynoteViewMixin, generics.RetrieveAPIView):
    queryset = keynotes_with_speakers()
    lookup_field = "slug"


class QuestionSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="The asker's name; null when they asked anonymously.")
    answered = serializers.SerializerMethodField()
    on_air = serializers.SerializerMethodField()
    created_at = utc_field()
    answered_at = utc_field()

    class Meta:
        model = Question
        fields = ["id", "body", "author", "anonymous", "votes", "answered", "answered_at", "on_air", "created_at"]

    def get_author(self, question) -> str | None:
        return None if question.anonymous else question.author.name

    def get_answered(self, question) -> bool:
        return question.answered_at is not None

    def get_on_air(self, question) -> bool:
        return question.pk == self.context["on_air_id"]


class QuestionOrder(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def get_ordering(self, request, queryset, view):
        return ("-created_at", "-id") if request.query_params.get("sort") == "new" else ("-votes", "created_at", "id")


@extend_schema(
    parameters=[
        OpenApiParameter("sort", str, enum=["top", "new"], description="top: most votes first (ties: oldest); new.")
    ]
)
class QuestionList(generics.ListAPIView):
    """A keynote's questions as everyone sees them: visible ones only (no hidden, pending or
    merged question), and no name of anyone who asked anonymously."""

    serializer_class = QuestionSerializer
    pagination_class = QuestionOrder

    def get_keynote(self):
        if not hasattr(self, "_keynote"):
            self._keynote = get_object_or_404(Keynote.objects.only("id", "slug", "on_air"), slug=self.kwargs["slug"])
        return self._keynote

    def get_queryset(self):
        sort = self.request.query_params.get("sort", "top")
        if sort not in ("top", "new"):
            raise ValidationError({"sort": f"“{sort[:20]}” is not a sort order: top or new."})
        return Question.objects.filter(keynote=self.get_keynote(), status=Question.Status.VISIBLE).select_related(
            "author"
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "on_air_id": self.get_keynote().on_air_id}
