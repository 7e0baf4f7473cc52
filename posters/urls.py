"""Pages of the posters app (mounted at the site root by portal/urls.py)."""

from django.urls import path

from posters import views

app_name = "posters"

urlpatterns = [
    path("papers/", views.paper_list, name="paper_list"),
    path("papers/map/", views.paper_map, name="paper_map"),
    path("papers/map.json", views.paper_map_data, name="paper_map_data"),
    path("papers/map/list/", views.paper_map_list, name="paper_map_list"),
    path("papers/random/", views.paper_random, name="paper_random"),
    path("papers/<str:uid>/", views.paper_detail, name="paper_detail"),
    path("papers/<str:uid>/calendar.ics", views.paper_calendar_file, name="paper_calendar"),
    path("papers/<str:uid>/bookmark", views.bookmark_toggle, name="bookmark"),
    path("authors/<str:slug>/", views.author_detail, name="author_detail"),
    path("posters/", views.session_list, name="session_list"),
    path("posters/<int:pk>/", views.session_detail, name="session_detail"),
    path("me/papers/", views.my_papers, name="my_papers"),
    path("me/papers/bookmarks", views.bookmarks_endpoint, name="bookmarks"),
]

# Author uploads of the pre-recorded talk (posters/upload_views.py).
from posters import upload_views  # noqa: E402

urlpatterns += [
    path("me/papers/authored/", upload_views.authored, name="authored_papers"),
    path("me/papers/<str:uid>/recording/", upload_views.recording_page, name="upload_recording"),
    path("me/papers/<str:uid>/recording/status", upload_views.status, name="recording_status"),
    path("me/papers/<str:uid>/recording/retry", upload_views.retry, name="retry_recording"),
    path("me/papers/<str:uid>/recording/<str:kind>", upload_views.upload, name="upload_file"),
]
