"""A room's panel, cached: its shared HTML once per room and heading, for every zone; the
visitor's own bits and local times filled in per request.

The shared part (heading, the latest messages, the engagement line) is kept for
PANEL_SECONDS under the room's version (chat/services/room_version.py), so a new, edited,
deleted or hidden message shows at once. It is rendered for every zone (portal.page_cache's
zone-free rendering): message times and the zone are holes. A room with no messages yet
costs no history or engagement query. Per visitor, filled by string substitution (no
template render): the presence number (read from the cache, chat/services/presence.py;
fetched with the page when the page prefetches `cache_keys`),
the data-me / data-moderator / data-can-post attributes, the composer or the reason they
cannot post, and the CSRF token.

Pages cached whole by portal.page_cache hold the panel as the hole "chat-room".
"""

import base64
import hashlib
import json

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from chat import history, rooms
from chat.services import check_can_post, presence
from chat.services.errors import ChatError
from chat.services.messages import edit_window
from chat.services.room_version import version_key
from portal import page_cache, user_cache

# The panel's shared HTML changes only with the room's version (and the presence number
# is a hole): it lives as long as the pages that embed it.
PANEL_SECONDS = page_cache.LONG_PAGE_SECONDS
HOLE = "chat-room"
PRESENCE_HOLE = "chat-presence"


def viewer(user, room):
    me = {"id": None, "can_post": False, "reason": "login", "detail": "", "moderator": False}
    if user is not None and user.is_authenticated:
        me.update(id=user.pk, moderator=user.is_moderator, can_post=True, reason="")
        try:
            # What the panel offers, from the user's cached entry when there is one (the
            # services check the database again when they post).
            sanctions = user_cache.fact(user, "chat-sanctions") if user_cache.has_facts(user) else None
            check_can_post(user, room, sanctions=sanctions)
        except ChatError as refusal:
            me.update(can_post=False, reason=refusal.reason, detail=refusal.detail)
    return me


def me_attributes(me):
    return format_html(
        'data-me="{}" data-moderator="{}" data-can-post="{}"',
        "" if me["id"] is None else me["id"],
        "1" if me["moderator"] else "0",
        "1" if me["can_post"] else "0",
    )


def me_form(me, room, request):
    """The composer, or why this visitor cannot post (with the way to change that)."""
    if me["can_post"]:
        return format_html(
            '<form class="chat-composer" data-composer>\n'
            '    <p class="chat-replying" data-replying hidden>Replying to <span data-replying-name></span> '
            '<button type="button" class="chat-link" data-cancel-reply>cancel</button></p>\n'
            '    <label for="chat-input-{0}" class="visually-hidden">Your message</label>\n'
            '    <textarea id="chat-input-{0}" name="body" rows="2" maxlength="2000" required\n'
            '              placeholder="Write a message (Markdown: **bold**, *italic*, `code`, links;'
            ' @name to mention)" data-input></textarea>\n'
            '    <div class="chat-compose-bar">\n'
            '      <small data-counter aria-live="off">0 / 2000</small>\n'
            '      <button type="submit" data-send>Send</button>\n'
            "    </div>\n"
            "  </form>",
            room.pk,
        )
    path = request.get_full_path() if request is not None else "/"
    if me["reason"] == "login":
        return format_html(
            '<p class="chat-cannot"><a href="{}?{}">Log in</a> to take part; anyone can read along.</p>',
            page_cache.fixed_url("account_login"),
            urlencode({"next": path}),
        )
    if me["reason"] == "code_of_conduct":
        return format_html(
            '<form class="chat-cannot chat-coc" method="post" action="{}">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
            '    <input type="hidden" name="next" value="{}">\n'
            '    <p>Before your first post, please read and accept the <a href="{}">code of conduct</a>.</p>\n'
            '    <button type="submit" class="small">I accept the code of conduct</button>\n'
            "  </form>",
            page_cache.fixed_url("chat:accept_code_of_conduct"),
            page_cache.csrf_placeholder(),  # the page's one token (filled with the page's holes)
            path,
            page_cache.fixed_url("code_of_conduct"),
        )
    return format_html('<p class="chat-cannot">{}</p>', me["detail"])


