"""The queue socket, `/ws/people/queue/`: "meet someone now" for the logged-in person.

Server → client
  on connect and on every change   {"type": "queue.state", …} (people.matching.queue_state:
                                    the whole state, so a reconnect needs nothing else)
  to sender                        {"type": "error", "code": "forbidden" | "invalid" | "unavailable",
                                    "reason": …, "detail": "…"}
                                   {"type": "pong"}
  a person's other news            {"type": "introduction.new", "id"}, {"type": "introduction.answered", "id", "status"}
Client → server
  {"type": "queue.join", "topic": "…", "group_size": 2 | 3}
  {"type": "queue.leave"}
  {"type": "match.accept", "match": id}   {"type": "match.skip", "match": id}
  {"type": "ping"}

Anonymous visitors are refused at the handshake (4403). The services send every
`queue.state` (people.events); this consumer only forwards them and, while an offer is
open, ends it on time (`expire_due` at its `answer_by`), so an unanswered offer does not
wait for the beat.
"""

import asyncio
import logging
import random
from datetime import datetime

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from chat.services.db import in_pool
from people import events, matching
from people.safety import MeetError
from portal.sockets import UNAVAILABLE, JsonFrames, NoDatabaseDispatch, TryAgainLater, invalid_frame

logger = logging.getLogger(__name__)

# Every person in an offer has a timer, so two end it at the same moment, and another
# writer may hold the tables just then: SQLite refuses at once ("database table is
# locked") where PostgreSQL waits. A timer tries again after these pauses (each up to
# twice as long, at random, so that two timers part), then leaves the offer to the beat.
EXPIRE_RETRY_PAUSES = (0.2, 0.4, 0.8, 1.6)


class QueueConsumer(TryAgainLater, JsonFrames, NoDatabaseDispatch, AsyncJsonWebsocketConsumer):
    user = None
    timer = None

    async def connect(self):
        user = self.scope.get("user")
        if not (user and user.is_authenticated):
            await self.close(code=4403)
            return
        self.user = user
        try:
            await self.channel_layer.group_add(events.person_group(user.pk), self.channel_name)
            state = await in_pool(matching.queue_state)(user)
        except UNAVAILABLE as exc:
            await self.refuse_for(exc)
            return
        await self.accept()
        await self.send_state(state)

    async def disconnect(self, code):
        if self.timer:
            self.timer.cancel()
        if self.user is not None:
            await self.channel_layer.group_discard(events.person_group(self.user.pk), self.channel_name)

    async def send_state(self, state):
        if self.timer:
            self.timer.cancel()
            self.timer = None
        if state.get("offer"):
            answer_by = datetime.fromisoformat(state["offer"]["answer_by"])
            self.timer = asyncio.ensure_future(self._expire_at(answer_by))
        await self.send_json(state)

    async def _expire_at(self, answer_by):
        from django.utils import timezone

        await asyncio.sleep(max(0.0, (answer_by - timezone.now()).total_seconds()) + 0.2)
        for pause in (*EXPIRE_RETRY_PAUSES, None):
            try:
                await in_pool(matching.expire_due)()
                return
            except UNAVAILABLE as exc:
                if pause is None:
                    logger.warning("could not end the offers due at %s (%s); the beat will", answer_by, exc)
                    return
                await asyncio.sleep(pause * (1 + random.random()))  # noqa: S311 (not a secret)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        try:
            if kind == "ping":
                await self.send_json({"type": "pong"})
            elif kind == "queue.join":
                size = content.get("group_size", 2)
                await in_pool(matching.join_queue)(
                    self.user, topic=content.get("topic", ""), group_size=size if isinstance(size, int) else 0
                )
            elif kind == "queue.leave":
                await in_pool(matching.leave_queue)(self.user)
            elif kind in ("match.accept", "match.skip"):
                await in_pool(matching.answer)(self.user, content.get("match"), accept=kind == "match.accept")
            else:
                await self.send_json(invalid_frame("Send queue.join, queue.leave, match.accept, match.skip or ping."))
        except MeetError as problem:
            code = "invalid" if problem.reason in ("invalid",) else "forbidden"
            await self.send_json({"type": "error", "code": code, "reason": problem.reason, "detail": problem.detail})

    async def chat_frame(self, event):
        # Frames from people.events, encoded once by chat.services.events.
        import json

        frame = json.loads(event["text"])
        if frame.get("type") == "queue.state":
            await self.send_state(frame)
        else:
            await self.send(text_data=event["text"])
