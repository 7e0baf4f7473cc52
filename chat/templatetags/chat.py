"""`{% chat_room key %}`: a room's panel (server-rendered, upgraded live by static/js/chat.js).

{% load chat %}
{% chat_room paper.chat_room_key %}                 {# beside the video #}
{% chat_room "corridor" full_page=True %}
{% unanswered_questions request.user %}            {# on an author's /me/papers/ #}
"""

from django import template

from chat import panel
from portal import page_cache

register = template.Library()


@register.simple_tag(takes_context=True)
def chat_room(context, key, full_page=False, heading=None):
    """The room's panel (chat/panel.py); a hole on pages cached whole (portal.page_cache)."""
    return page_cache.hole(context.get("request"), panel.HOLE, panel.hole_arg(key, heading, full_page))


@register.inclusion_tag("chat/_unanswered.html")
def unanswered_questions(user, limit=50):
    from chat.engagement import unanswered_questions_for

    return {"questions": unanswered_questions_for(user, limit) if user and user.is_authenticated else []}
