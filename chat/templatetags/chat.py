"""`{% chat_room key %}`: a room's panel (server-rendered, upgraded live by static/js/chat.js).

{% load chat %}
{% chat_room paper.chat_room_key %}                 {# beside the video #}
{% chat_room "corridor" full_page=True %}
{% unanswered_questions request.user %}            {# on an author's /me/papers/ #}

The panel is the same for everyone: who may post (and the composer) comes from
/me/state.json, applied by static/js/state.js.
"""

from django import template

from chat import history, rooms
from chat.services import presence
from chat.services.messages import edit_window

register = template.Library()


@register.inclusion_tag("chat/_room_panel.html", takes_context=True)
def chat_room(context, key, full_page=False, heading=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    room = rooms.find_room_for(key, user) if user is not None else rooms.find_room(key)
    if room is None or (user is None and room.private):
        return {"room": None, "key": key}
    quiet = room.message_count == 0  # nothing was ever posted: nothing to read
    messages = [] if quiet else history.latest(room, history.PAGE_SIZE)
    engagement = None
    if rooms.has_authors(room):
        engagement = {"questions": 0, "answered": 0} if quiet else history.engagement(room)
    return {
        "room": room,
        "key": room.key,
        "heading": heading or room.title,
        "full_page": full_page,
        "messages": messages,
        "has_older": len(messages) == history.PAGE_SIZE,
        "present": presence.count(room.key),
        "engagement": engagement,
        "request": request,
        "viewer_zone_name": getattr(request, "viewer_zone_name", "UTC"),
        "edit_window": int(edit_window().total_seconds()),
    }


@register.inclusion_tag("chat/_unanswered.html")
def unanswered_questions(user, limit=50):
    from chat.engagement import unanswered_questions_for

    return {"questions": unanswered_questions_for(user, limit) if user and user.is_authenticated else []}
