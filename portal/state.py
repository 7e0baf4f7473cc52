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

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from chat.models import Room
from chat.rooms import may_enter, unopened_room
from chat.services.errors import ChatError
from chat.services.messages import check_can_post, sanction_rows, sanctions_with_ids
from portal.models import User
from portal.prepared import PK_MARKER, PreparedQuery
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


# The instant the personal query is compiled with (portal.prepared): only ever a marker.
_NOW_MARKER = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)

PERSONAL = PreparedQuery("portal_state_personal", _personal_rows, [(PK_MARKER, "bigint"), (_NOW_MARKER, "timestamptz")])


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
