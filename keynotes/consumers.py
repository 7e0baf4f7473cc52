"""A keynote's Q&A socket, `/ws/keynotes/<slug>/qa/`: JSON text frames, authenticated by the
session cookie (docs/realtime.md, "The Q&A protocol").

Server → client
  on connect   {"type": "qa.state", "keynote": slug, "phase": "upcoming"|"live"|"ended"|"no_session",
                "open": bool, "opens_at", "closes_at" (ISO 8601 UTC or null), "on_air": id|null,
                "questions": [<question>, …] (by votes, ties oldest first), "me": {…}}
               sent on every (re)connect: the full current state, nothing to replay.
  to everyone  {"type": "question.new", "question": <question>}
               {"type": "question.updated", "question": <question>}  (answered, votes after a merge)
               {"type": "question.removed", "id", "reason": "hidden"|"merged", "merged_into"?}
               {"type": "question.votes", "votes": {"<id>": n, …}, "versions": {"<id>": v, …}}
                 (coalesced: ≤ 1 per keynote per 250 ms; keep the count of the highest version)
               {"type": "qa.on_air", "id": id|null}
  to sender    {"type": "question.ack", "action", "client_id", "id", "votes"?, "votes_version"?, "voted"?}
               {"type": "error", "code": "forbidden"|"invalid"|"rate_limited"|"unavailable", "detail",
                "reason"?, "retry_after"?, "client_id"?}
               {"type": "pong"}
Client → server
  {"type": "question.ask", "body": "…", "anonymous": false, "client_id": "…"}
  {"type": "question.vote", "id": 12, "client_id"?}      {"type": "question.unvote", "id": 12}
  moderators, organisers and the keynote's chairs:
  {"type": "question.approve" | "question.hide", "id": 12}
  {"type": "question.merge", "id": 12, "into": 9}
  {"type": "question.answered", "id": 12, "answered": true}
  {"type": "question.on_air", "id": 12 | null}            {"type": "question.next"}
  {"type": "ping"}
<question> = {"id", "body" (plain text), "author" (null when asked anonymously), "anonymous",
"votes", "votes_version", "status", "answered", "on_air", "created_at"}; moderators' sockets also get
"asker": {"id", "name"} and "merged_into", and pending and hidden questions.

A socket for a keynote that does not exist is refused at the handshake (4404); with
public browsing off, an anonymous one too (4403). One that cannot reach the database or
the channel layer is accepted and closed with 1013 (portal.sockets.TryAgainLater).
"""

import logging
import time
from collections import deque

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from chat import fanout, link
from chat.services import events
from chat.services.db import in_pool
from chat.services.errors import ChatError, Invalid, RateLimited, Unavailable
from keynotes import services
from keynotes.models import Keynote, Question
from keynotes.timing import window
from portal import visitor_input
from portal.sockets import UNAVAILABLE, NoDatabaseDispatch, TryAgainLater
from portal.timezones import zone_or_none

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 4_000  # a 500-character question escaped as \uXXXX is 3,000
MAX_FRAMES = 60
FRAME_WINDOW = 10.0
WATCHERS_TTL = 24 * 3600


def _iso(instant):
    return instant.isoformat().replace("+00:00", "Z") if instant else None


def load(slug, user):
    """(keynote, is moderator) or (None, False)."""
    keynote = Keynote.objects.select_related("qa_session").filter(slug=slug).first()
    if keynote is None:
        return None, False
    if user is not None and user.is_authenticated:
        user.load_roles()
    return keynote, services.is_moderator(user, keynote)


