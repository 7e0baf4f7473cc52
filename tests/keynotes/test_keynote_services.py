"""The Q&A's verbs, what they store and the events they emit (captured)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from chat.services.errors import Forbidden, Invalid, RateLimited
from keynotes import services, votecounts
from keynotes.models import Question, Vote
from schedule.recordings.models import Recording
from tests.factories import UserFactory
from tests.keynotes.factories import AFTER, BEFORE, DURING, OPEN, QA_START, RELEASE, QuestionFactory

pytestmark = pytest.mark.django_db


def public(frames, keynote="hopper"):
    return [e["frame"] for e in frames if e["group"] == f"keynote.qa.{keynote}"]


def mods(frames, keynote="hopper"):
    return [e["frame"] for e in frames if e["group"] == f"keynote.qa.{keynote}.mod"]


def test_the_keynote_has_its_recording_released_by_the_rule(keynote):
    recording = Recording.objects.get(subject_key="keynote:hopper")
    assert (recording.kind, recording.title, str(recording.release_day), recording.release_at) == (
        "keynote",
        "Compilers for everyone",
        "2020-04-27",
        RELEASE,
    )
    # Moving the live Q&A a day later moves the release.
    keynote.qa_session.start += timedelta(days=1)
    keynote.qa_session.end += timedelta(days=1)
    keynote.qa_session.save()
    recording.refresh_from_db()
    assert recording.release_at == RELEASE + timedelta(days=1)
    assert keynote.qa_session.url == "/keynotes/hopper/"


def test_a_late_utc_live_qa_has_its_talk_out_before_it_starts(keynote):
    """12:00 UTC is already the next day in Auckland; that day's 02:00 (14:00 UTC) would
    come after the Q&A: the talk is out at 02:00 Auckland the day before (issue 14's rule)."""
    qa = keynote.qa_session
    qa.start, qa.end = datetime(2020, 4, 27, 12, 0, tzinfo=UTC), datetime(2020, 4, 27, 12, 30, tzinfo=UTC)
    qa.save()
    recording = Recording.objects.get(subject_key="keynote:hopper")
    assert (str(recording.release_day), recording.release_at) == (
        "2020-04-27",
        datetime(2020, 4, 26, 14, 0, tzinfo=UTC),
    )
    assert recording.release_at <= qa.start


def test_ask_stores_and_tells_everyone(keynote, attendee, captured):
    with time_machine.travel(OPEN, tick=False):
        question = services.ask(keynote, attendee, "  Why <b>compilers</b>?  ", anonymous=False)
    assert (question.body, question.status, question.votes, question.created_at) == (
        "Why <b>compilers</b>?",
        "visible",
        0,
        OPEN,
    )
    shown = {
        "id": question.pk,
        "body": "Why <b>compilers</b>?",
        "author": "Ada",
        "anonymous": False,
        "votes": 0,
        "votes_version": 0,
        "status": "visible",
        "answered": False,
        "on_air": False,
        "created_at": "2020-04-27T05:00:00Z",
    }
    assert public(captured) == [{"type": "question.new", "question": shown}]
    assert mods(captured) == [
        {
            "type": "question.new",
            "question": {**shown, "asker": {"id": attendee.pk, "name": "Ada"}, "merged_into": None},
        }
    ]


def test_an_anonymous_question_names_nobody_but_to_moderators(keynote, attendee, captured):
    with time_machine.travel(OPEN, tick=False):
        services.ask(keynote, attendee, "Who pays?", anonymous=True)
    assert public(captured)[0]["question"]["author"] is None
    assert mods(captured)[0]["question"]["asker"]["name"] == "Ada"


def test_a_pre_moderated_question_waits_for_approval(keynote, attendee, moderator, captured):
    keynote.pre_moderated = True
    keynote.save()
    with time_machine.travel(OPEN, tick=False):
        question = services.ask(keynote, attendee, "Pending?")
        assert (public(captured), [f["question"]["status"] for f in mods(captured)]) == ([], ["pending"])
        with pytest.raises(Forbidden, match="waiting for a moderator's approval"):
            services.vote(keynote, attendee, question.pk)
        services.approve(keynote, moderator, question.pk)
    assert [f["type"] for f in public(captured)] == ["question.new"]
    assert Question.objects.get().status == "visible"


@pytest.mark.parametrize(
    ("user", "detail"),
    [
        (None, "Log in as a registered attendee to ask a question."),
        ("unregistered", "Only registered attendees may ask a question: none of your verified e-mail addresses"),
    ],
)
def test_only_registered_attendees_ask(keynote, user, detail):
    user = UserFactory(registered=False) if user else None
    with time_machine.travel(OPEN, tick=False), pytest.raises(Forbidden) as refusal:
        services.ask(keynote, user, "Hello?")
    assert refusal.value.detail.startswith(detail)
    assert Question.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("", "The question is empty: write what you want to ask."),
        ("   \n ", "The question is empty: write what you want to ask."),
        ("x" * 501, "A question is at most 500 characters; this one has 501."),
        ("bin\x00ary", "The question contains a control character (U+0000) at position 4; send plain text."),
        (b"bytes", "A question is text."),
    ],
)
def test_bad_questions_are_refused_with_a_reason(keynote, attendee, body, detail):
    with time_machine.travel(OPEN, tick=False), pytest.raises(Invalid) as refusal:
        services.ask(keynote, attendee, body)
    assert refusal.value.detail == detail


