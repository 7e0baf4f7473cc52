"""`/me/state.json`: the visitor's own state for the public page they are on.

Public pages (portal.public) carry nothing personal; static/js/state.js asks for this
once per page load and applies it. The page names what it shows that depends on the
visitor besides stars and agenda marks (those are all the visitor's, a few dozen):

    GET /me/state.json?calls=slot:12,session:5&rooms=paper:abc,corridor

    {"user": {"authenticated": true, "id": 7, "name": "Ada", "registered": true,
              "moderator": false, "organiser": false},
     "csrf": "<token>", "zone": "Asia/Tokyo",
     "stars": ["abc"], "agenda": ["5|", "12|paper:abc"],
     "calls": {"slot:12": {"state": "open", "url": "https://…", "reason": ""}},
     "rooms": {"paper:abc": {"can_post": false, "reason": "muted", "detail": "…",
                             "moderator": false, "muted": true}},
     "messages": [{"level": "success", "text": "…"}],
     "reminders_html": "<section …>"}

Features add parts of their own (portal/state_parts.py: `register_state_part`), asked
for by the page with `?<part>=<key>,…` and answered under `state[<part>]`.

A call link's URL is there only inside its window and only for those allowed
(schedule/call_links.py). Never cached by anyone: `Cache-Control: private, no-store`.
The roles, stars and agenda marks are read afresh on every request, in one query
(`_personal`).
"""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from psycopg2.extensions import AsIs

from chat.models import Room
from chat.rooms import may_enter, unopened_room
from chat.services.errors import ChatError
from chat.services.messages import check_can_post, sanction_rows, sanctions_with_ids
from portal.models import User
from portal.state_parts import BadKeys, state_parts
from posters.bookmarks import star_rows
from posters.models import PosterSlot
from schedule.agenda import agenda_rows
from schedule.call_links import Viewer
from schedule.models import Session
from schedule.templatetags.schedule_tags import notices_html

MAX_KEYS = 500  # a poster session's papers, with room to spare
CALL_KINDS = {"slot", "session"}


def _keys(request, name, limit=MAX_KEYS):
    keys = [k for k in dict.fromkeys(request.GET.get(name, "").split(",")) if k]
    if len(keys) > limit:
        raise BadKeys(f"“{name}” names {len(keys)} items; at most {limit}.")
    return keys


def _call_ids(keys):
    """{"slot": {id: key}, "session": {id: key}} from "slot:12", "session:5"."""
    ids = {kind: {} for kind in CALL_KINDS}
    for key in keys:
        kind, _, raw = key.partition(":")
        if kind not in CALL_KINDS or not raw.isdigit() or len(raw) > 18:
            raise BadKeys(f"“{key[:40]}” is not a call link's key (slot:<id> or session:<id>).")
        ids[kind][int(raw)] = key
    return ids


def _sessions_and_links(keys):
    """{key: (session, link)} for the call-link keys that exist (two queries at most)."""
    ids = _call_ids(keys)
    found = {}
    # Only what the window needs (schedule.call_links), and unordered: the models' default
    # orderings would join the papers and sort, on every page view's state request.
    if ids["slot"]:
        slots = PosterSlot.objects.filter(pk__in=ids["slot"]).select_related("session").order_by()
        for slot in slots.only("call_link", "session__start", "session__end"):
            found[ids["slot"][slot.pk]] = (slot.session, slot.call_link)
    if ids["session"]:
        for session in Session.objects.filter(pk__in=ids["session"]).only("start", "end", "call_link").order_by():
            found[ids["session"][session.pk]] = (session, session.call_link)
    return found


