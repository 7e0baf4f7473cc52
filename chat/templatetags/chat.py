"""`{% chat_room key %}`: a room's panel (server-rendered, upgraded live by static/js/chat.js).

{% load chat %}
{% chat_room paper.chat_room_key %}                 {# beside the video #}
{% chat_room "corridor" full_page=True %}
{% unanswered_questions request.user %}            {# on an author's /me/papers/ #}
"""

from django import template

from chat import history, rooms
from chat.services import check_can_post, presence
from chat.services.errors import ChatError
from chat.services.messages import edit_window

register = template.Library()


def viewer(user, room):
    me = {"id": None, "can_post": False, "reason": "login", "detail": "", "moderator": False}
    if user is not None and user.is_authenticated:
        me.update(id=user.pk, moderator=user.is_moderator, can_post=True, reason="")
        try:
            check_can_post(user, room)
        except ChatError as refusal:
            me.update(can_post=False, reason=refusal.reason, detail=refusal.detail)
    return me


@register.inclusion_tag("chat/_room_panel.html", takes_context=True)
def chat_room(context, key, full_page=False, heading=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    room = rooms.find_room(key)
    if room is None:
        return {"room": None, "key": key}
    messages = history.latest(room, history.PAGE_SIZE)
    return {
        "room": room,
        "key": room.key,
        "heading": heading or room.title,
        "full_page": full_page,
        "messages": messages,
        "has_older": len(messages) == history.PAGE_SIZE,
        "me": viewer(user, room),
        "present": presence.count(room.pk),
        "engagement": history.engagement(room) if rooms.has_authors(room) else None,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "viewer_zone_name": context.get("viewer_zone_name", "UTC"),
        "edit_window": int(edit_window().total_seconds()),
    }


@register.inclusion_tag("chat/_unanswered.html")
def unanswered_questions(user, limit=50):
    from chat.engagement import unanswered_questions_for

    return {"questions": unanswered_questions_for(user, limit) if user and user.is_authenticated else []}
