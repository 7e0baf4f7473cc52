"""Pages of the booths app (mounted at the site root by portal/urls.py)."""

from django.urls import path

from booths import private_views, views

app_name = "booths"

urlpatterns = [
    path("booths/start/", private_views.start, name="start"),
    path("booths/<slug:slug>/", views.detail, name="detail"),
    path("booths/<slug:slug>/members/", private_views.add_member, name="add_member"),
    path("booths/<slug:slug>/join/<str:token>/", private_views.join, name="join"),
]
