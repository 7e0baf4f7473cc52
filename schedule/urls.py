"""Pages of the schedule app (mounted at the site root by portal/urls.py)."""

from django.urls import path  # noqa: F401  (the app's issue fills these in)

app_name = "schedule"

urlpatterns = []
