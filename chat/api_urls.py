"""/api/v1/ endpoints of the chat app (mounted by portal/api_urls.py)."""

from django.urls import path  # noqa: F401  (the app's issue fills these in)

urlpatterns = []
