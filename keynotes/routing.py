"""Websocket routes of the keynotes app (mounted by portal/routing.py)."""

from django.urls import re_path

from keynotes.consumers import QAConsumer

websocket_urlpatterns = [
    re_path(r"^ws/keynotes/(?P<slug>[-a-zA-Z0-9_]+)/qa/$", QAConsumer.as_asgi()),
]
