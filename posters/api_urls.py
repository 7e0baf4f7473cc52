"""/api/v1/ endpoints of the posters app (mounted by portal/api_urls.py)."""

from django.urls import path

from posters import api

urlpatterns = [
    path("papers/", api.PaperList.as_view(), name="api-papers"),
    path("papers/<str:uid>/", api.PaperDetail.as_view(), name="api-paper"),
    path("poster-sessions/", api.PosterSessionList.as_view(), name="api-poster-sessions"),
    path("poster-sessions/<int:pk>/", api.PosterSessionDetail.as_view(), name="api-poster-session"),
]
