"""The chat's verbs. Only this package sends realtime events (see events.py).

Views, the API and the websocket consumer call these; they never `group_send` themselves.
"""

from chat.services.errors import ChatError, Forbidden, Invalid, RateLimited, Unavailable
from chat.services.messages import (
    adelete_message,
    aedit_message,
    apost_message,
    check_can_post,
    delete_message,
    edit_message,
    post_message,
)
from chat.services.moderation import (
    ahide_message,
    areport_message,
    ban_user,
    dismiss_person_reports,
    dismiss_reports,
    hide_message,
    lift_sanction,
    mute_user,
    report_message,
    report_person,
    unhide_message,
)

__all__ = [
    "ChatError",
    "Forbidden",
    "Invalid",
    "RateLimited",
    "Unavailable",
    "adelete_message",
    "aedit_message",
    "ahide_message",
    "apost_message",
    "areport_message",
    "ban_user",
    "check_can_post",
    "delete_message",
    "dismiss_person_reports",
    "dismiss_reports",
    "edit_message",
    "hide_message",
    "lift_sanction",
    "mute_user",
    "post_message",
    "report_message",
    "report_person",
    "unhide_message",
]
