"""The chat's verbs and helpers, called directly: rendering, rooms, engagement, retention."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template

from chat import rendering, rooms, services
from chat.engagement import unanswered_questions_for
from chat.history import engagement
from chat.models import Mention, Message, ModerationAction
from chat.services.retention import apply_retention
from portal.models import Conference
from schedule import subjects
from tests.chat.factories import AttendeeFactory, MessageFactory, RoomFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>'),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("[x](JaVaScRiPt:alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>"),
        ("![img](https://x.org/a.png)", '<p>!<a href="https://x.org/a.png" rel="nofollow noopener">img</a></p>'),
        ("# Not a heading", "<p># Not a heading</p>"),
        ("[site](https://example.org)", '<p><a href="https://example.org" rel="nofollow noopener">site</a></p>'),
        (
            "see https://example.org/a?b=1",
            '<p>see <a href="https://example.org/a?b=1" rel="nofollow noopener">https://example.org/a?b=1</a></p>',
        ),
        ("**b** *i* ~~s~~ `c`", "<p><strong>b</strong> <em>i</em> <s>s</s> <code>c</code></p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("line\nbreak", "<p>line<br>\nbreak</p>"),
        ("```\n<b>x</b>\n```", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"),
    ],
)
def test_rendering_is_a_safe_markdown_subset(body, html):
    assert rendering.render(body) == html


def test_mentions_are_marked_in_text_only():
    html = rendering.render("@Ada Lovelace see [x](https://a.org/@Ada) and `@Ada Lovelace`", ["Ada Lovelace"])
    assert html == (
        '<p><span class="mention">@Ada Lovelace</span> see '
        '<a href="https://a.org/@Ada" rel="nofollow noopener">x</a> and <code>@Ada Lovelace</code></p>'
    )
    assert rendering.mention_candidates("hi @Ada Lovelace, and a@b.org") == ["Ada Lovelace", "Ada"]


def test_mentions_resolve_to_people_by_display_name_or_email_name(captured, django_capture_on_commit_callbacks):
    room = rooms.open_room("corridor")
    ada = AttendeeFactory(display_name="Ada Lovelace")
    grace = AttendeeFactory(display_name="", email="grace@example.org")
    author = AttendeeFactory(display_name="Bob")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.post_message(
            room=room, author=author, body="@ada lovelace and @grace, not @nobody or @Bob", client_id="m"
        )
    assert set(Mention.objects.values_list("user_id", flat=True)) == {ada.pk, grace.pk}
    assert message.html.count('class="mention"') == 2
    assert sorted(e["group"] for e in captured) == sorted(
        [room.group_name, f"chat.user.{ada.pk}", f"chat.user.{grace.pk}"]
    )
    # An edit notifies only the people it newly names.
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_message(user=author, message_id=message.pk, body="@ada lovelace and @Person 0 hi")
    assert [e["frame"]["type"] for e in captured[3:]] == ["message.edited"]


def test_room_keys_and_kinds():
    assert rooms.parse_key("paper:B1xSperKvH") == ("paper", "B1xSperKvH")
    assert rooms.parse_key("corridor") == ("corridor", "")
    for bad in ["", "Paper:x", "paper:a b", "paper:<x>", "x" * 30]:
        with pytest.raises(rooms.RoomNotFound):
            rooms.parse_key(bad)
    with pytest.raises(ValueError, match="subject kind 'Bad Kind'"):
        subjects.register_subject_kind("Bad Kind", resolve=list)
    with pytest.raises(rooms.RoomNotFound):
        rooms.open_room("keynote:nobody")  # not registered here
    room = RoomFactory(key="keynote:lecun", title="LeCun keynote")
    assert rooms.open_room("keynote:lecun") == room  # stored rooms stay readable


def test_open_room_creates_each_room_once(paper_kind):
    first = rooms.open_room("paper:P1")
    assert rooms.open_room("paper:P1") == first
    assert (first.kind, first.title, rooms.url_for(first)) == (
        "paper",
        "Attention is all you need, again",
        "/papers/P1/",
    )


def test_engagement_counts_questions_answered_by_authors(paper_kind, django_capture_on_commit_callbacks):
    room = rooms.open_room("paper:P1")
    author = AttendeeFactory(email="author@example.org")
    asker = AttendeeFactory()
    q1 = services.post_message(room=room, author=asker, body="Why?", client_id="q1")
    q2 = services.post_message(room=room, author=asker, body="How?", client_id="q2")
    follow_up = services.post_message(room=room, author=asker, body="I mean, really?", client_id="f", reply_to=q1.pk)
    assert not follow_up.is_question
    answer = services.post_message(room=room, author=author, body="Because.", client_id="a", reply_to=follow_up.pk)
    assert (answer.badge, answer.is_question) == ("author", False)
    assert engagement(room) == {"questions": 2, "answered": 1}
    assert unanswered_questions_for(author) == [q2]
    html = Template("{% load chat %}{% unanswered_questions user %}").render(Context({"user": author}))
    assert "How?" in html and "Why?" not in html
    # Deleting the only author reply directly under a question re-opens it.
    direct = services.post_message(room=room, author=author, body="Like this.", client_id="a2", reply_to=q2.pk)
    assert engagement(room) == {"questions": 2, "answered": 2}
    services.delete_message(user=author, message_id=direct.pk)
    assert engagement(room) == {"questions": 2, "answered": 1}


def test_retention_deletes_corridor_messages_two_weeks_after_the_conference(settings):
    settings.CHAT_RETENTION_DAYS = {"corridor": 14, "paper": None}
    conference = Conference.get()
    conference.end_date = date(2020, 4, 30)
    conference.time_zone = "UTC"
    conference.save()
    corridor = rooms.open_room("corridor")
    paper = RoomFactory(key="paper:KEEP", kind="paper")
    MessageFactory(room=corridor, created_at=datetime(2020, 4, 27, tzinfo=UTC))
    MessageFactory(room=paper, created_at=datetime(2020, 4, 27, tzinfo=UTC))
    assert apply_retention(datetime(2020, 5, 14, 23, tzinfo=UTC)) == {}
    assert apply_retention(datetime(2020, 5, 15, 0, 1, tzinfo=UTC)) == {"corridor": 1}
    assert list(Message.objects.values_list("room__key", flat=True)) == ["paper:KEEP"]
    assert ModerationAction.objects.get().action == "retention"
    assert apply_retention(datetime(2020, 6, 1, tzinfo=UTC)) == {"corridor": 0}


def test_the_retention_task_runs_the_service():
    from chat.tasks import apply_retention_task

    # apply() runs it here, as a worker would (with Redis, delay() would need a worker).
    assert apply_retention_task.apply().get() == {"booth": 0, "corridor": 0}


def test_rate_limit_counts_across_rooms(settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 2
    author = AttendeeFactory()
    services.post_message(room=rooms.open_room("corridor"), author=author, body="a", client_id="1")
    services.post_message(room=RoomFactory(), author=author, body="b", client_id="2")
    with pytest.raises(services.RateLimited):
        services.post_message(room=rooms.open_room("corridor"), author=author, body="c", client_id="3")
    Message.objects.update(created_at=datetime.now(UTC) - timedelta(seconds=11))
    services.post_message(room=rooms.open_room("corridor"), author=author, body="c", client_id="3")
