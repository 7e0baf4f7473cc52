"""What every websocket consumer shares (ground: the portal's own consumers and chat's
both build on it, so it sits below them): refusing a socket with a close code the client
understands when Redis or the database is gone, reading JSON frames safely, and a dispatch
without Channels' per-message database hop."""

import contextlib
import logging

from channels.consumer import get_handler_name
from django.db import DatabaseError
from redis.exceptions import RedisError

from portal import visitor_input

logger = logging.getLogger(__name__)

TRY_AGAIN_LATER = 1013
SERVICE_RESTART = 1012
# What a consumer meets when the channel layer (Redis) or the database cannot be reached.
UNAVAILABLE = (DatabaseError, RedisError, OSError, TimeoutError)


class TryAgainLater:
    """A socket that cannot reach the channel layer or the database is accepted and closed
    with 1013 ("try again later"); one that loses them while open is closed with 1012
    ("service restart"), as chat.link does. A warning line is logged, no traceback.

    Without this the failure escaped the consumer: on the PubSub layer `new_channel`
    subscribes in Redis before the handshake, so a new socket got HTTP 500 (and a
    traceback). A close code reaches the browser (a refused handshake shows only as 1006),
    whose client backs off and reconnects (static/js/chat.js, announcements.js).
    Consumers call `refuse_for(exc)` when joining fails in `connect`; what escapes a
    handler is caught around the whole consumer.
    """

    async def refuse_for(self, exc):
        _warn(self.scope, exc, TRY_AGAIN_LATER)
        await self.accept()
        await self.close(code=TRY_AGAIN_LATER, reason="try again later")

    async def __call__(self, scope, receive, send):
        seen = set()

        async def receiving():
            message = await receive()
            seen.add(message["type"])
            return message

        async def sending(message):
            seen.add(message["type"])
            await send(message)

        try:
            await super().__call__(scope, receiving, sending)
        except UNAVAILABLE as exc:
            if seen & {"websocket.close", "websocket.disconnect"}:
                return
            if "websocket.accept" in seen:
                _warn(scope, exc, SERVICE_RESTART)
                with contextlib.suppress(*UNAVAILABLE):
                    await self.disconnect(SERVICE_RESTART)
                await send({"type": "websocket.close", "code": SERVICE_RESTART})
                return
            if "websocket.connect" not in seen and (await receive())["type"] != "websocket.connect":
                return
            _warn(scope, exc, TRY_AGAIN_LATER)
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": TRY_AGAIN_LATER, "reason": "try again later"})


def _warn(scope, exc, code):
    what = "database" if isinstance(exc, DatabaseError) else "channel layer"
    logger.warning("websocket %s: %s unavailable (%s), closed with %d", scope["path"], what, type(exc).__name__, code)


def invalid_frame(detail):
    """The room protocol's refusal of a bad frame (docs/realtime.md)."""
    return {"type": "error", "code": "invalid", "detail": detail}


class JsonFrames:
    """For JSON consumers: a frame that is binary, not JSON or nested too deeply gets an
    "invalid" error frame and the socket stays open (Channels' own decoding raised)."""

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            if text_data is None:
                raise visitor_input.BadInput("Binary frames are not accepted: send JSON text.")
            content = visitor_input.loads(text_data)
        except visitor_input.BadInput as problem:
            await self.send_json(invalid_frame(str(problem)))
            return
        await self.receive_json(content, **kwargs)


class NoDatabaseDispatch:
    """For consumers whose handlers never touch the database on the event loop.

    Channels (4.2+) runs `close_old_connections` in its one sync thread before *every*
    message a consumer handles, the way Django does around a request. For a room with
    1,000 listeners that is 1,000 thread hops per chat message, all queued on that one
    thread: most of the server's CPU and the fan-out's latency (docs/benchmarks.md).
    Consumers using this do their database work through `database_sync_to_async`-style
    wrappers (chat.services.db.in_pool), which close stale connections themselves.
    """

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


SERVER_SEND = "portal.server_send"


def keep_server_send(app):
    """Outermost on the websocket stack: the server's own `send` in the scope, for frames
    sent to many sockets at once (chat.fanout). Channels' session middleware wraps every
    send to save a changed session, which only an HTTP response does; on the keynote
    bench its checks were a tenth of the event loop's time."""

    async def with_server_send(scope, receive, send):
        return await app({**scope, SERVER_SEND: send}, receive, send)

    return with_server_send