def test_asking_outside_the_window_names_the_time_in_the_viewers_zone(keynote, attendee, settings):
    from django.utils import timezone

    with timezone.override("Asia/Tokyo"):
        with time_machine.travel(BEFORE, tick=False), pytest.raises(Forbidden) as early:
            services.ask(keynote, attendee, "Too early?")
        with time_machine.travel(AFTER, tick=False), pytest.raises(Forbidden) as late:
            services.ask(keynote, attendee, "Too late?")
    assert early.value.detail == (
        "The Q&A opens at Sun 26 Apr, 23:00 JST (Asia/Tokyo), when the talk is released; you cannot ask a question yet."
    )
    assert late.value.detail == (
        "The Q&A closed at Mon 27 Apr, 19:45 JST (Asia/Tokyo), when the live session ended; it is read-only now."
    )


def test_asking_is_rate_limited(keynote, attendee, settings):
    settings.KEYNOTES_QUESTIONS_PER_WINDOW, settings.KEYNOTES_QUESTION_WINDOW_SECONDS = 2, 60
    with time_machine.travel(OPEN, tick=False):
        services.ask(keynote, attendee, "One?")
        services.ask(keynote, attendee, "Two?")
        with pytest.raises(RateLimited) as refusal:
            services.ask(keynote, attendee, "Three?")
    assert (refusal.value.detail, refusal.value.retry_after) == (
        "Slow down: at most 2 questions in 60 seconds; try again in 60 s.",
        60,
    )
    with time_machine.travel(OPEN + timedelta(seconds=61), tick=False):
        services.ask(keynote, attendee, "Three?")
    assert Question.objects.count() == 3


def test_votes_count_once_and_are_sent_coalesced(keynote, attendee, other, captured, settings):
    question = QuestionFactory(keynote=keynote)
    with time_machine.travel(OPEN, tick=False):
        services.vote(keynote, attendee, question.pk)
        services.vote(keynote, attendee, question.pk)  # a second vote changes nothing
        services.vote(keynote, other, question.pk)
    assert Question.objects.get().votes == 2
    assert Vote.objects.count() == 2
    assert captured == []  # nothing yet: the window is open
    votecounts.flush_now()
    frame = {"type": "question.votes", "votes": {str(question.pk): 2}, "versions": {str(question.pk): 2}}
    assert (public(captured), mods(captured)) == ([frame], [frame])
    with time_machine.travel(OPEN, tick=False):
        services.unvote(keynote, other, question.pk)
        services.unvote(keynote, other, question.pk)  # nothing to take back
    assert Question.objects.get().votes == 1


