"""/api/v1/booths/: public booths only (approved, never self-organised), with their slots.
No call link here: a visitor's is in /me/state.json's "booths" part."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination

from booths import calls, listing


class BoothSlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class BoothSerializer(serializers.Serializer):
    slug = serializers.CharField()
    kind = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    links = serializers.ListField(child=serializers.CharField(), source="link_list")
    all_day = serializers.BooleanField()
    open_now = serializers.SerializerMethodField()
    room = serializers.CharField(source="room_key")
    url = serializers.CharField(source="get_absolute_url")
    slots = BoothSlotSerializer(many=True, source="slot_list")

    def get_open_now(self, booth) -> bool:
        return booth.all_day or calls.is_open_now(booth, booth.slot_list, self.context["now"])


class BoothPagination(CursorPagination):
    ordering = ("name", "id")


class BoothList(generics.ListAPIView):
    serializer_class = BoothSerializer
    pagination_class = BoothPagination

    def get_queryset(self):
        filters = listing.read_filters(self.request.query_params)
        booths = listing.public_booths()
        if filters.kind:
            booths = booths.filter(kind=filters.kind)
        return booths

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, description="sponsor, invited, workshop, affinity or social")]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class BoothDetail(generics.RetrieveAPIView):
    serializer_class = BoothSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return listing.public_booths()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}
