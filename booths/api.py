"""/api/v1/ of the booths app: public booths only (approved, never self-organised), with
their slots; sponsors with their talks and jobs; all jobs; workshops with their talks. No
call link here: a visitor's is in /me/state.json."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination

from booths import calls, listing
from booths.sponsor_models import Job, Sponsor
from schedule.importers.ical import WORKSHOP_UID_PREFIX
from schedule.models import Session


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
        return calls.is_open_now(booth, booth.slot_list, self.context["now"])


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


class TalkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class JobSerializer(serializers.ModelSerializer):
    sponsor = serializers.CharField(source="sponsor.slug")

    class Meta:
        model = Job
        fields = ["id", "title", "place", "link", "deadline", "sponsor"]


class SponsorSerializer(serializers.ModelSerializer):
    logo = serializers.CharField(source="logo_src")
    booth = serializers.SerializerMethodField()
    talks = TalkSerializer(many=True)
    jobs = JobSerializer(many=True)

    class Meta:
        model = Sponsor
        fields = ["slug", "name", "tier", "tier_rank", "website", "logo", "description", "booth", "talks", "jobs"]

    def get_booth(self, sponsor) -> str | None:
        booth = sponsor.booth
        return booth.slug if booth is not None and booth.is_public else None


class SponsorPagination(CursorPagination):
    ordering = ("tier_rank", "name", "id")


class SponsorList(generics.ListAPIView):
    serializer_class = SponsorSerializer
    pagination_class = SponsorPagination

    def get_queryset(self):
        return Sponsor.objects.select_related("booth").prefetch_related(
            Prefetch("talks", queryset=Session.objects.order_by("start")),
            Prefetch("jobs", queryset=Job.objects.select_related("sponsor").order_by("title", "id")),
        )


class JobPagination(CursorPagination):
    ordering = ("id",)


class JobList(generics.ListAPIView):
    """Every sponsor's jobs; ?sponsor=<slug>, ?place=, ?q= filter."""

    serializer_class = JobSerializer
    pagination_class = JobPagination

    def get_queryset(self):
        params = self.request.query_params
        jobs = Job.objects.select_related("sponsor")
        if params.get("sponsor"):
            jobs = jobs.filter(sponsor__slug=params["sponsor"][:96])
        if params.get("place"):
            jobs = jobs.filter(place__icontains=params["place"][:100])
        if params.get("q"):
            jobs = jobs.filter(title__icontains=params["q"][:100])
        return jobs

    @extend_schema(
        parameters=[OpenApiParameter("sponsor", str), OpenApiParameter("place", str), OpenApiParameter("q", str)]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WorkshopSerializer(serializers.Serializer):
    code = serializers.SerializerMethodField()
    title = serializers.CharField()
    description = serializers.CharField()
    website = serializers.CharField(source="url")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    booth = serializers.SerializerMethodField()
    talks = TalkSerializer(many=True, source="talk_list")

    def get_code(self, workshop) -> str:
        return workshop.uid.removeprefix(WORKSHOP_UID_PREFIX)

    def get_booth(self, workshop) -> str | None:
        booth = getattr(workshop, "workshop_booth", None)
        return booth.slug if booth is not None and booth.is_public else None


class WorkshopPagination(CursorPagination):
    ordering = ("start", "id")


class WorkshopList(generics.ListAPIView):
    serializer_class = WorkshopSerializer
    pagination_class = WorkshopPagination

    def get_queryset(self):
        return (
            Session.objects.filter(kind=Session.Kind.WORKSHOP)
            .select_related("workshop_booth")
            .prefetch_related(Prefetch("children", queryset=Session.objects.order_by("start"), to_attr="talk_list"))
        )
