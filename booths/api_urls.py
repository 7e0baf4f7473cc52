"""/api/v1/ endpoints of the booths app (mounted by portal/api_urls.py)."""

from django.urls import path

from booths import api

urlpatterns = [
    path("booths/", api.BoothList.as_view(), name="api-booths"),
    path("booths/<slug:slug>/", api.BoothDetail.as_view(), name="api-booth"),
    path("sponsors/", api.SponsorList.as_view(), name="api-sponsors"),
    path("jobs/", api.JobList.as_view(), name="api-jobs"),
    path("workshops/", api.WorkshopList.as_view(), name="api-workshops"),
]
