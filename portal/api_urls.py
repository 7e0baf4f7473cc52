"""/api/v1/: every app adds its endpoints here."""

from django.urls import path

from portal.api import ConferenceView

urlpatterns = [
    path("conference/", ConferenceView.as_view(), name="api-conference"),
]
