"""/api/v1/: every app adds its endpoints here."""

from django.urls import include, path

from portal.api import ApiRootView, ConferenceView

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("conference/", ConferenceView.as_view(), name="api-conference"),
    path("", include("schedule.api_urls")),
    path("", include("posters.api_urls")),
    path("", include("keynotes.api_urls")),
    path("", include("booths.api_urls")),
    path("", include("chat.api_urls")),
    path("", include("people.api_urls")),
]