def state_frame(keynote, user, moderator):
    keynote.refresh_from_db(fields=["on_air"])
    now = timezone.now()
    qa = window(keynote, services.recording_of(keynote))
    statuses = [Question.Status.VISIBLE]
    if moderator:
        statuses += [Question.Status.PENDING, Question.Status.HIDDEN]
    questions = (
        Question.objects.filter(keynote=keynote, status__in=statuses)
        .select_related("author")
        .order_by("-votes", "created_at", "pk")
    )
    me = {"authenticated": False, "can_ask": False, "reason": "login", "detail": "", "moderator": moderator}
    me.update(voted=[], mine=[])
    try:
        services.check_participant(user, "ask or vote")
        services.check_open(keynote, now, "ask or vote")
        me.update(can_ask=True, reason="")
    except ChatError as refusal:
        me.update(reason=refusal.reason, detail=refusal.detail)
    if user is not None and user.is_authenticated:
        me["authenticated"] = True
        me["voted"] = sorted(keynote.questions.filter(vote_rows__user=user).values_list("pk", flat=True))
        me["mine"] = [
            {"id": pk, "status": status}
            for pk, status in keynote.questions.filter(author=user).order_by("pk").values_list("pk", "status")
        ]
    return {
        "type": "qa.state",
        "keynote": keynote.slug,
        "phase": qa.phase(now),
        "open": qa.is_open(now),
        "opens_at": _iso(qa.opens_at),
        "closes_at": _iso(qa.closes_at),
        "on_air": keynote.on_air_id,
        "questions": [
            services.question_json(q, for_moderators=moderator, on_air_id=keynote.on_air_id) for q in questions
        ],
        "me": me,
    }


def _watchers_key(keynote):
    return f"keynotes:watchers:{keynote.pk}"


# The highest count this process wrote, per keynote: a crowd of 2,000 arriving is a few
# dozen writes of the peak, not 2,000 updates of one row.
_peaks = {}