@pytest.mark.postgres
def test_a_vote_is_one_statement_on_postgresql(keynote, attendee, captured, django_assert_num_queries):
    """At 100 votes/s the ORM's round trips per vote queued the votes for seconds
    (docs/benchmarks.md): on PostgreSQL a vote and an unvote are one statement each."""
    question, other_question = QuestionFactory.create_batch(2, keynote=keynote)
    with time_machine.travel(OPEN, tick=False):
        services.vote(keynote, attendee, other_question.pk)  # reads who the voter is and the Q&A's window
        with django_assert_num_queries(1):
            voted = services.vote(keynote, attendee, question.pk)
        with django_assert_num_queries(1):
            again = services.vote(keynote, attendee, question.pk)  # a second vote changes nothing
        assert (voted.votes, voted.votes_version, again.votes, again.votes_version) == (1, 1, 1, 1)
        with django_assert_num_queries(1):
            taken_back = services.unvote(keynote, attendee, question.pk)
        assert (taken_back.votes, taken_back.votes_version) == (0, 2)
        with django_assert_num_queries(1), pytest.raises(Invalid, match=r"There is no question 0 in this Q&A\."):
            services.vote(keynote, attendee, 0)
    question.refresh_from_db()
    assert (question.votes, question.votes_version, Vote.objects.filter(question=question).count()) == (0, 2, 0)
    votecounts.flush_now()
    frame = {
        "type": "question.votes",
        "votes": {str(question.pk): 0, str(other_question.pk): 1},
        "versions": {str(question.pk): 2, str(other_question.pk): 1},
    }
    assert public(captured) == [frame]


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_votes_is_one_frame_after_the_window(keynote, captured, settings):
    """Sent by the timer's thread, which reads the count with its own connection."""
    import time

    settings.KEYNOTES_VOTE_UPDATE_SECONDS = 1.0  # five votes fit in one window even on a busy machine
    question = QuestionFactory(keynote=keynote)
    voters = UserFactory.create_batch(5, registered=True)
    with time_machine.travel(OPEN):
        for voter in voters:
            services.vote(keynote, voter, question.pk)
    time.sleep(votecounts.interval() + 0.2)
    assert public(captured) == [
        {"type": "question.votes", "votes": {str(question.pk): 5}, "versions": {str(question.pk): 5}}
    ]


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        ("hidden", "This question was hidden by a moderator; you cannot vote."),
        ("pending", "This question is waiting for a moderator's approval; you cannot vote yet."),
    ],
)
def test_votes_on_hidden_or_pending_questions_are_refused(keynote, attendee, status, detail):
    question = QuestionFactory(keynote=keynote, status=status)
    with time_machine.travel(OPEN, tick=False), pytest.raises(Forbidden) as refusal:
        services.vote(keynote, attendee, question.pk)
    assert refusal.value.detail == detail
    assert (Vote.objects.count(), Question.objects.get().votes) == (0, 0)


def test_votes_after_the_qa_closed_are_refused(keynote, attendee):
    question = QuestionFactory(keynote=keynote)
    with time_machine.travel(AFTER, tick=False), pytest.raises(Forbidden, match="it is read-only now"):
        services.vote(keynote, attendee, question.pk)
    assert Vote.objects.count() == 0


def test_a_moved_qa_session_is_seen_at_once_though_the_window_is_remembered(keynote, attendee):
    """The Q&A window is remembered for a few seconds per process, but a keynote read
    after its session moved (a page, a new socket) is judged by the new times at once."""
    from keynotes.models import Keynote

    question = QuestionFactory(keynote=keynote)
    with time_machine.travel(DURING, tick=False):
        services.vote(keynote, attendee, question.pk)  # the window is remembered now
        qa = keynote.qa_session
        qa.start, qa.end = DURING - timedelta(hours=1), DURING - timedelta(minutes=1)
        qa.save()
        fresh = Keynote.objects.select_related("qa_session").get(pk=keynote.pk)
        with pytest.raises(Forbidden, match="it is read-only now"):
            services.unvote(fresh, attendee, question.pk)


def test_hide(keynote, moderator, attendee, captured):
    question = QuestionFactory(keynote=keynote)
    services.hide(keynote, moderator, question.pk)
    assert Question.objects.get().status == "hidden"
    assert public(captured) == [{"type": "question.removed", "id": question.pk, "reason": "hidden"}]
    assert mods(captured)[0]["question"]["status"] == "hidden"
    with pytest.raises(Forbidden, match="Only moderators, organisers and this keynote's chairs"):
        services.hide(keynote, attendee, question.pk)


def test_a_chair_moderates_their_keynote(keynote, attendee):
    question = QuestionFactory(keynote=keynote)
    keynote.chairs.add(attendee)
    services.mark_answered(keynote, attendee, question.pk)
    assert Question.objects.get().answered_at is not None


