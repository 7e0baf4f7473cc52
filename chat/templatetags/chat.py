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
from chat.models import Room
from chat.services import presence
from chat.services.messages import edit_window
from portal.public import exporting

# The static export keeps a paper's whole discussion (up to this many messages), not a page of it.
EXPORT_MESSAGES = 1000

register = template.Library()


@register.inclusion_tag("chat/_room_panel.html", takes_context=True)
def chat_room(context, key, full_page=False, heading=None):
    request = context.get("request")
    export = exporting()
    user = getattr(request, "user", None)
    if export:
        # The export writes nothing: a room nobody opened has nothing to show, and a
        # private room is nobody's to export.
        room = Room.objects.filter(key=key, private=False).first()
    else:
        # A page view writes nothing: a room nobody opened yet is shown empty, unsaved.
        room = rooms.peek_room_for(key, user) if user is not None else rooms.peek_room(key)
    if room is None or (user is None and room.private):
        return {"room": None, "key": key, "static_export": export}
    quiet = room.message_count == 0  # nothing was ever posted: nothing to read
    messages = [] if quiet else history.latest(room, EXPORT_MESSAGES if export else history.PAGE_SIZE)
    engagement = None
    if rooms.has_authors(room):
        engagement = {"questions": 0, "answered": 0} if quiet else history.engagement(room)
    return {
        "room": room,
        "key": room.key,
        "heading": heading or room.title,
        "full_page": full_page,
        "messages": messages,
        "has_older": not export and len(messages) == history.PAGE_SIZE,
        "present": 0 if export else presence.count(room.key),
        "static_export": export,
        "archived": context.get("conference_phase") == "archived",
        "conference": context.get("conference"),
        "engagement": engagement,
        "request": request,
        "viewer_zone_name": getattr(request, "viewer_zone_name", "UTC"),
        "edit_window": int(edit_window().total_seconds()),
    }


@register.inclusion_tag("chat/_unanswered.html")
def unanswered_questions(user, limit=50):
    from chat.engagement import unanswered_questions_for

    return {"questions": unanswered_questions_for(user, limit) if user and user.is_authenticated else []}
