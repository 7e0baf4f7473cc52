"""The chat's pages: Corridor, room directory, the embeddable panel, moderation, exports."""

import csv
import io
import json
import zoneinfo
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from chat.models import Message, ModerationAction, Report, Sanction
from chat.rooms import open_room
from portal.models import MODERATORS_GROUP
from tests.chat.factories import AttendeeFactory, MessageFactory, ReportFactory, RoomFactory
from tests.factories import UserFactory
from tests.subjects import subject_kind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def conference():
    from portal.models import Conference

    return Conference.get()


@pytest.fixture
def corridor():
    return open_room("corridor")


@pytest.fixture
def moderator():
    user = AttendeeFactory(display_name="Mia")
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


def test_the_corridor_renders_its_messages_for_anyone(client, corridor):
    MessageFactory(room=corridor, body="Hello <b>corridor</b>")
    response = client.get("/corridor/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-chat-room="corridor"' in html
    assert "<p>Hello &lt;b&gt;corridor&lt;/b&gt;</p>" in html
    assert "Log in</a> to take part" in html
    assert "/static/js/chat.js" in html


def test_the_nav_finds_the_corridor_by_name():
    from django.urls import reverse

    assert reverse("chat:corridor") == "/corridor/"


@pytest.mark.parametrize(
    ("make_user", "expected"),
    [
        (lambda: AttendeeFactory(), (True, "")),
        (lambda: UserFactory(), (False, "Only registered attendees can post. You can still read along.")),
        (lambda: UserFactory(registered=True), (False, "Accept the code of conduct before your first post.")),
    ],
)
def test_the_panel_tells_each_visitor_what_they_can_do(client, corridor, make_user, expected):
    """The panel is everyone's; what this visitor may do comes with their state."""
    client.force_login(make_user())
    me = client.get("/me/state.json?rooms=corridor").json()["rooms"]["corridor"]
    assert (me["can_post"], me["detail"]) == expected


def test_the_state_says_where_a_sanctioned_attendee_may_not_post(client, corridor, moderator):
    """The sanctions come with the person's other rows (portal.state's one query), so each is
    checked here: in one room, everywhere, a ban; lifted or over, none."""
    other = RoomFactory()
    user = AttendeeFactory()
    client.force_login(user)

    def reasons():
        rooms = client.get(f"/me/state.json?rooms=corridor,{other.key}").json()["rooms"]
        return rooms["corridor"]["reason"], rooms[other.key]["reason"]

    now = timezone.now()
    assert reasons() == ("", "")
    in_corridor = Sanction.objects.create(user=user, kind="mute", room=corridor, until=now + timedelta(minutes=5))
    assert reasons() == ("muted", "")
    Sanction.objects.create(user=user, kind="mute", until=now - timedelta(minutes=1))  # over
    Sanction.objects.create(user=user, kind="ban", lifted_at=now, lifted_by=moderator)  # lifted
    assert reasons() == ("muted", "")
    everywhere = Sanction.objects.create(user=user, kind="mute", until=now + timedelta(hours=1))
    assert reasons() == ("muted", "muted")
    ban = Sanction.objects.create(user=user, kind="ban")
    assert reasons() == ("banned", "banned")
    Sanction.objects.filter(pk__in=[in_corridor.pk, everywhere.pk, ban.pk]).update(lifted_at=now)
    assert reasons() == ("", "")


def test_accepting_the_code_of_conduct(client, corridor):
    user = UserFactory(registered=True)
    client.force_login(user)
    response = client.post("/chat/code-of-conduct/accept/", {"next": "/corridor/"})
    assert (response.status_code, response["Location"]) == (302, "/corridor/")
    user.refresh_from_db()
    assert user.code_of_conduct_accepted_at is not None
    assert client.get("/me/state.json?rooms=corridor").json()["rooms"]["corridor"]["can_post"] is True
    assert client.post("/chat/code-of-conduct/accept/", {"next": "https://evil.example/"})["Location"] == "/"


def test_unknown_rooms_are_404(client):
    assert client.get("/rooms/paper:nope/").status_code == 404
    assert client.get("/rooms/no%20such/").status_code == 404


def test_the_panel_shows_each_viewer_their_own_zone(corridor):
    """The panel is rendered in the zone of the `tz` cookie (nginx keys its cache on it)."""
    from datetime import UTC, datetime

    from django.test import Client

    MessageFactory(room=corridor, body="Morning", created_at=datetime(2020, 4, 27, 5, 30, tzinfo=UTC))
    tokyo, pacific = Client(), Client()
    tokyo.cookies["tz"], pacific.cookies["tz"] = "Asia/Tokyo", "America/Los_Angeles"
    html_tokyo = tokyo.get("/corridor/").content.decode()
    html_pacific = pacific.get("/corridor/").content.decode()
    assert "Mon 14:30" in html_tokyo and "Sun 22:30" in html_pacific
    assert 'data-zone="America/Los_Angeles"' in html_pacific and 'data-zone="Asia/Tokyo"' in html_tokyo
    assert "[[hole:" not in html_tokyo + html_pacific


def test_the_widget_is_embeddable_by_key(rf, corridor):
    """How the paper page embeds its room: {% include "chat/_room.html" with room_key=... %}."""
    request = RequestFactory().get("/papers/x/")
    request.user = AttendeeFactory()
    request.viewer_zone_name, request.viewer_zone = "Asia/Tokyo", zoneinfo.ZoneInfo("Asia/Tokyo")
    html = Template('{% include "chat/_room.html" with room_key="corridor" %}').render(
        Context({"request": request, "csrf_token": "t"})
    )
    assert 'data-chat-room="corridor"' in html
    assert 'data-zone="Asia/Tokyo"' in html
    missing = Template('{% include "chat/_room.html" with room_key="paper:none" %}').render(
        Context({"request": request})
    )
    assert "There is no chat room for this." in missing


def test_room_list_is_searchable_and_shows_presence(client):
    from django.core.cache import cache

    room = RoomFactory(key="booth:acme", title="Acme Robotics", last_message_at=timezone.now())
    RoomFactory(key="booth:other", title="Other booth")
    from chat.services import presence

    cache.set(presence.cache_key(room.key), 7)
    html = client.get("/rooms/?q=acme").content.decode()
    assert "Acme Robotics" in html and "Other booth" not in html
    assert "<td>7</td>" in html
    partial = client.get("/rooms/?q=acme", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "Acme Robotics" in partial


def test_room_list_claims_rooms_only_for_the_kinds_that_exist(client):
    # The kinds registered now: papers (posters), keynotes, booths.
    html = client.get("/rooms/").content.decode()
    assert "Every paper, keynote and booth has a room, opened by its first visitor; the " in html
    with subject_kind("tutorial", lambda slugs: []):
        html = client.get("/rooms/").content.decode()
    assert "Every paper, keynote, booth and tutorial has a room, opened by its first visitor; the " in html


@pytest.mark.parametrize("n", [1, 50])
def test_room_list_query_count(client, django_assert_num_queries, n):
    for i in range(n):
        RoomFactory(key=f"paper:Q{i}", kind="paper", title=f"Paper {i}")
    # count, page of rooms, kinds for the filter, conference (context processor).
    with django_assert_num_queries(4):
        assert client.get("/rooms/").status_code == 200
    # the conference is now this process's (portal.models.Conference.get)
    with django_assert_num_queries(3):
        assert client.get("/rooms/?sort=busy").status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_corridor_query_count(client, corridor, django_assert_num_queries, n):
    user = AttendeeFactory()
    parent = MessageFactory(room=corridor)
    MessageFactory.create_batch(n, room=corridor, reply_to=parent)
    client.force_login(user)
    # room (view) + room (panel), messages, engagement... the user is never read: the
    # page is everyone's (conference: this process's).
    with django_assert_num_queries(4):
        assert client.get("/corridor/").status_code == 200


def test_moderation_queue_is_for_moderators(client, moderator):
    assert client.get("/moderation/").status_code == 302
    client.force_login(AttendeeFactory())
    assert client.get("/moderation/").status_code == 403
    report = ReportFactory(detail="selling things")
    client.force_login(moderator)
    html = client.get("/moderation/").content.decode()
    assert "selling things" in html and report.message.body in html


def test_a_moderator_hides_from_the_queue_and_it_is_broadcast_and_audited(
    client, moderator, captured, django_capture_on_commit_callbacks
):
    report = ReportFactory()
    message = report.message
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/moderation/messages/{message.pk}/hide/", {"reason": "spam"})
    assert response.status_code == 302
    message.refresh_from_db()
    report.refresh_from_db()
    assert (message.hidden_by, message.hidden_reason, report.resolution) == (moderator, "spam", "hidden")
    assert captured == [{"group": message.room.group_name, "frame": {"type": "message.hidden", "id": message.pk}}]
    action = ModerationAction.objects.get()
    assert (action.moderator, action.action, action.message, action.reason) == (moderator, "hide", message, "spam")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/moderation/messages/{message.pk}/unhide/")
    message.refresh_from_db()
    assert message.hidden_at is None
    assert captured[-1]["frame"]["type"] == "message.new"
    assert list(ModerationAction.objects.order_by("id").values_list("action", flat=True)) == ["hide", "unhide"]


def test_dismissing_reports_keeps_the_message(client, moderator):
    report = ReportFactory()
    client.force_login(moderator)
    client.post(f"/moderation/messages/{report.message.pk}/dismiss/")
    report.refresh_from_db()
    assert report.resolution == "dismissed"
    assert Message.objects.get().hidden_at is None
    assert ModerationAction.objects.get().action == "dismiss"


def test_mute_in_a_room_everywhere_ban_and_lift(client, moderator, corridor):
    target = AttendeeFactory()
    client.force_login(moderator)
    client.post(f"/moderation/users/{target.pk}/mute/", {"minutes": "15", "room": "corridor", "reason": "heated"})
    client.post(f"/moderation/users/{target.pk}/mute/", {"minutes": "60", "room": ""})
    client.post(f"/moderation/users/{target.pk}/ban/", {"reason": "abuse"})
    sanctions = list(Sanction.objects.order_by("id"))
    assert [(s.kind, s.room_id, s.until is not None) for s in sanctions] == [
        ("mute", corridor.pk, True),
        ("mute", None, True),
        ("ban", None, False),
    ]
    assert timedelta(minutes=14) < sanctions[0].until - timezone.now() <= timedelta(minutes=15)
    client.post(f"/moderation/sanctions/{sanctions[2].pk}/lift/")
    sanctions[2].refresh_from_db()
    assert sanctions[2].lifted_by == moderator
    assert list(ModerationAction.objects.order_by("id").values_list("action", flat=True)) == [
        "mute",
        "mute",
        "ban",
        "lift",
    ]
    # Bad durations are refused with a message, not stored.
    response = client.post(f"/moderation/users/{target.pk}/mute/", {"minutes": "999999"}, follow=True)
    assert "A mute lasts from 1 minute to 30 days" in response.content.decode()
    assert Sanction.objects.count() == 3


def test_non_moderators_cannot_moderate(client):
    message = MessageFactory()
    client.force_login(AttendeeFactory())
    assert client.post(f"/moderation/messages/{message.pk}/hide/").status_code == 403
    message.refresh_from_db()
    assert message.hidden_at is None


def test_organisers_export_a_room(client, corridor):
    MessageFactory(room=corridor, body="=HYPERLINK(evil)")
    MessageFactory(room=corridor, body="kept", hidden_at=timezone.now())
    client.force_login(AttendeeFactory())
    assert client.get("/rooms/corridor/export.csv").status_code == 403
    organiser = UserFactory(is_staff=True)
    client.force_login(organiser)
    response = client.get("/rooms/corridor/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="chat-corridor.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["body"], r["status"]) for r in rows] == [("'=HYPERLINK(evil)", "visible"), ("kept", "hidden")]
    data = json.loads(client.get("/rooms/corridor/export.json").content)
    assert [m["body"] for m in data["messages"]] == ["=HYPERLINK(evil)", "kept"]
    assert list(ModerationAction.objects.values_list("action", flat=True)) == ["export", "export"]


def test_my_mentions_page(client, corridor):
    from chat.services import post_message

    ada = AttendeeFactory(display_name="Ada Lovelace")
    bob = AttendeeFactory()
    post_message(room=corridor, author=bob, body="thanks @ada lovelace!", client_id="m1")
    client.force_login(ada)
    html = client.get("/me/mentions/").content.decode()
    assert '<span class="mention">@ada lovelace</span>' in html
    assert 'class="unseen"' in html
    assert 'class="unseen"' not in client.get("/me/mentions/").content.decode()


def test_report_factory_reasons_are_the_documented_ones():
    assert Report.Reason.values == ["harassment", "spam", "off_topic", "conduct", "other"]