def calls_for(user, keys, now, refuse_unread=False):
    """{key: {state, url, reason}} for the call keys that exist.

    With `refuse_unread` (/me/state.json), a viewer who may see no call link, or anyone in
    the archive, gets the same answer for every key without the calls being read: the page
    already shows each window's state, and static/js/state.js asks about no call the page
    says has ended. (The no-JavaScript "Join" reads the call, for its "ended" and 404.)"""
    if not keys:
        return {}
    viewer = Viewer(user, now)
    if refuse_unread and (viewer.archived or not viewer.allowed):
        _call_ids(keys)  # a malformed key is still refused
        state = "ended" if viewer.archived else "not_allowed"
        return {key: {"state": state, "url": "", "reason": "" if viewer.archived else viewer.reason} for key in keys}
    calls = {}
    for key, (session, link) in _sessions_and_links(keys).items():
        call = viewer.link(session, link)
        calls[key] = {"state": call.state, "url": call.url or "", "reason": call.reason}
    return calls


def rooms_for(user, keys, sanction_ids):
    """What the visitor may do in these rooms; `sanction_ids`: their open sanctions (`_personal`)."""
    if not user.is_authenticated or not keys:
        return {}
    sanctions = sanctions_with_ids(sanction_ids)
    rooms = {}
    stored = {room.key: room for room in Room.objects.filter(key__in=keys).order_by()}
    for key in keys:
        # A room nobody opened yet is shown on its page (unsaved, chat.rooms.peek_room): the
        # visitor's permissions are the same for it.
        room = stored.get(key) or unopened_room(key)
        if room is None:
            continue
        if room.private and not may_enter(room, user):
            continue  # as if it did not exist
        me = {"can_post": True, "reason": "", "detail": "", "moderator": user.is_moderator, "muted": False}
        try:
            check_can_post(user, room, sanctions=sanctions)
        except ChatError as refusal:
            me.update(can_post=False, reason=refusal.reason, detail=refusal.detail, muted=refusal.reason == "muted")
        rooms[room.key] = me
    return rooms


def _personal_rows(pk, now):
    return User.role_rows(pk).union(star_rows(pk), agenda_rows(pk, now), sanction_rows(pk, now), all=True)


# The markers the personal query is compiled with: no person has a negative id, and the
# instant is only ever a marker.
_PK_MARKER = -2_147_480_001
_NOW_MARKER = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


class PreparedQuery:
    """An ORM query that PostgreSQL plans once per connection (PREPARE / EXECUTE).

    The personal query runs on every page view. Building and compiling it in the ORM was
    about 40 % of `/me/state.json`'s time in Django, and PostgreSQL spent longer planning
    it than running it (EXPLAIN ANALYZE: planning 1.9 ms, execution 0.3 ms); bench/read_path.py's
    state row measures the difference. The queryset stays the definition: it is compiled once
    with marker arguments, its constants written into the statement as psycopg2 writes them
    for any query, the markers' places becoming the statement's parameters. Other databases
    (the embedded SQLite), and PostgreSQL behind a transaction pooler
    (`PORTAL_PREPARED_STATEMENTS=0`), run the queryset as it is.
    """

    def __init__(self, name, build, markers):
        self.name, self.build, self.markers = name, build, markers
        self._statement = None  # the PREPARE statement, made on first use

    def rows(self, *args):
        db = connections[DEFAULT_DB_ALIAS]  # this thread's connection (not the module-wide proxy)
        if db.vendor != "postgresql" or not settings.PORTAL_PREPARED_STATEMENTS:
            return list(self.build(*args))
        db.ensure_connection()
        with db.cursor() as cursor:
            prepared = db.__dict__.setdefault("portal_prepared", set())
            if self.name not in prepared:
                cursor.execute(self._prepare_sql(cursor))
                prepared.add(self.name)
            cursor.execute(f"EXECUTE {self.name}({', '.join(['%s'] * len(args))})", args)
            return cursor.fetchall()

    def _prepare_sql(self, cursor):
        if self._statement is None:
            sql, params = self.build(*(marker for marker, _ in self.markers)).query.sql_with_params()
            places = {marker: f"${n}" for n, (marker, _) in enumerate(self.markers, start=1)}
            found = set()

            def placed(param):
                for marker, place in places.items():
                    if type(param) is type(marker) and param == marker:
                        found.add(marker)
                        return AsIs(place)
                return param

            body = cursor.mogrify(sql, [placed(param) for param in params]).decode()
            if len(found) != len(places):
                raise ImproperlyConfigured(f"{self.name}: a marker is not among the query's parameters.")
            types = ", ".join(kind for _, kind in self.markers)
            self._statement = f"PREPARE {self.name} ({types}) AS {body}"
        return self._statement


