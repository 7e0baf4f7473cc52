"""Pages of the chat app (mounted at the site root by portal/urls.py)."""

from django.urls import path, re_path

from chat import views

app_name = "chat"

urlpatterns = [
    path("corridor/", views.corridor, name="corridor"),
    path("rooms/", views.room_list, name="room_list"),
    path("rooms/<str:key>/", views.room_detail, name="room"),
    path("rooms/<str:key>/post/", views.post_page, name="post"),
    re_path(r"^rooms/(?P<key>[^/]+)/export\.(?P<fmt>csv|json)$", views.export_room, name="export"),
    path("chat/code-of-conduct/accept/", views.accept_code_of_conduct, name="accept_code_of_conduct"),
    path("me/mentions/", views.my_mentions, name="mentions"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/messages/<int:message_id>/hide/", views.hide, name="hide"),
    path("moderation/messages/<int:message_id>/unhide/", views.unhide, name="unhide"),
    path("moderation/messages/<int:message_id>/dismiss/", views.dismiss, name="dismiss"),
    path("moderation/users/<int:user_id>/dismiss/", views.dismiss_person, name="dismiss_person"),
    path("moderation/users/<int:user_id>/mute/", views.mute, name="mute"),
    path("moderation/users/<int:user_id>/ban/", views.ban, name="ban"),
    path("moderation/sanctions/<int:sanction_id>/lift/", views.lift, name="lift"),
]
