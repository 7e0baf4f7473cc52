"""The room socket, `/ws/rooms/<key>/`: JSON text frames, authenticated by the session cookie.

Server → client
  on connect   {"type": "room.state", "room": key, "title": ..., "present": n,
                "messages": [<message>, ...] (latest 50, oldest first), "me": {...},
                "engagement": {"questions": M, "answered": N} (rooms with authors only)}
  to everyone  {"type": "message.new", "message": <message>}
               {"type": "message.edited", "message": <message>}
               {"type": "message.hidden", "id": 123, "reason"?: "deleted"}
               {"type": "presence", "present": n}   (coalesced, at most ~1/s)
  to a person  {"type": "mention", "room": key, "room_title": ..., "url": ..., "message": <message>}
  to sender    {"type": "message.ack", "action": "post"|"edit"|"delete"|"report"|"hide",
                "client_id": ..., "id": 123}
               {"type": "error", "code": "rate_limited"|"forbidden"|"invalid"|"unavailable",
                "detail": "...", "reason"?: ..., "retry_after"?: s, "client_id"?: ...}
               {"type": "pong"}
Client → server
  {"type": "message.post", "body": "...", "client_id": "<uuid>", "reply_to": id?}
  {"type": "message.edit", "id": 123, "body": "...", "client_id"?: ...}
  {"type": "message.delete", "id": 123, "client_id"?: ...}
  {"type": "message.report", "id": 123, "reason": "spam"|..., "detail"?: "...", "client_id"?: ...}
  {"type": "message.hide", "id": 123, "reason"?: "...", "client_id"?: ...}   (moderators)
  {"type": "ping"}

<message> = {"id", "room", "author": {"id", "name", "badge"}, "html", "created_at" (ISO 8601
UTC), "reply_to", "reply": {"id", "author", "excerpt"} | null, "edited_at"}.

A socket to a room that does not exist, or to a private room by someone it does not let in
(as if it did not exist: 4404), or, with public browsing off, from an anonymous
visitor) is refused at the handshake. One that cannot reach the database or the channel
layer is accepted and closed with 1013 ("try again later", portal.sockets.TryAgainLater).
Any bad frame (not JSON, nested too deeply, text that is not text) gets an error frame
with code "invalid"; the connection stays open. Reposting the same client_id returns the
stored id: resend freely.
"""

import contextlib
import logging
import time
from collections import deque

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError

from chat import fanout, history, link, rooms, services, signals
from chat.services import events, presence
from chat.services.db import in_pool
from chat.services.errors import ChatError, Invalid, RateLimited, Unavailable
from portal import visitor_input
from portal.sockets import UNAVAILABLE, NoDatabaseDispatch, TryAgainLater

logger = logging.getLogger(__name__)

# A 2,000-character body escaped as \uXXXX is 12,000 characters; anything larger is not ours.
MAX_FRAME_CHARS = 16_000
# Frames of any kind per connection in FRAME_WINDOW seconds; posts have their own limit.
MAX_FRAMES = 60
FRAME_WINDOW = 10.0