def hole_arg(key, heading, full_page):
    raw = json.dumps([key, heading or "", bool(full_page)]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _marks(key):
    return page_cache.placeholder("chat-me", key), page_cache.placeholder("chat-form", key)


def cache_keys(key, heading=None, full_page=False):
    """The cache keys a panel is read from (its shared HTML, the room's version, the
    presence count): a page that embeds it may prefetch them (portal.page_cache's `prefetch`)."""
    digest = hashlib.sha1(
        "\x1f".join([key, heading or "", str(bool(full_page))]).encode(), usedforsecurity=False
    ).hexdigest()
    return f"chat:panel:{digest}", version_key(key), presence.cache_key(key)


def shared(key, heading, full_page, request=None):
    """(html, room): the panel as everyone sees it, with marks for the per-visitor bits
    and holes for local times; (None, None) when there is no such room."""
    cache_key, *_ = keys = cache_keys(key, heading, full_page)
    found = page_cache.get_many(request, keys[:2])
    version = found.get(version_key(key))
    entry = found.get(cache_key)
    if entry is not None and version is not None and entry["version"] == version:
        return entry["html"], entry["room"]
    room = rooms.find_room(key)
    if room is None:
        return None, None
    if version is None:
        version = page_cache.current_versions([version_key(room.key)])[0]
    quiet = room.message_count == 0  # nothing was ever posted: nothing to read
    messages = [] if quiet else history.latest(room, history.PAGE_SIZE)
    engagement = None
    if rooms.has_authors(room):
        engagement = {"questions": 0, "answered": 0} if quiet else history.engagement(room)
    me_mark, form_mark = _marks(key)
    with page_cache.zone_free_rendering(restore=timezone.get_current_timezone()):
        html = render_to_string(
            "chat/_room_panel.html",
            {
                "room": room,
                "key": room.key,
                "heading": heading or room.title,
                "full_page": full_page,
                "messages": messages,
                "has_older": len(messages) == history.PAGE_SIZE,
                "me_attributes": me_mark,
                "me_form": form_mark,
                "present": mark_safe(page_cache.placeholder(PRESENCE_HOLE, presence.token(room.key))),
                "engagement": engagement,
                "csrf_token": page_cache.csrf_placeholder(),
                "viewer_zone_name": page_cache.zone_placeholder("name"),
                "edit_window": int(edit_window().total_seconds()),
            },
        )
    cache.set(cache_key, {"html": html, "room": room, "version": version}, PANEL_SECONDS)
    return html, room


def panel(request, key, heading=None, full_page=False):
    """The panel for this visitor (with the CSRF placeholder: whoever shows it fills it, as
    portal.page_cache does)."""
    html, room = shared(key, heading, full_page, request)
    if html is None:
        return '<p class="chat-unavailable">There is no chat room for this.</p>'
    me = viewer(getattr(request, "user", None), room)
    me_mark, form_mark = _marks(key)
    html = html.replace(me_mark, str(me_attributes(me))).replace(form_mark, str(me_form(me, room, request)))
    return page_cache.fill_holes(request, html)


def fill_presence(request, arg):
    """portal.page_cache filler for the hole "chat-presence" (arg: the room's presence
    token): how many are in the room now, read with the page when it prefetched the panel."""
    if not presence.is_token(arg):
        return "0"
    key = presence.token_cache_key(arg)
    try:
        found = page_cache.get_many(request, [key])
    except Exception:  # noqa: BLE001  (the count is unknown with the cache down; the page is not)
        found = {}
    return str(int(found.get(key) or 0))


def fill(request, arg):
    """portal.page_cache filler for the hole "chat-room"."""
    try:
        # (Pages cached before the panel was zone-free also carry a zone name: ignored.)
        key, heading, full_page, *_ = json.loads(base64.urlsafe_b64decode(arg.encode()))
    except (ValueError, TypeError):
        return ""
    return panel(request, key, heading or None, full_page)