def test_merge_adds_votes_and_counts_nobody_twice(keynote, moderator, captured):
    original, duplicate = QuestionFactory(keynote=keynote), QuestionFactory(keynote=keynote)
    both, only_original, only_duplicate = UserFactory.create_batch(3, registered=True)
    with time_machine.travel(OPEN, tick=False):
        for voter in (both, only_original):
            services.vote(keynote, voter, original.pk)
        for voter in (both, only_duplicate):
            services.vote(keynote, voter, duplicate.pk)
    votecounts.flush_now()
    captured.clear()
    services.merge(keynote, moderator, duplicate.pk, original.pk)
    original.refresh_from_db()
    duplicate.refresh_from_db()
    assert (original.votes, duplicate.votes, duplicate.status, duplicate.merged_into_id) == (
        3,
        0,
        "merged",
        original.pk,
    )
    assert sorted(Vote.objects.filter(question=original).values_list("user_id", flat=True)) == sorted(
        [both.pk, only_original.pk, only_duplicate.pk]
    )
    assert [(f["type"], f.get("id") or f["question"]["id"]) for f in public(captured)] == [
        ("question.removed", duplicate.pk),
        ("question.updated", original.pk),
    ]
    assert public(captured)[1]["question"]["votes"] == 3
    with pytest.raises(Invalid, match=r"is merged into another; it cannot be merged\."):
        services.merge(keynote, moderator, duplicate.pk, original.pk)
    with time_machine.travel(OPEN, tick=False), pytest.raises(Forbidden, match=f"merged into question {original.pk}"):
        services.vote(keynote, only_original, duplicate.pk)


def test_answered(keynote, moderator, captured):
    question = QuestionFactory(keynote=keynote)
    with time_machine.travel(DURING, tick=False):
        services.mark_answered(keynote, moderator, question.pk)
    assert Question.objects.get().answered_at == DURING
    assert public(captured) == [
        {"type": "question.updated", "question": {**public(captured)[0]["question"], "answered": True}}
    ]
    services.mark_answered(keynote, moderator, question.pk, answered=False)
    assert Question.objects.get().answered_at is None


def test_on_air_and_next(keynote, moderator, captured):
    low, top = QuestionFactory(keynote=keynote, votes=1), QuestionFactory(keynote=keynote, votes=5)
    with time_machine.travel(DURING, tick=False):
        services.next_on_air(keynote, moderator)
        keynote.refresh_from_db()
        assert keynote.on_air_id == top.pk
        assert public(captured) == [{"type": "qa.on_air", "id": top.pk}]
        captured.clear()
        services.next_on_air(keynote, moderator)
    keynote.refresh_from_db()
    assert keynote.on_air_id == low.pk
    # The one before is answered as the next goes on air.
    assert Question.objects.get(pk=top.pk).answered_at == DURING
    assert [f["type"] for f in public(captured)] == ["question.updated", "qa.on_air"]
    captured.clear()
    services.hide(keynote, moderator, low.pk)
    assert [f["type"] for f in public(captured)] == ["question.removed", "qa.on_air"]
    assert public(captured)[1] == {"type": "qa.on_air", "id": None}


def test_unknown_questions_are_named(keynote, moderator):
    with pytest.raises(Invalid, match=r"There is no question 999 in this Q&A\."):
        services.hide(keynote, moderator, 999)
    with pytest.raises(Invalid, match="Name the question by its id"):
        services.hide(keynote, moderator, "1")


def test_opening_follows_an_early_release(keynote, attendee):
    recording = Recording.objects.get(subject_key="keynote:hopper")
    Recording.objects.filter(pk=recording.pk).update(release_override="early", released_at=BEFORE - timedelta(hours=1))
    with time_machine.travel(BEFORE, tick=False):
        services.ask(keynote, attendee, "Early bird?")
    assert QA_START > BEFORE


def test_one_frame_carries_every_count_that_moved_in_the_window(keynote, attendee, other, captured):
    first, second, untouched = QuestionFactory.create_batch(3, keynote=keynote)
    with time_machine.travel(OPEN, tick=False):
        services.vote(keynote, attendee, first.pk)
        services.vote(keynote, other, second.pk)
        services.vote(keynote, other, first.pk)
    votecounts.flush_now()
    assert public(captured) == [
        {
            "type": "question.votes",
            "votes": {str(first.pk): 2, str(second.pk): 1},
            "versions": {str(first.pk): 2, str(second.pk): 1},
        }
    ]
    assert untouched.votes == 0