def _forget_prepared(sender, connection, **kwargs):
    """A new connection to the database holds no prepared statement yet."""
    connection.__dict__.pop("portal_prepared", None)


connection_created.connect(_forget_prepared, dispatch_uid="portal-state-prepared")

PERSONAL = PreparedQuery(
    "portal_state_personal", _personal_rows, [(_PK_MARKER, "bigint"), (_NOW_MARKER, "timestamptz")]
)


def _personal(user, now):
    """The person's roles, stars and agenda marks, whether a reminder is showing, and the ids
    of their open chat sanctions: one query (a request of every page view; four owners' rows
    in one UNION ALL), prepared."""
    stars, agenda, notice, sanctions = [], [], False, []
    if not user.is_authenticated:
        return stars, agenda, notice, sanctions
    rows = PERSONAL.rows(user.pk, now)
    roles = {"registered": False, "moderator": False}
    for kind, first, second in rows:
        if kind == "roles":
            roles = {"registered": first, "moderator": second}
        elif kind == "star":
            stars.append(first)
        elif kind == "sanction":
            sanctions.append(int(first))
        else:
            agenda.append(f"{first}|{second}")
            notice = notice or kind == "agenda+notice"
    user.set_roles(**roles)
    return sorted(stars), sorted(agenda), notice, sanctions


def _user(user):
    if not user.is_authenticated:
        return {"authenticated": False}
    return {
        "authenticated": True,
        "id": user.pk,
        "name": user.name,
        "registered": user.is_registered,
        "moderator": user.is_moderator,
        "organiser": user.is_staff,
    }


@require_GET
def state_json(request):
    try:
        call_keys, room_keys = _keys(request, "calls"), _keys(request, "rooms", limit=20)
        user, now = request.user, timezone.now()
        stars, agenda, notice, sanctions = _personal(user, now)  # the roles, before the call links ask for one
        calls = calls_for(user, call_keys, now, refuse_unread=True)
        parts = {}
        for part in state_parts():
            keys = _keys(request, part.name, part.limit)
            parts[part.name] = part.build(request, keys) if keys else {}
    except BadKeys as problem:
        return JsonResponse({"detail": str(problem)}, status=400)
    state = {
        "user": _user(user),
        "csrf": get_token(request),
        "zone": request.viewer_zone_name,
        "stars": stars,
        "agenda": agenda,
        "calls": calls,
        "rooms": rooms_for(user, room_keys, sanctions),
        "messages": [{"level": m.level_tag, "text": str(m)} for m in messages.get_messages(request)],
        "reminders_html": notices_html(request) if notice else "",
    }
    state.update(parts)
    response = JsonResponse(state)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def call_link(request, key):
    """Without JavaScript, a public page's "Join" goes here: to the link if this visitor
    may see it now, else back to the page with the reason."""
    try:
        found = calls_for(request.user, [key], timezone.now())
    except BadKeys as problem:
        raise Http404(str(problem)) from None
    if key not in found:
        raise Http404("There is no such video call.")
    call = found[key]
    if call["url"]:
        response = HttpResponseRedirect(call["url"])
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    reason = call["reason"] or {
        "not_yet": "The video-call link is not open yet.",
        "ended": "This session has ended.",
        "no_link": "The organisers have not set a video-call link for this session.",
    }.get(call["state"], "")
    return render(request, "portal/call_link.html", {"reason": reason}, status=403)
