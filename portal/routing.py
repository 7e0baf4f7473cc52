from django.urls import path

from chat.routing import websocket_urlpatterns as chat_websockets
from portal.consumers import AnnouncementsConsumer, HealthConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    path("ws/announcements/", AnnouncementsConsumer.as_asgi()),
    *chat_websockets,
]
