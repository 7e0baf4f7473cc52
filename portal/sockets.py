"""What every websocket consumer shares (ground: the portal's own consumers and chat's
both build on it, so it sits below them)."""

from channels.consumer import get_handler_name


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
