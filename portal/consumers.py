"""The portal's own sockets: a health check and the announcements."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from chat import fanout
from portal.sockets import UNAVAILABLE, JsonFrames, NoDatabaseDispatch, TryAgainLater, invalid_frame
from schedule.recordings import announcements


class HealthConsumer(TryAgainLater, JsonFrames, NoDatabaseDispatch, AsyncJsonWebsocketConsumer):
    group = "health"

    async def connect(self):
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except UNAVAILABLE as exc:
            await self.refuse_for(exc)
            return
        await self.accept()
        await self.send_json({"type": "hello", "user": self.scope["user"].is_authenticated})

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # Through the channel layer, so the echo proves the layer works too.
        await self.channel_layer.send(self.channel_name, {"type": "health.echo", "payload": content})

    async def health_echo(self, event):
        await self.send_json({"type": "echo", "payload": event["payload"]})


class AnnouncementsConsumer(TryAgainLater, JsonFrames, NoDatabaseDispatch, fanout.Member, AsyncJsonWebsocketConsumer):
    """Conference-wide announcements (e.g. "Today's 172 videos are out") to every open page.

    Read-only: the services that make an announcement send it to the group, which every
    page's socket joins through chat.fanout (one membership per server process).
    """

    group = announcements.GROUP

    async def connect(self):
        try:
            await self.join_group(self.group)
        except UNAVAILABLE as exc:
            await self.refuse_for(exc)
            return
        await self.accept()
        await self.start_delivery()

    async def disconnect(self, code):
        await self.leave_groups()

    async def receive_json(self, content, **kwargs):
        await self.send_json(invalid_frame("This stream only announces."))

    async def videos_released(self, event):
        await self.send_json(event)


async def no_such_socket(scope, receive, send):
    """Any other /ws/ path (a typo, a room key too long to be one): refused at the handshake
    with 4404, as a missing room is. Channels' router raised instead (HTTP 500, a traceback)."""
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 4404})
