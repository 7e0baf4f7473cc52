from django.urls import URLResolver, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.models import Conference


class ConferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conference
        fields = [
            "name",
            "short_name",
            "start_date",
            "end_date",
            "time_zone",
            "release_time_zone",
            "release_hour",
            "livestream_url",
            "code_of_conduct",
        ]


class ConferenceView(APIView):
    """The conference's public configuration."""

    @extend_schema(responses=ConferenceSerializer)
    def get(self, request):
        return Response(ConferenceSerializer(Conference.get()).data)


def list_routes(patterns, prefix=""):
    """The routes without parameters under these URL patterns, in order ("papers/", ...)."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from list_routes(pattern.url_patterns, route)
        elif route and "<" not in route:
            yield route


class ApiRootView(APIView):
    """The API's endpoints that take no parameter (each app's lists), by name, with the
    schema and its documentation: where a client starts."""

    @extend_schema(
        operation_id="api_root",
        summary="The API's endpoints",
        responses=inline_serializer("ApiRoot", {"endpoints": serializers.DictField(child=serializers.URLField())}),
    )
    def get(self, request):
        from portal import api_urls  # it imports this module

        root = reverse("api-root")
        endpoints = {
            route.rstrip("/"): request.build_absolute_uri(root + route) for route in list_routes(api_urls.urlpatterns)
        }
        endpoints["schema"] = request.build_absolute_uri(reverse("api-schema"))
        endpoints["docs"] = request.build_absolute_uri(reverse("api-docs"))
        return Response({"endpoints": endpoints})
