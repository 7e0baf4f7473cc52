"""/api/v1/people/: the attendees who share a profile (the same people as /people/)."""

from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination

from people import profiles


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    affiliation = serializers.CharField(source="user.affiliation")
    interests = serializers.ListField(source="user.interest_list", child=serializers.CharField())
    ask_me_about = serializers.CharField()
    links = serializers.ListField(source="link_list", child=serializers.URLField())
    papers = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_papers(self, profile) -> list[str]:
        return [paper.uid for paper in self.context["papers"].get(profile.user_id, [])]

    def get_url(self, profile) -> str:
        return self.context["request"].build_absolute_uri(f"/people/{profile.user_id}/")


class PeoplePagination(PageNumberPagination):
    page_size = 50


class PeopleList(generics.ListAPIView):
    """Attendees who share a public profile; `q` searches name, affiliation and interests."""

    serializer_class = PersonSerializer
    pagination_class = PeoplePagination

    def get_queryset(self):
        return profiles.search(" ".join(self.request.query_params.get("q", "").split())[:100])

    def get_serializer(self, *args, **kwargs):
        if args and isinstance(args[0], list):
            self._papers = profiles.papers_by_user([p.user_id for p in args[0]])
        return super().get_serializer(*args, **kwargs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "papers": getattr(self, "_papers", {})}
