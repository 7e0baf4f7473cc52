"""Pages of the schedule app (mounted at the site root by portal/urls.py)."""

from django.urls import path

from schedule import agenda_views, feeds, views
from schedule.recordings import serving, upload_views

app_name = "schedule"

urlpatterns = [
    path("schedule/", views.week, name="index"),
    path("schedule/sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("schedule/sessions/<int:pk>.ics", feeds.session_calendar, name="session_calendar"),
    path("schedule/<str:day>/", views.day, name="day"),
    path("now/", views.now_page, name="now"),
    path("live/", views.live_page, name="live"),
    path("calendar.ics", feeds.programme_calendar, name="programme_calendar"),
    path("me/agenda/", agenda_views.my_agenda, name="my_agenda"),
    path("me/agenda/browser/", agenda_views.agenda_browser, name="agenda_browser"),
    path("me/agenda/items/", agenda_views.agenda_item, name="agenda_item"),
    path("me/agenda/feed/regenerate/", agenda_views.regenerate_feed, name="regenerate_feed"),
    path("me/agenda/reminders/", agenda_views.reminder_settings, name="reminder_settings"),
    path("me/agenda/notices/<int:pk>/dismiss/", agenda_views.dismiss_notice, name="dismiss_notice"),
    path("me/agenda.ics", feeds.agenda_calendar, name="agenda_feed"),
    path("media/recordings/<int:pk>/<str:asset>", serving.recording_media, name="recording_media"),
    # The one upload page of a subject's pre-recorded talk (features may mount it at their own address too).
    path("me/recordings/<str:key>/", upload_views.upload_page, name="recording_upload_page"),
    path("me/recordings/<str:key>/status", upload_views.status, name="recording_upload_status"),
    path("me/recordings/<str:key>/retry", upload_views.retry, name="recording_upload_retry"),
    path("me/recordings/<str:key>/<str:kind>", upload_views.upload, name="recording_upload"),
]
