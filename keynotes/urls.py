"""Pages of the keynotes app (mounted at the site root by portal/urls.py)."""

from django.urls import path

from keynotes import views

app_name = "keynotes"

urlpatterns = [
    path("keynotes/", views.keynote_list, name="index"),
    path("keynotes/<slug:slug>/", views.keynote_detail, name="detail"),
    path("keynotes/<slug:slug>/ask/", views.ask, name="ask"),
    path("keynotes/<slug:slug>/questions/<int:question_id>/vote/", views.vote, name="vote"),
    path("keynotes/<slug:slug>/moderate/", views.moderate, name="moderate"),
    path("keynotes/<slug:slug>/chair/", views.chair, name="chair"),
    path("keynotes/<slug:slug>/summary/", views.keynote_summary, name="summary"),
    path("keynotes/<slug:slug>/recording/", views.recording, name="recording"),
    path("keynotes/<slug:slug>/recording/<str:kind>/", views.upload, name="upload"),
]