class RoomConsumer(TryAgainLater, NoDatabaseDispatch, fanout.Member, AsyncWebsocketConsumer):
    room = None
    joined = False

    async def connect(self):
        user = self.scope.get("user")
        key = self.scope["url_route"]["kwargs"]["key"]
        if not settings.PORTAL_PUBLIC_BROWSING and not (user and user.is_authenticated):
            await self.close(code=4403)
            return
        try:
            self.room = await in_pool(rooms.find_room_for)(key, user or AnonymousUser())
            if self.room is not None:
                await self.join_group(events.room_group(self.room))
                if user and user.is_authenticated:
                    await self.join_group(events.user_group(user.pk))
        except UNAVAILABLE as exc:
            with contextlib.suppress(*UNAVAILABLE):
                await self.leave_groups()
            await self.refuse_for(exc)
            return
        if self.room is None:
            await self.close(code=4404)
            return
        self.joined = True
        self.frame_times = deque()
        await self.accept()
        link.watch(self)
        present = await presence.join(self.room)
        state = await in_pool(self.state_frame)(present)
        await self.tell(signals.person_entered)
        await self.send(text_data=events.encode(state))
        await self.start_delivery()

    def state_frame(self, present):
        user = self.scope.get("user")
        me = {"id": None, "name": None, "can_post": False, "reason": "login", "detail": "", "moderator": False}
        if user and user.is_authenticated:
            me.update(id=user.pk, name=user.name, moderator=user.is_moderator, reason="", can_post=True)
            try:
                services.check_can_post(user, self.room)
            except ChatError as refusal:
                me.update(can_post=False, reason=refusal.reason, detail=refusal.detail)
        else:
            me["detail"] = "Log in to post in the chat."
        frame = {
            "type": "room.state",
            "room": self.room.key,
            "title": self.room.title,
            "present": present if present is not None else presence.count(self.room.key),
            "messages": [history.message_json(m, self.room.key) for m in history.latest(self.room)],
            "me": me,
        }
        if rooms.has_authors(self.room):
            frame["engagement"] = history.engagement(self.room)
        return frame

    async def disconnect(self, code):
        if not self.joined:
            return
        link.unwatch(self)
        try:
            await self.leave_groups()
        except Exception as exc:  # noqa: BLE001  (the layer is gone: nothing to leave)
            logger.info("chat: could not leave the groups of %s (%s)", self.room.key, type(exc).__name__)
        await presence.leave(self.room)
        await self.tell(signals.person_left)

    async def tell(self, signal):
        """Tell layers above that a logged-in person entered or left this room."""
        user = self.scope.get("user")
        if not (user and user.is_authenticated) or not signal.receivers:
            return
        try:
            await in_pool(signal.send_robust)(sender=type(self), user_id=user.pk, room_key=self.room.key)
        except UNAVAILABLE as exc:
            logger.info("chat: could not tell who is in %s (%s)", self.room.key, type(exc).__name__)

    # --- frames from the client -------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if bytes_data is not None:
            return await self.reply(Invalid("Binary frames are not accepted: send JSON text.").as_frame())
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            return await self.reply(Invalid(f"A frame is at most {MAX_FRAME_CHARS} characters.").as_frame())
        if self.flooding():
            return await self.reply(RateLimited("Slow down: too many frames.", retry_after=FRAME_WINDOW).as_frame())
        try:
            frame = visitor_input.loads(text_data)
        except visitor_input.BadInput as problem:
            return await self.reply(Invalid(str(problem)).as_frame())
        if not isinstance(frame, dict):
            return await self.reply(Invalid("A frame is a JSON object with a type.").as_frame())
        client_id = frame.get("client_id")
        client_id = client_id if isinstance(client_id, str) and len(client_id) <= 64 else None
        action = frame.get("type")
        handler = self.ACTIONS.get(action) if isinstance(action, str) else None
        if handler is None:
            return await self.reply(Invalid(f"Unknown action “{str(action)[:40]}”.").as_frame(client_id))
        try:
            await handler(self, frame, client_id)
        except ChatError as refusal:
            await self.reply(refusal.as_frame(client_id))
        except DatabaseError as exc:
            logger.warning("chat: database error on %s in %s: %s", action, self.room.key, type(exc).__name__)
            await self.reply(Unavailable("The chat could not store that; try again.").as_frame(client_id))

    def flooding(self):
        now = time.monotonic()
        while self.frame_times and now - self.frame_times[0] > FRAME_WINDOW:
            self.frame_times.popleft()
        self.frame_times.append(now)
        return len(self.frame_times) > MAX_FRAMES

    async def reply(self, frame):
        await self.send(text_data=events.encode(frame))

    async def ack(self, action, client_id, message_id):
        await self.reply({"type": "message.ack", "action": action, "client_id": client_id, "id": message_id})

    async def do_post(self, frame, client_id):
        if not client_id:
            raise Invalid("message.post needs a client_id (a UUID) so it is stored once.")
        message = await services.apost_message(
            room=self.room,
            author=self.scope["user"],
            body=frame.get("body"),
            client_id=client_id,
            reply_to=frame.get("reply_to"),
        )
        await self.ack("post", client_id, message.pk)

    async def do_edit(self, frame, client_id):
        message = await services.aedit_message(
            user=self.scope["user"], message_id=frame.get("id"), body=frame.get("body")
        )
        await self.ack("edit", client_id, message.pk)

    async def do_delete(self, frame, client_id):
        message = await services.adelete_message(user=self.scope["user"], message_id=frame.get("id"))
        await self.ack("delete", client_id, message.pk)

    async def do_report(self, frame, client_id):
        report = await services.areport_message(
            user=self.scope["user"],
            message_id=frame.get("id"),
            reason=frame.get("reason"),
            detail=frame.get("detail") or "",
        )
        await self.ack("report", client_id, report.message_id)

    async def do_hide(self, frame, client_id):
        reason = frame.get("reason") if isinstance(frame.get("reason"), str) else ""
        message = await services.ahide_message(moderator=self.scope["user"], message_id=frame.get("id"), reason=reason)
        await self.ack("hide", client_id, message.pk)

    async def do_ping(self, frame, client_id):
        await self.reply({"type": "pong"})

    ACTIONS = {
        "message.post": do_post,
        "message.edit": do_edit,
        "message.delete": do_delete,
        "message.report": do_report,
        "message.hide": do_hide,
        "ping": do_ping,
    }

    # --- events from the channel layer (sent by chat.services only) -------------------

    async def chat_frame(self, event):
        await self.send_frame(event["text"])
