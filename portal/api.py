from drf_spectacular.utils import extend_schema
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
