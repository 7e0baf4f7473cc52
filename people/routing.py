"""Websocket routes of people (mounted by portal/routing.py)."""

from django.urls import path

from people.consumers import QueueConsumer

websocket_urlpatterns = [
    path("ws/people/queue/", QueueConsumer.as_asgi()),
]
