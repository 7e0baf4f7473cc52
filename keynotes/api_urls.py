"""/api/v1/ endpoints of the keynotes app (mounted by portal/api_urls.py)."""

from django.urls import path

from keynotes import api

urlpatterns = [
    path("keynotes/", api.KeynoteList.as_view(), name="api-keynotes"),
    path("keynotes/<slug:slug>/", api.KeynoteDetail.as_view(), name="api-keynote"),
    path("keynotes/<slug:slug>/questions/", api.QuestionList.as_view(), name="api-keynote-questions"),
]
