from django.urls import path, re_path

from chat.routing import websocket_urlpatterns as chat_websockets
from keynotes.routing import websocket_urlpatterns as keynote_websockets
from people.routing import websocket_urlpatterns as people_websockets
from portal.consumers import AnnouncementsConsumer, HealthConsumer, no_such_socket

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    path("ws/announcements/", AnnouncementsConsumer.as_asgi()),
    *chat_websockets,
    *keynote_websockets,
    *people_websockets,
    re_path(r"", no_such_socket),
]
