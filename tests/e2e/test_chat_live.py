"""Two people in a paper's room, a moderator, and a dropped connection, in real browsers."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from portal.models import MODERATORS_GROUP
from schedule.subjects import Subject
from tests.chat.factories import AttendeeFactory
from tests.e2e.conftest import assert_no_serious_axe_violations, save_artifacts
from tests.subjects import subject_kind

ROOM = "paper:E2E1"


def _paper(uids):
    return [
        Subject(ROOM, "Learning to chat, live", author_emails=frozenset({"author@example.org"}))
        for uid in uids
        if uid == "E2E1"
    ]


@pytest.fixture
def paper_room():
    with subject_kind(
        "paper", _paper, is_author=lambda uid, user: uid == "E2E1" and user.email == "author@example.org"
    ):
        yield ROOM


def logged_in(new_page, user, live_server_url, **options):
    client = Client()
    client.force_login(user)
    page = new_page(**options)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}]
    )
    return page


def open_room(page, key=ROOM):
    page.goto(f"/rooms/{key}/")
    expect(page.locator("[data-status]")).to_have_text("Live")
    return page.locator(f'[data-chat-room="{key}"]')


def message_ids(page):
    return [
        int(i) for i in page.locator("[data-messages] li[data-id]").evaluate_all("els => els.map(e => e.dataset.id)")
    ]


def test_a_posts_b_sees_it_b_reports_a_moderator_hides_it_everywhere(new_page, live_server_url, paper_room):
    ada = AttendeeFactory(display_name="Ada")
    bob = AttendeeFactory(display_name="Bob")
    mod = AttendeeFactory(display_name="Mia Moderator")
    mod.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])

    a = logged_in(new_page, ada, live_server_url, timezone_id="Asia/Tokyo")
    b = logged_in(new_page, bob, live_server_url)
    room_a, room_b = open_room(a), open_room(b)
    expect(room_a.locator("[data-present]")).to_have_text("2", timeout=5000)

    room_a.get_by_label("Your message").fill("Is the **code** out? <script>alert(1)</script>")
    room_a.get_by_role("button", name="Send").click()
    seen_by_b = room_b.locator("li.chat-message", has_text="Is the code out?")
    expect(seen_by_b).to_be_visible()
    expect(seen_by_b.locator("strong")).to_have_text("code")
    expect(seen_by_b).to_contain_text("<script>alert(1)</script>")  # shown as text, not run
    expect(room_a.locator("li[data-pending]")).to_have_count(0)  # acknowledged
    assert_no_serious_axe_violations(a, "[data-chat-room]")
    save_artifacts(b, "chat-b-sees-a")

    seen_by_b.get_by_role("button", name=re.compile("^Report")).click()
    seen_by_b.get_by_label("Why are you reporting this?").select_option("spam")
    seen_by_b.get_by_role("button", name="Send report").click()
    expect(room_b.locator("[data-notice]")).to_have_text("Thank you: the moderators will look at it.")

    m = logged_in(new_page, mod, live_server_url)
    m.goto("/moderation/")
    report = m.locator("article.chat-report", has_text="Is the code out?")
    expect(report).to_contain_text("Spam or advertising")
    save_artifacts(m, "chat-moderation-queue")
    report.get_by_role("button", name="Hide message").click()
    expect(m.locator(".messages")).to_contain_text("The message is hidden from everyone.")

    expect(room_a.locator("li.chat-message", has_text="Is the code out?")).to_have_count(0)
    expect(room_b.locator("li.chat-message", has_text="Is the code out?")).to_have_count(0)
    b.reload()
    expect(b.locator("li.chat-message", has_text="Is the code out?")).to_have_count(0)


# The test takes the browser offline: Chromium logs each refused reconnection.
@pytest.mark.console_errors(r"WebSocket connection to '.*/ws/rooms/.*' failed: .*ERR_INTERNET_DISCONNECTED")
def test_a_dropped_connection_catches_up_and_a_reload_shows_every_message_once(
    new_page, live_server_url, paper_room, settings
):
    settings.CHAT_RATE_LIMIT_MESSAGES = 1000
    ada, bob = AttendeeFactory(display_name="Ada"), AttendeeFactory(display_name="Bob")
    a = logged_in(new_page, ada, live_server_url)
    b = logged_in(new_page, bob, live_server_url)
    room_a, room_b = open_room(a), open_room(b)
    room_b.get_by_label("Your message").fill("before the drop")
    room_b.get_by_role("button", name="Send").click()
    expect(room_a.locator("li.chat-message", has_text="before the drop")).to_be_visible()

    # A's connection drops, then its network goes away; B goes on talking: more than one
    # room.state window of 50. The socket is closed while still online: closed offline,
    # Chromium could wait more than 10 s for the closing handshake before telling the page
    # (CI, 2026-12-07). Its next try is put 8-16 s off (the back-off of a sixth attempt),
    # so it cannot come back before the network is gone; going online again reconnects at
    # once (chat.js listens for "online"). Every status the page shows is recorded.
    a.evaluate(
        """() => {
            const status = document.querySelector('[data-chat-room] [data-status]');
            window.chatStatuses = [];
            new MutationObserver(() => window.chatStatuses.push(status.textContent))
                .observe(status, {childList: true, characterData: true, subtree: true});
            const room = document.querySelector('[data-chat-room]').chatRoom;
            room.attempt = 5;
            room.socket.close();
        }"""
    )
    a.wait_for_function("() => window.chatStatuses.some((text) => text.includes('Reconnecting'))")
    a.context.set_offline(True)
    save_artifacts(a, "chat-a-reconnecting")
    # B posts over the HTTP API (the client's fallback when its socket is down), one by one.
    statuses = b.evaluate(
        """async ([api, csrf]) => {
            const statuses = [];
            for (let i = 1; i <= 60; i++) {
                const r = await fetch(api, {method: "POST", credentials: "same-origin",
                    headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                    body: JSON.stringify({body: "missed " + i, client_id: "missed-" + i})});
                statuses.push(r.status);
            }
            return statuses;
        }""",
        [f"/api/v1/rooms/{ROOM}/messages/", room_b.get_attribute("data-csrf")],
    )
    assert statuses == [201] * 60
    expect(room_b.locator("li[data-id]")).to_have_count(61)

    a.context.set_offline(False)
    expect(room_a.locator("[data-status]")).to_have_text("Live", timeout=40_000)
    expect(room_a.locator("li[data-id]")).to_have_count(61, timeout=10_000)
    ids = message_ids(a)
    assert ids == sorted(set(ids)) and len(ids) == 61
    texts = room_a.locator("li[data-id] .chat-body").all_inner_texts()
    assert texts == ["before the drop", *[f"missed {i}" for i in range(1, 61)]]

    a.reload()
    room_a = a.locator(f'[data-chat-room="{ROOM}"]')
    expect(room_a.locator("[data-status]")).to_have_text("Live")
    # A reload shows the latest 50, each once, in order; older ones page in on request.
    assert message_ids(a) == ids[-50:]
    room_a.get_by_role("button", name="Show older messages").click()
    expect(room_a.locator("li[data-id]")).to_have_count(61)
    assert message_ids(a) == ids


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", ["Wed 14:25 UTC", "Mon 02:05 UTC"]),
        ("Asia/Tokyo", ["Wed 23:25 JST", "Mon 11:05 JST"]),
        # Summer and winter: the abbreviation of each message's own instant.
        ("America/New_York", ["Wed 10:25 EDT", "Sun 21:05 EST"]),
        ("Asia/Kolkata", ["Wed 19:55 IST", "Mon 07:35 IST"]),
    ],
)
def test_chat_times_read_as_the_page_renders_them(new_page, live_server_url, paper_room, zone, expected):
    from datetime import UTC, datetime

    from tests.chat.factories import MessageFactory, RoomFactory

    room = RoomFactory(key=ROOM, kind="paper", title="Learning to chat, live")
    summer = datetime(2025, 7, 16, 14, 25, tzinfo=UTC)  # a Wednesday
    winter = datetime(2025, 12, 8, 2, 5, tzinfo=UTC)  # a Monday
    MessageFactory(room=room, body="Summer message", created_at=summer)
    MessageFactory(room=room, body="Winter message", created_at=winter)

    def times(page):
        return page.locator("[data-messages] .chat-time").all_inner_texts()

    # Server-rendered (no JavaScript), then re-rendered by chat.js from the socket's state,
    # in a browser whose locale would say "02:25 PM".
    plain = new_page(java_script_enabled=False, locale="en-US")
    plain.context.add_cookies([{"name": "tz", "value": zone, "url": live_server_url}])
    plain.goto(f"/rooms/{ROOM}/")
    assert times(plain) == expected
    live = new_page(locale="en-US", timezone_id="America/Los_Angeles")
    live.context.add_cookies([{"name": "tz", "value": zone, "url": live_server_url}])
    open_room(live)
    expect(live.locator("[data-messages] li[data-id]")).to_have_count(2)
    assert times(live) == expected
    save_artifacts(live, f"chat-times-{zone.replace('/', '-')}")
