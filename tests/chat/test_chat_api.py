"""The history API (/api/v1/rooms/<key>/messages/), posting over HTTP, reports, the room list."""

import pytest
from django.utils import timezone

from chat.models import Message, Report
from chat.rooms import open_room
from tests.chat.factories import AttendeeFactory, MessageFactory, RoomFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/rooms/corridor/messages/"


@pytest.fixture
def corridor():
    return open_room("corridor")


def ids(response):
    return [m["id"] for m in response.json()["results"]]


def test_history_pages_by_id_in_both_directions(client, corridor):
    messages = [MessageFactory(room=corridor) for _ in range(120)]
    all_ids = [m.pk for m in messages]
    Message.objects.filter(pk=all_ids[10]).update(hidden_at=timezone.now())
    visible = [i for i in all_ids if i != all_ids[10]]

    latest = client.get(URL)
    assert ids(latest) == visible[-50:]
    assert latest.json()["next"] == f"http://testserver{URL}?before={visible[-50]}"

    older = client.get(latest.json()["next"])
    assert ids(older) == visible[-100:-50]
    oldest = client.get(older.json()["next"])
    assert (ids(oldest), oldest.json()["next"]) == (visible[:-100], None)

    after = client.get(f"{URL}?after={all_ids[5]}")
    assert ids(after) == visible[6:56]
    assert after.json()["next"] == f"http://testserver{URL}?after={visible[55]}"
    caught_up = []
    page = after.json()
    while True:
        caught_up += [m["id"] for m in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert caught_up == visible[6:]
    assert ids(client.get(f"{URL}?after={all_ids[-1]}")) == []


def test_history_message_shape(client, corridor):
    author = AttendeeFactory(display_name="Ada")
    message = MessageFactory(room=corridor, author=author, body="hi `x`", badge="moderator")
    assert client.get(URL).json() == {
        "results": [
            {
                "id": message.pk,
                "room": "corridor",
                "author": {"id": author.pk, "name": "Ada", "badge": "moderator"},
                "html": "<p>hi <code>x</code></p>",
                "created_at": message.created_at.isoformat().replace("+00:00", "Z"),
                "reply_to": None,
                "reply": None,
                "edited_at": None,
            }
        ],
        "next": None,
    }


@pytest.mark.parametrize("query", ["?after=abc", "?before=-1", "?after=1.5"])
def test_bad_cursors_are_a_400(client, corridor, query):
    response = client.get(URL + query)
    assert response.status_code == 400


def test_unknown_rooms_are_a_404(client):
    assert client.get("/api/v1/rooms/paper:nope/messages/").status_code == 404
    assert client.get("/api/v1/rooms/nope/messages/").status_code == 404


def test_private_conference_hides_history_from_anonymous_visitors(client, corridor, settings):
    settings.PORTAL_PUBLIC_BROWSING = False
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("n", [1, 50])
def test_history_query_count_does_not_grow(client, corridor, django_assert_num_queries, n):
    parent = MessageFactory(room=corridor)
    for _ in range(n):
        MessageFactory(room=corridor, reply_to=parent)
    # The room (find_room), then one page of messages with authors and replied-to messages.
    with django_assert_num_queries(2):
        assert client.get(URL).status_code == 200


def test_posting_over_http_stores_acks_and_broadcasts(client, corridor, captured, django_capture_on_commit_callbacks):
    user = AttendeeFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"body": "over http", "client_id": "h1"}, content_type="application/json")
    message = Message.objects.get()
    assert (response.status_code, response.json()) == (
        201,
        {"type": "message.ack", "action": "post", "client_id": "h1", "id": message.pk},
    )
    assert [(e["group"], e["frame"]["type"], e["frame"]["message"]["id"]) for e in captured] == [
        (f"chat.room.{corridor.pk}", "message.new", message.pk)
    ]
    # The same client_id again (a retry after a lost answer) is the same message.
    again = client.post(URL, {"body": "over http", "client_id": "h1"}, content_type="application/json")
    assert (again.status_code, again.json()["id"], Message.objects.count()) == (201, message.pk, 1)


def test_posting_over_http_refusals(client, corridor, settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 1
    anonymous = client.post(URL, {"body": "x", "client_id": "a"}, content_type="application/json")
    assert anonymous.status_code == 403
    client.force_login(UserFactory())
    unregistered = client.post(URL, {"body": "x", "client_id": "a"}, content_type="application/json")
    assert (unregistered.status_code, unregistered.json()["reason"]) == (403, "not_registered")
    client.force_login(AttendeeFactory())
    assert client.post(URL, {"body": "one", "client_id": "b1"}, content_type="application/json").status_code == 201
    limited = client.post(URL, {"body": "two", "client_id": "b2"}, content_type="application/json")
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert 1 <= int(limited["Retry-After"]) <= 10
    empty = client.post(URL, {"body": " ", "client_id": "b3"}, content_type="application/json")
    assert (empty.status_code, empty.json()["code"]) == (400, "invalid")


def test_reporting_over_http(client, corridor):
    message = MessageFactory(room=corridor)
    url = f"/api/v1/messages/{message.pk}/report/"
    assert client.post(url, {"reason": "spam"}, content_type="application/json").status_code == 403
    reporter = UserFactory()
    client.force_login(reporter)
    response = client.post(url, {"reason": "spam", "detail": "ads"}, content_type="application/json")
    assert (response.status_code, response.json()) == (
        201,
        {"type": "message.ack", "action": "report", "id": message.pk},
    )
    assert list(Report.objects.values_list("reporter_id", "reason", "detail")) == [(reporter.pk, "spam", "ads")]
    assert client.post(url, {"reason": "nonsense"}, content_type="application/json").status_code == 400
    missing = client.post("/api/v1/messages/999999/report/", {"reason": "spam"}, content_type="application/json")
    assert missing.status_code == 400


def test_room_list_api_orders_by_activity_and_searches(client):
    now = timezone.now()
    quiet = RoomFactory(key="booth:quiet", title="Quiet booth")
    busy = RoomFactory(key="booth:busy", title="Busy booth", last_message_at=now, message_count=3)
    older = RoomFactory(key="paper:X1", kind="paper", title="Graph nets", last_message_at=now.replace(year=2020))
    response = client.get("/api/v1/rooms/")
    assert [r["key"] for r in response.json()["results"]] == [busy.key, older.key, quiet.key]
    assert response.json()["results"][0] == {
        "key": "booth:busy",
        "kind": "booth",
        "title": "Busy booth",
        "present": 0,
        "messages": 3,
        "last_message_at": now.isoformat().replace("+00:00", "Z"),
        "url": "/rooms/booth:busy/",
    }
    assert [r["key"] for r in client.get("/api/v1/rooms/?q=graph").json()["results"]] == ["paper:X1"]
    assert [r["key"] for r in client.get("/api/v1/rooms/?kind=booth").json()["results"]] == [busy.key, quiet.key]
