"""The portal's own sockets: a health check and the announcements."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal.sockets import NoDatabaseDispatch
from schedule.recordings import announcements


class HealthConsumer(NoDatabaseDispatch, AsyncJsonWebsocketConsumer):
    group = "health"

    async def connect(self):
        await self.accept()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"type": "hello", "user": self.scope["user"].is_authenticated})

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # Through the channel layer, so the echo proves the layer works too.
        await self.channel_layer.send(self.channel_name, {"type": "health.echo", "payload": content})

    async def health_echo(self, event):
        await self.send_json({"type": "echo", "payload": event["payload"]})

    @classmethod
    async def decode_json(cls, text_data):
        import json

        try:
            return json.loads(text_data)
        except ValueError:
            return {"invalid": True}


class AnnouncementsConsumer(NoDatabaseDispatch, AsyncJsonWebsocketConsumer):
    """Conference-wide announcements (e.g. "Today's 172 videos are out") to every open page.

    Read-only: the services that make an announcement send it to the group.
    """

    group = announcements.GROUP

    async def connect(self):
        await self.accept()
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.send_json({"type": "error", "code": "invalid", "detail": "This stream only announces."})

    async def videos_released(self, event):
        await self.send_json(event)