def watcher_joined(keynote):
    """Count the socket; raise the keynote's peak when this is a new one (approximate: the
    count is per connect, shared through the cache, and written in steps of 5 %)."""
    key = _watchers_key(keynote)
    try:
        cache.add(key, 0, timeout=WATCHERS_TTL)
        present = cache.incr(key)
    except Exception:  # noqa: BLE001  (no cache: no count)
        return
    written = max(_peaks.get(keynote.pk, 0), keynote.peak_watchers)
    if present and present >= written + max(1, written // 20):
        _peaks[keynote.pk] = present
        Keynote.objects.filter(pk=keynote.pk, peak_watchers__lt=present).update(peak_watchers=present)


def watcher_left(keynote):
    try:
        if (cache.decr(_watchers_key(keynote)) or 0) < 0:
            cache.set(_watchers_key(keynote), 0, timeout=WATCHERS_TTL)
    except Exception:  # noqa: BLE001
        return


class QAConsumer(TryAgainLater, NoDatabaseDispatch, fanout.Member, AsyncWebsocketConsumer):
    keynote = None
    joined = False
    moderator = False
    closing = False

    @property
    def group(self):
        return services.moderator_group(self.keynote) if self.moderator else services.public_group(self.keynote)

    async def connect(self):
        user = self.scope.get("user")
        slug = self.scope["url_route"]["kwargs"]["slug"]
        if not settings.PORTAL_PUBLIC_BROWSING and not (user and user.is_authenticated):
            await self.close(code=4403)
            return
        try:
            self.keynote, self.moderator = await in_pool(load)(slug, user)
            if self.keynote is not None:
                await self.join_group(self.group)
        except UNAVAILABLE as exc:
            await self.refuse_for(exc)
            return
        if self.keynote is None:
            await self.close(code=4404)
            return
        self.joined = True
        self.frame_times = deque()
        self.zone = self._zone(user)
        await self.accept()
        link.watch(self)
        await in_pool(watcher_joined)(self.keynote)
        await self.send(
            text_data=events.encode(await in_pool(self.in_zone(state_frame))(self.keynote, user, self.moderator))
        )
        await self.start_delivery()

    def _zone(self, user):
        """Refusals name times in the visitor's zone: their profile's, else their cookie's, else UTC."""
        names = [getattr(user, "time_zone", "") if user and user.is_authenticated else ""]
        names.append(self.scope.get("cookies", {}).get("tz", ""))
        return next((zone for zone in map(zone_or_none, filter(None, names)) if zone), zone_or_none("UTC"))

    def in_zone(self, func):
        def run(*args):
            with timezone.override(self.zone):
                return func(*args)

        return run

    async def disconnect(self, code):
        if not self.joined:
            return
        link.unwatch(self)
        try:
            await self.leave_groups()
        except Exception as exc:  # noqa: BLE001  (the layer is gone: nothing to leave)
            logger.info("keynotes: could not leave %s (%s)", self.group, type(exc).__name__)
        try:
            await in_pool(watcher_left)(self.keynote)
        except Exception:  # noqa: BLE001
            logger.info("keynotes: watcher count unavailable")

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
            logger.warning("keynotes: database error on %s in %s: %s", action, self.keynote.slug, type(exc).__name__)
            await self.reply(Unavailable("The Q&A could not store that; try again.").as_frame(client_id))

    def flooding(self):
        now = time.monotonic()
        while self.frame_times and now - self.frame_times[0] > FRAME_WINDOW:
            self.frame_times.popleft()
        self.frame_times.append(now)
        return len(self.frame_times) > MAX_FRAMES

    async def reply(self, frame):
        await self.send(text_data=events.encode(frame))

    async def ack(self, action, client_id, question, **extra):
        frame = {"type": "question.ack", "action": action, "client_id": client_id}
        frame["id"] = question.pk if question is not None else None
        await self.reply({**frame, **extra})

    def user(self):
        return self.scope.get("user")

    async def do_ask(self, frame, client_id):
        anonymous = frame.get("anonymous", False)
        question = await self._zoned(services._store_question)(
            self.keynote, self.user(), frame.get("body"), anonymous, timezone.now()
        )
        await self.ack("ask", client_id, question, status=question.status)

    async def _vote(self, frame, client_id, on):
        question = await self._zoned(services._store_vote)(
            self.keynote, self.user(), frame.get("id"), on, timezone.now()
        )
        await self.ack(
            "vote" if on else "unvote",
            client_id,
            question,
            votes=question.votes,
            votes_version=question.votes_version,
            voted=on,
        )

    async def do_vote(self, frame, client_id):
        await self._vote(frame, client_id, True)

    async def do_unvote(self, frame, client_id):
        await self._vote(frame, client_id, False)

    def _zoned(self, store):
        """Run a service's storing half in the pool, in the visitor's zone, then send its events."""

        async def run(*args):
            done = await in_pool(self.in_zone(store))(*args)
            return await services._afinish(done)

        return run

    async def _moderate(self, action, client_id, *args):
        question = await self._zoned(services.MODERATION[action])(self.keynote, self.user(), *args)
        await self.ack(action, client_id, question)

    async def do_approve(self, frame, client_id):
        await self._moderate("approve", client_id, frame.get("id"))

    async def do_hide(self, frame, client_id):
        await self._moderate("hide", client_id, frame.get("id"))

    async def do_merge(self, frame, client_id):
        await self._moderate("merge", client_id, frame.get("id"), frame.get("into"))

    async def do_answered(self, frame, client_id):
        answered = frame.get("answered", True)
        if not isinstance(answered, bool):
            raise Invalid("“answered” is true or false.")
        await self._moderate("answered", client_id, frame.get("id"), answered, timezone.now())

    async def do_on_air(self, frame, client_id):
        await self._moderate("on_air", client_id, frame.get("id"))

    async def do_next(self, frame, client_id):
        await self._moderate("next", client_id)

    async def do_ping(self, frame, client_id):
        await self.reply({"type": "pong"})

    ACTIONS = {
        "question.ask": do_ask,
        "question.vote": do_vote,
        "question.unvote": do_unvote,
        "question.approve": do_approve,
        "question.hide": do_hide,
        "question.merge": do_merge,
        "question.answered": do_answered,
        "question.on_air": do_on_air,
        "question.next": do_next,
        "ping": do_ping,
    }

    # --- events from the channel layer (sent by keynotes.services only) ---------------

    async def close(self, code=None, reason=None):
        self.closing = True
        await super().close(code=code, reason=reason)

    async def chat_frame(self, event):
        # Events still come from the layer between our close and the client's answer.
        if not self.closing:
            await self.send_frame(event["text"])
