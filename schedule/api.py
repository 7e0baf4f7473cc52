"""/api/v1/ of the schedule: sessions in a time window, and my agenda.

Instants are ISO 8601 in UTC; each session also carries `local`, the same times in the
viewer's zone (profile or cookie), formatted and with the zone named.
"""

from datetime import UTC, datetime, time

from django.utils.dateformat import format as date_format
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.timezones import zone_abbreviation
from schedule.agenda import (
    AgendaError,
    add_to_agenda,
    agenda_keys,
    flag_overlaps,
    lines_for_items,
    merge_browser_agenda,
    parse_browser_items,
)
from schedule.days import parse_day, same_day
from schedule.models import AgendaItem, Session


def viewer_zone(request):
    return getattr(request, "viewer_zone", None)


class LocalTimesField(serializers.Field):
    """The session's times in the viewer's zone."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, session):
        zone = viewer_zone(self.context.get("request"))
        if zone is None:
            return None
        start, end = session.start.astimezone(zone), session.end.astimezone(zone)
        end_format = "H:i" if same_day(start, end) else "D j M, H:i"
        abbreviation = zone_abbreviation(zone, session.start)
        return {
            "zone": zone.key,
            "abbreviation": abbreviation,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "day": start.date().isoformat(),
            "label": f"{date_format(start, 'D j M, H:i')}–{date_format(end, end_format)} {abbreviation}",
        }


extend_schema_field(
    inline_serializer(
        "LocalTimes",
        {
            "zone": serializers.CharField(),
            "abbreviation": serializers.CharField(),
            "start": serializers.DateTimeField(),
            "end": serializers.DateTimeField(),
            "day": serializers.DateField(),
            "label": serializers.CharField(),
        },
    )
)(LocalTimesField)


def utc_field(**kwargs):
    """A DateTimeField that always speaks UTC (DRF would use the viewer's active zone)."""
    return serializers.DateTimeField(default_timezone=UTC, read_only=True, **kwargs)


class SessionSerializer(serializers.ModelSerializer):
    start = utc_field()
    end = utc_field()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    page_url = serializers.SerializerMethodField()
    calendar_url = serializers.SerializerMethodField()
    local = LocalTimesField()

    class Meta:
        model = Session
        fields = [
            "id",
            "uid",
            "kind",
            "kind_label",
            "title",
            "description",
            "start",
            "end",
            "parent",
            "location",
            "sequence",
            "page_url",
            "calendar_url",
            "local",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, session):
        return self.context["request"].build_absolute_uri(session.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_calendar_url(self, session):
        return self.context["request"].build_absolute_uri(f"/schedule/sessions/{session.pk}.ics")


class ByStart(CursorPagination):
    ordering = ("start", "id")
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


def parse_instant(value, name, zone, end_of_day=False):
    """An aware instant from ISO 8601; a bare date is the viewer's local day (its start, or its end)."""
    day = parse_day(value)
    if day is not None:
        return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=zone)
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationError({name: f"“{value[:40]}” is not an ISO 8601 date or date-time."}) from exc
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=zone)  # a wall-clock time in the viewer's zone
    return instant


@extend_schema(
    parameters=[
        OpenApiParameter("start", str, description="Sessions ending after this instant (ISO 8601, or a local date)."),
        OpenApiParameter("end", str, description="Sessions starting before this instant (ISO 8601, or a local date)."),
        OpenApiParameter("kind", str, many=True, description=f"One or more of: {', '.join(Session.Kind.values)}."),
    ]
)
class SessionList(generics.ListAPIView):
    """Sessions that share time with [start, end), optionally of some kinds, in start order."""

    serializer_class = SessionSerializer
    pagination_class = ByStart

    def get_queryset(self):
        params = self.request.query_params
        zone = viewer_zone(self.request)
        sessions = Session.objects.all()
        start = parse_instant(params["start"], "start", zone) if params.get("start") else None
        end = parse_instant(params["end"], "end", zone, end_of_day=True) if params.get("end") else None
        if start and end and end <= start:
            raise ValidationError({"end": "The end must come after the start."})
        if start:
            sessions = sessions.filter(end__gt=start)
        if end:
            sessions = sessions.filter(start__lt=end)
        kinds = [k for value in params.getlist("kind") for k in value.split(",") if k]
        unknown = sorted(set(kinds) - set(Session.Kind.values))
        if unknown:
            raise ValidationError(
                {"kind": f"Unknown kind “{unknown[0][:40]}”; one of: {', '.join(Session.Kind.values)}."}
            )
        if kinds:
            sessions = sessions.filter(kind__in=kinds)
        return sessions


class SessionDetail(generics.RetrieveAPIView):
    serializer_class = SessionSerializer
    queryset = Session.objects.all()


class AgendaItemSerializer(serializers.ModelSerializer):
    session = SessionSerializer(read_only=True)
    session_id = serializers.PrimaryKeyRelatedField(source="session", queryset=Session.objects.all(), write_only=True)
    title = serializers.SerializerMethodField()
    added_at = utc_field()
    overlaps = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["id", "session", "session_id", "subject_key", "label", "title", "added_at", "overlaps"]
        read_only_fields = ["id", "added_at"]

    def get_title(self, item) -> str:
        """The subject's title (a paper's), else the label given, else the session's."""
        line = self.context.get("lines", {}).get(item.pk)
        return line.title if line else item.title

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_overlaps(self, item):
        """Ids of the other agenda items this one shares time with."""
        line = self.context.get("lines", {}).get(item.pk)
        return [other.item_id for other in line.overlaps] if line else []


class MyAgenda(generics.ListCreateAPIView):
    """My agenda: list it (with overlaps), or add a session (and optionally a subject in it)."""

    serializer_class = AgendaItemSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        return AgendaItem.objects.filter(user=self.request.user).select_related("session")

    def list(self, request, *args, **kwargs):
        items = list(self.get_queryset())
        lines = flag_overlaps(lines_for_items(items))
        context = self.get_serializer_context() | {"lines": {line.item_id: line for line in lines}}
        return Response(AgendaItemSerializer(items, many=True, context=context).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            item, created = add_to_agenda(
                request.user, data["session"], data.get("subject_key", ""), data.get("label", "")
            )
        except AgendaError as exc:
            raise ValidationError({"subject_key": str(exc)}) from exc
        return Response(
            AgendaItemSerializer(item, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MyAgendaItem(generics.RetrieveDestroyAPIView):
    serializer_class = AgendaItemSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return AgendaItem.objects.filter(user=self.request.user).select_related("session")


class MergeAgenda(APIView):
    """Bring the agenda an anonymous visitor kept in the browser into their account."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=inline_serializer("BrowserAgenda", {"items": serializers.ListField(child=serializers.DictField())}),
        responses=inline_serializer(
            "MergedAgenda",
            {"added": serializers.IntegerField(), "keys": serializers.ListField(child=serializers.CharField())},
        ),
    )
    def post(self, request):
        raw = request.data.get("items", []) if isinstance(request.data, dict) else request.data
        try:
            items = parse_browser_items(raw)
        except AgendaError as exc:
            raise ValidationError({"items": str(exc)}) from exc
        added = merge_browser_agenda(request.user, items)
        if not request.user.time_zone and getattr(request, "viewer_zone_chosen", False):
            # The zone chosen in this browser becomes the profile's, so e-mails speak it too.
            request.user.time_zone = request.viewer_zone_name
            request.user.save(update_fields=["time_zone"])
        return Response({"added": added, "keys": sorted(agenda_keys(request.user))})
