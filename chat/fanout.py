"""One membership per server process in each channel-layer group, and the fan-out to that
process's sockets done here, once.

Channels' way is for every socket to be a member of its groups: 2,000 sockets on a
keynote's Q&A are 2,000 members, and each frame sent to the group is queued 2,000 times,
decoded 2,000 times and dispatched through 2,000 consumers' receive loops (channels_redis
PubSub fans out in the process, the core layer through Redis). On two cores that was
most of the keynote bench's server CPU (docs/benchmarks.md). Here a process joins a group
once, with a channel of its own (`Group`), when its first socket joins, and leaves it
when its last socket leaves; each message the group receives is handed to every local
member's handler for its type (`chat.frame` → `chat_frame`), the same handlers Channels
would call, with the text encoded once by `chat.services.events`.

A socket joins in its `connect`, before it reads the state it sends first; what the group
delivers meanwhile is held and handed over, in order, once the socket says it has sent
its state (`Member.start_delivery`), so no event reaches a client before its state frame
and none between the read and the join is lost. A socket whose client reads slowly holds
up only its own frames, as with Channels (`Member.fanout_deliver`).
"""

import asyncio
import logging
from collections import deque

from channels.consumer import get_handler_name
from channels.layers import get_channel_layer

from portal.sockets import SERVER_SEND

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0  # before a group whose listener failed joins the layer again

# Per event loop (a server process has one; tests make one per test): group name → Group.
_groups: dict[asyncio.AbstractEventLoop, dict[str, "Group"]] = {}


class Member:
    """For consumers whose sockets join groups through the fan-out."""

    _joined = ()
    _waiting = None  # frames waiting their turn
    _holding = 1  # frames wait: until the state frame is sent (1), and while a client frame is handled
    _sending = False  # a send that had to wait is being finished, or the waiting frames handed over

    async def join_group(self, name):
        await join(name, self)
        self._joined = (*self._joined, name)

    async def leave_groups(self):
        """Leave every group joined (each attempted; the first error raised after)."""
        names, self._joined = self._joined, ()
        errors = []
        for name in names:
            try:
                await leave(name, self)
            except Exception as exc:  # noqa: BLE001  (re-raised below, once every group is left here)
                errors.append(exc)
        if errors:
            raise errors[0]

    def fanout_deliver(self, message):
        """Hand a frame to this socket's handler now, or queue it behind what is waiting.

        The handler runs at once, in the group's listener, as far as it can (what Python
        3.12's eager tasks do): a send to a client that keeps up completes without ever
        waiting, and a task per socket per frame was a third of the fan-out's CPU. Only a
        send that must wait (the client reads slowly) gets a task, which finishes it and
        then this socket's frames that came meanwhile, in order.
        """
        if self._holding or self._sending or self._waiting:
            if self._waiting is None:
                self._waiting = deque()
            self._waiting.append(message)
            return
        step = _handle(self, message)
        try:
            waiting_on = step.send(None)
        except StopIteration:
            return
        self._sending = True
        asyncio.get_running_loop().create_task(self._finish(step, waiting_on))

    async def send_frame(self, text):
        """Send a group's text frame: straight to the server when it gave its `send`
        (portal.sockets.keep_server_send), past the middlewares that only act on HTTP."""
        server_send = self.scope.get(SERVER_SEND)
        if server_send is None:
            await self.send(text_data=text)
        else:
            await server_send({"type": "websocket.send", "text": text})

    async def start_delivery(self):
        """Hand over what was held (in order), then deliver as frames come."""
        self._holding -= 1
        await self._hand_over()

    async def websocket_receive(self, message):
        # As with Channels' own dispatch, the group's frames reach a socket after what it
        # answers to its own frame (a post's ack comes before the post's message.new).
        self._holding += 1
        try:
            await super().websocket_receive(message)
        finally:
            self._holding -= 1
        await self._hand_over()

    async def _finish(self, step, waiting_on):
        try:
            await _resume(step, waiting_on)
        finally:
            self._sending = False
        await self._hand_over()

    async def _hand_over(self):
        if self._sending:
            return
        self._sending = True
        try:
            while self._waiting and not self._holding:
                await _handle(self, self._waiting.popleft())
        finally:
            self._sending = False


async def _resume(step, waiting_on):
    """Run a coroutine whose first steps ran outside a task to its end, as a task would:
    wait for what it waits on, then step it again."""
    while True:
        try:
            if waiting_on is None:  # a bare yield (asyncio.sleep(0)): just let the loop run
                await asyncio.sleep(0)
            else:
                await asyncio.wait([waiting_on])
        except asyncio.CancelledError:
            step.close()
            raise
        try:
            waiting_on = step.send(None)
        except StopIteration:
            return


async def _handle(consumer, message):
    handler = getattr(consumer, get_handler_name(message), None)
    if handler is None:
        logger.warning("fanout: %s has no handler for %s", type(consumer).__name__, message.get("type"))
        return
    try:
        await handler(message)
    except Exception:  # a socket closing under us: the others still get the frame
        logger.debug("fanout: delivery to a socket failed", exc_info=True)


class Group:
    """This process's one membership in a channel-layer group, and its local sockets."""

    def __init__(self, name, loop):
        self.name = name
        self.layer = get_channel_layer()
        self.members = set()
        self.channel = None
        self.joined = loop.create_task(self._join())
        self.listener = None

    async def _join(self):
        await self._join_layer()
        self.listener = asyncio.get_running_loop().create_task(self._listen())

    async def _join_layer(self):
        # The layer's default prefix: the core layer receives every process-local channel
        # through one Redis list per prefix, and a channel of another prefix waited.
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.name, self.channel)

    async def _listen(self):
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except Exception:  # the layer failed: chat.link closes the sockets if it stays lost
                logger.warning("fanout: receiving for %s failed; joining again", self.name, exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                try:
                    await self._join_layer()
                except Exception:  # tried again after the next failure
                    logger.warning("fanout: could not join %s again", self.name, exc_info=True)
                continue
            for member in list(self.members):
                member.fanout_deliver(message)

    async def leave(self):
        if self.listener is not None:
            self.listener.cancel()  # PubSub unsubscribes a channel whose receive is cancelled
        if not self.joined.done():
            self.joined.cancel()
            return
        if not _failed(self.joined):
            await self.layer.group_discard(self.name, self.channel)


def _failed(task):
    return task.done() and (task.cancelled() or task.exception() is not None)


def groups():
    return _groups.setdefault(asyncio.get_running_loop(), {})


async def join(name, consumer):
    """Add a socket (a `Member`) to group `name`, joining the layer's group when it is the
    process's first there. Raises what the layer raises (the socket is then not in it)."""
    local = groups()
    group = local.get(name)
    if group is None or _failed(group.joined):
        group = local[name] = Group(name, asyncio.get_running_loop())
    group.members.add(consumer)
    try:
        await asyncio.shield(group.joined)
    except BaseException:
        group.members.discard(consumer)
        if not group.members and local.get(name) is group:
            del local[name]
        raise


async def leave(name, consumer):
    """Take a socket out of group `name`; the process leaves the layer's group with its last."""
    local = groups()
    group = local.get(name)
    if group is None or consumer not in group.members:
        return
    group.members.discard(consumer)
    if not group.members:
        del local[name]
        if not local:
            _groups.pop(asyncio.get_running_loop(), None)
        await group.leave()


def members(name):
    """This process's sockets in group `name` (tests)."""
    group = groups().get(name)
    return set(group.members) if group is not None else set()
