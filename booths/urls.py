"""Pages of the booths app (mounted at the site root by portal/urls.py)."""

from django.urls import path

from booths import host_views, private_views, sponsor_views, views, workshop_views

app_name = "booths"

urlpatterns = [
    path("booths/", views.index, name="index"),
    path("booths/start/", private_views.start, name="start"),
    path("booths/apply/", host_views.apply, name="apply"),
    path("booths/<slug:slug>/", views.detail, name="detail"),
    path("booths/<slug:slug>/call/", views.call, name="call"),
    path("booths/<slug:slug>/edit/", host_views.edit, name="edit"),
    path("booths/<slug:slug>/edit/slots/", host_views.add_slots, name="add_slots"),
    path("booths/<slug:slug>/edit/open/", host_views.mark_open, name="mark_open"),
    path("booths/<slug:slug>/members/", private_views.add_member, name="add_member"),
    path("booths/<slug:slug>/join/<str:token>/", private_views.join, name="join"),
    path("sponsors/", sponsor_views.sponsor_list, name="sponsors"),
    path("sponsors/jobs/", sponsor_views.job_list, name="jobs"),
    path("sponsors/meetings/", sponsor_views.my_meetings, name="meetings"),
    path("sponsors/meetings/<int:slot_id>/book/", sponsor_views.book, name="book"),
    path("sponsors/meetings/<int:slot_id>/cancel/", sponsor_views.cancel, name="cancel_meeting"),
    path("sponsors/<slug:slug>/", sponsor_views.sponsor_detail, name="sponsor"),
    path("workshops/", workshop_views.workshop_list, name="workshops"),
    path("workshops/<str:code>.ics", workshop_views.workshop_calendar, name="workshop_calendar"),
    path("workshops/<str:code>/", workshop_views.workshop_detail, name="workshop"),
]
