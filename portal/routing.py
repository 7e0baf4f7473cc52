from django.urls import path

from chat.routing import websocket_urlpatterns as chat_websockets
from portal.consumers import HealthConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    *chat_websockets,
]
