"""/api/v1/ endpoints of the schedule app (mounted by portal/api_urls.py)."""

from django.urls import path

from schedule import api

urlpatterns = [
    path("sessions/", api.SessionList.as_view(), name="api-sessions"),
    path("sessions/<int:pk>/", api.SessionDetail.as_view(), name="api-session"),
    path("me/agenda/", api.MyAgenda.as_view(), name="api-agenda"),
    path("me/agenda/merge/", api.MergeAgenda.as_view(), name="api-agenda-merge"),
    path("me/agenda/<int:pk>/", api.MyAgendaItem.as_view(), name="api-agenda-item"),
]
