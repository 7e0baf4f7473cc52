"""/api/v1/ endpoints of the chat app (mounted by portal/api_urls.py)."""

from django.urls import path

from chat import api

urlpatterns = [
    path("rooms/", api.RoomListView.as_view(), name="api-chat-rooms"),
    path("rooms/<str:key>/messages/", api.RoomMessagesView.as_view(), name="api-chat-room-messages"),
    path("messages/<int:message_id>/report/", api.MessageReportView.as_view(), name="api-chat-message-report"),
]
