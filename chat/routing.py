"""Websocket routes of the chat app (mounted by portal/routing.py)."""

from django.urls import re_path

from chat.consumers import RoomConsumer

websocket_urlpatterns = [
    re_path(r"^ws/rooms/(?P<key>[^/]+)/$", RoomConsumer.as_asgi()),
]
