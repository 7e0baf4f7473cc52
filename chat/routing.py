"""Websocket routes of the chat app (mounted by portal/routing.py)."""

websocket_urlpatterns = []
