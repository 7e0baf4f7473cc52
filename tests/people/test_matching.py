"""The matching service: who is paired with whom, when, and what each is told."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from chat.models import Sanction
from people import matching
from people.models import Block, Match, QueueEntry, Seat
from people.safety import MeetError
from posters.models import Bookmark
from tests.factories import PaperFactory, UserFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2020, 4, 27, 12, tzinfo=UTC)


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def join(person, seconds, topic="", size=2):
    return matching.join_queue(person, topic=topic, group_size=size, now=at(seconds))


def members(match):
    return {seat.user_id for seat in match.seats.all()}


def open_matches():
    return [members(m) for m in Match.objects.filter(status=Match.Status.OFFERED).order_by("id")]


def test_two_people_waiting_are_offered_each_other():
    ada, bob = PersonFactory(), PersonFactory()
    assert join(ada, 0) == []
    [match] = join(bob, 1)
    assert members(match) == {ada.pk, bob.pk}
    assert (match.status, match.answer_by) == (Match.Status.OFFERED, at(61))
    assert QueueEntry.objects.count() == 0


def test_shared_interests_are_preferred():
    ada = PersonFactory(interests="fairness, optimisation")
    bob = PersonFactory(interests="robotics")
    cy = PersonFactory(interests="Fairness")
    join(bob, 0)
    join(cy, 1)  # bob and cy share nothing, but they are compatible: matched at once
    assert open_matches() == [{bob.pk, cy.pk}]
    Match.objects.all().delete()
    dee = PersonFactory(interests="robotics")
    join(dee, 2)
    join(ada, 3)
    eve = PersonFactory(interests="fairness")
    # ada and dee were offered each other at once; a later fairness person comes too late.
    assert open_matches() == [{dee.pk, ada.pk}]
    join(eve, 4)
    assert open_matches() == [{dee.pk, ada.pk}]


def test_the_head_of_the_queue_gets_the_partner_with_most_in_common():
    ada = PersonFactory(interests="fairness")
    bob = PersonFactory(interests="robotics")
    cy = PersonFactory(interests="fairness")
    # Three waiting at once (none could match while alone: two joined with a block between them).
    Block.objects.create(blocker=bob, blocked=cy)
    join(bob, 0)
    join(cy, 1)
    assert open_matches() == []
    join(ada, 2)
    # bob waits longest: his best (and only) compatible partner is ada, though ada shares more with cy.
    assert open_matches() == [{bob.pk, ada.pk}]
    assert list(QueueEntry.objects.values_list("user_id", flat=True)) == [cy.pk]


def test_a_topic_counts_as_interests_and_bookmarked_papers_break_ties():
    paper = PaperFactory()
    ada, bob, cy, dee = (PersonFactory() for _ in range(4))
    Block.objects.create(blocker=ada, blocked=dee)
    Block.objects.create(blocker=bob, blocked=cy)
    Block.objects.create(blocker=bob, blocked=dee)
    Block.objects.create(blocker=cy, blocked=dee)
    Bookmark.objects.create(user=ada, paper=paper)
    Bookmark.objects.create(user=cy, paper=paper)
    join(bob, 0)
    join(cy, 1)
    join(dee, 2)
    assert open_matches() == []
    join(ada, 3, topic="anything")
    # bob is first in the queue: his compatible partner is ada (cy and dee are blocked for him).
    assert open_matches() == [{bob.pk, ada.pk}]
    Match.objects.all().delete()
    QueueEntry.objects.all().delete()
    join(bob, 10)
    Block.objects.create(blocker=bob, blocked=ada)
    join(cy, 11)
    join(ada, 12)
    # cy is ahead of ada's other options and shares ada's bookmark.
    assert open_matches() == [{cy.pk, ada.pk}]


def test_topics_match_like_interests():
    ada, bob, cy = PersonFactory(), PersonFactory(), PersonFactory(interests="graph neural networks")
    Block.objects.create(blocker=ada, blocked=bob)
    join(ada, 0, topic="Graph neural networks, pruning")
    join(bob, 1, topic="pruning")
    join(cy, 2)
    [match] = Match.objects.all()
    assert members(match) == {ada.pk, cy.pk}
    assert match.shared == "graph neural networks"


def test_people_with_a_block_between_them_are_never_paired_either_way():
    ada, bob = PersonFactory(), PersonFactory()
    Block.objects.create(blocker=bob, blocked=ada)
    join(ada, 0)
    assert join(bob, 1) == []
    assert QueueEntry.objects.count() == 2


def test_people_offered_each_other_are_not_paired_again_within_24_hours():
    ada, bob = PersonFactory(), PersonFactory()
    join(ada, 0)
    [match] = join(bob, 1)
    matching.answer(ada, match.pk, accept=False, now=at(2))
    # bob is back in the queue; ada joins again: not with bob.
    assert join(ada, 3) == []
    assert set(QueueEntry.objects.values_list("user_id", flat=True)) == {ada.pk, bob.pk}
    # A day later they may meet again.
    later = T0 + timedelta(hours=24, seconds=2)
    [again] = matching.run_matching(now=later)
    assert members(again) == {ada.pk, bob.pk}


def test_a_skip_returns_the_other_to_the_front_of_the_queue():
    ada, bob, cy = PersonFactory(), PersonFactory(), PersonFactory()
    join(ada, 0)
    [match] = join(bob, 1)
    Block.objects.create(blocker=cy, blocked=ada)
    join(cy, 2)  # waits: blocked with ada, and bob is offered
    dee = PersonFactory()
    Block.objects.create(blocker=dee, blocked=cy)
    Block.objects.create(blocker=dee, blocked=ada)
    matching.answer(bob, match.pk, accept=False, now=at(3))
    match.refresh_from_db()
    assert match.status == Match.Status.SKIPPED
    # ada is back, ahead of cy who joined after her; bob (the skipper) left the queue.
    assert list(QueueEntry.objects.order_by("position").values_list("user_id", flat=True)) == [ada.pk, cy.pk]
    # The next compatible arrival is offered to ada first.
    [next_match] = join(PersonFactory(), 4)
    assert ada.pk in members(next_match)


def test_groups_of_three_wait_for_three_who_want_three():
    ada, bob, cy, dee = (PersonFactory() for _ in range(4))
    join(ada, 0, size=3)
    join(bob, 1, size=2)
    join(cy, 2, size=3)
    assert open_matches() == []
    [match] = join(dee, 3, size=3)
    assert members(match) == {ada.pk, cy.pk, dee.pk}
    assert list(QueueEntry.objects.values_list("user_id", flat=True)) == [bob.pk]


def test_a_group_of_three_has_no_block_inside_it():
    ada, bob, cy, dee = (PersonFactory() for _ in range(4))
    Block.objects.create(blocker=bob, blocked=cy)
    join(ada, 0, size=3)
    join(bob, 1, size=3)
    join(cy, 2, size=3)
    assert open_matches() == []
    [match] = join(dee, 3, size=3)
    assert members(match) == {ada.pk, bob.pk, dee.pk}


def test_fairness_no_one_waits_forever_while_later_people_are_matched():
    """The longest-waiting person is offered the first compatible partner who comes, even
    when later arrivals would suit each other better."""
    old = PersonFactory(interests="robotics")
    join(old, 0)
    for second in range(1, 21, 2):
        a, b = PersonFactory(interests="fairness"), PersonFactory(interests="fairness")
        join(a, second)
        join(b, second + 1)
        if second == 1:
            # The first arrival goes to the one waiting longest, whatever their interests.
            assert members(Match.objects.order_by("id").first()) == {old.pk, a.pk}
    assert not QueueEntry.objects.filter(user=old).exists()
    waiting = QueueEntry.objects.count()
    assert waiting == 1  # 21 people, 10 pairs


def test_an_answer_after_the_window_is_refused_and_the_accepter_returns():
    ada, bob = PersonFactory(), PersonFactory()
    join(ada, 0)
    [match] = join(bob, 1)
    matching.answer(ada, match.pk, accept=True, now=at(30))
    with pytest.raises(MeetError) as refused:
        matching.answer(bob, match.pk, accept=True, now=at(62))
    assert refused.value.detail == "The 60 seconds to answer have passed."
    match.refresh_from_db()
    assert match.status == Match.Status.EXPIRED
    assert list(QueueEntry.objects.values_list("user_id", flat=True)) == [ada.pk]


def test_expiry_ends_unanswered_offers():
    ada, bob = PersonFactory(), PersonFactory()
    join(ada, 0)
    [match] = join(bob, 1)
    assert matching.expire_due(now=at(60)) == 0
    assert matching.expire_due(now=at(62)) == 1
    match.refresh_from_db()
    assert match.status == Match.Status.EXPIRED
    assert QueueEntry.objects.count() == 0
    assert Seat.objects.filter(open=True).count() == 0


def test_one_queue_entry_a_person_by_the_database():
    ada = PersonFactory()
    join(ada, 0, topic="first")
    join(ada, 5, topic="second")
    entry = QueueEntry.objects.get(user=ada)
    assert (entry.topic, entry.position) == ("second", at(0))
    with pytest.raises(IntegrityError), transaction.atomic():
        QueueEntry.objects.create(user=ada)


def test_one_open_offer_a_person_by_the_database():
    ada, bob = PersonFactory(), PersonFactory()
    join(ada, 0)
    [_match] = join(bob, 1)
    other = Match.objects.create(answer_by=at(100))
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(match=other, user=ada, position=at(0))


def test_a_person_with_an_offer_cannot_join_again():
    ada, bob = PersonFactory(), PersonFactory()
    join(ada, 0)
    join(bob, 1)
    with pytest.raises(MeetError) as refused:
        join(ada, 2)
    assert refused.value.reason == "offered"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: UserFactory(registered=True), "no_profile"),
        (lambda: PersonFactory(profile__suggestible=False), "not_suggestible"),
        (lambda: PersonFactory(registered=False), "not_registered"),
    ],
)
def test_people_who_may_not_meet_are_refused_with_a_reason(make, reason):
    with pytest.raises(MeetError) as refused:
        join(make(), 0)
    assert refused.value.reason == reason
    assert QueueEntry.objects.count() == 0


@pytest.mark.parametrize(("kind", "reason"), [(Sanction.Kind.MUTE, "muted"), (Sanction.Kind.BAN, "banned")])
def test_muted_and_banned_people_are_refused(kind, reason):
    person = PersonFactory()
    Sanction.objects.create(kind=kind, user=person, until=None)
    with pytest.raises(MeetError) as refused:
        join(person, 0)
    assert refused.value.reason == reason


def test_bad_input_is_refused_naming_the_problem():
    person = PersonFactory()
    with pytest.raises(MeetError) as refused:
        join(person, 0, size=4)
    assert refused.value.detail == "Meet one person (2) or two people (3)."
    with pytest.raises(MeetError) as refused:
        join(person, 0, topic="x" * 201)
    assert refused.value.detail == "What you'd like to talk about is text of at most 200 characters."
    with pytest.raises(MeetError) as refused:
        join(person, 0, topic="bad\u0000")
    assert "U+0000" in refused.value.detail


def test_opting_out_leaves_the_queue_and_skips_the_offer():
    from people.profiles import save_profile

    ada, bob, cy = PersonFactory(), PersonFactory(), PersonFactory()
    matching.join_queue(ada)
    [match] = matching.join_queue(bob)
    save_profile(ada, public=False, suggestible=False)
    match.refresh_from_db()
    assert match.status == Match.Status.SKIPPED
    assert list(QueueEntry.objects.values_list("user_id", flat=True)) == [bob.pk]
    matching.join_queue(cy)
    assert members(Match.objects.order_by("-id").first()) == {bob.pk, cy.pk}


def test_every_change_is_told_to_the_people_concerned(captured, django_capture_on_commit_callbacks):
    ada, bob = PersonFactory(display_name="Ada", affiliation="Analytical"), PersonFactory(display_name="Bob")
    with django_capture_on_commit_callbacks(execute=True):
        join(ada, 0, topic="engines")
    assert [(e["group"], e["frame"]["status"]) for e in captured] == [(f"people.person.{ada.pk}", "waiting")]
    captured.clear()
    with django_capture_on_commit_callbacks(execute=True):
        [match] = join(bob, 1)
    groups = [(e["group"], e["frame"]["status"]) for e in captured]
    assert groups == [
        (f"people.person.{bob.pk}", "waiting"),
        (f"people.person.{ada.pk}", "offered"),
        (f"people.person.{bob.pk}", "offered"),
    ]
    offer_to_bob = captured[2]["frame"]["offer"]
    assert offer_to_bob["match"] == match.pk
    assert offer_to_bob["people"] == [
        {"id": ada.pk, "name": "Ada", "affiliation": "Analytical", "interests": [], "url": f"/people/{ada.pk}/"}
    ]
    assert offer_to_bob["answer_by"] == "2020-04-27T12:01:01+00:00"


# --- rooms: a self-organised booth when everyone accepts ------------------------------------


def booth_of(match):
    from booths.models import Booth

    return Booth.objects.get(slug=match.room_key.partition(":")[2])


def test_when_both_accept_they_get_a_private_booth_together():
    from booths.services.private import is_member

    ada, bob, cy = PersonFactory(), PersonFactory(), PersonFactory()
    matching.join_queue(ada, topic="engines")
    [match] = matching.join_queue(bob, topic="engines")
    matching.answer(ada, match.pk, accept=True)
    match.refresh_from_db()
    assert (match.status, match.room_key) == (Match.Status.OFFERED, "")
    matching.answer(bob, match.pk, accept=True)
    match.refresh_from_db()
    assert match.status == Match.Status.ACCEPTED
    booth = booth_of(match)
    assert booth.kind == booth.Kind.SELF_ORGANISED and booth.is_private
    assert (booth.name, booth.topic) == ("Met in the Corridor", "engines")
    assert [is_member(booth, p) for p in (ada, bob, cy)] == [True, True, False]
    state = matching.queue_state(ada)
    assert state["status"] == "matched"
    assert state["room"]["key"] == match.room_key
    assert state["room"]["url"] == f"/booths/{booth.slug}/"
    # An answer after the match is over is refused.
    with pytest.raises(MeetError) as refused:
        matching.answer(bob, match.pk, accept=False)
    assert refused.value.detail == "This match is over (accepted by everyone)."


def test_a_group_of_three_gets_one_booth_for_the_three():
    from booths.models import BoothMember

    people = [PersonFactory() for _ in range(3)]
    for person in people:
        matching.join_queue(person, group_size=3)
    match = Match.objects.get()
    for person in people:
        matching.answer(person, match.pk, accept=True)
    match.refresh_from_db()
    members = set(BoothMember.objects.filter(booth=booth_of(match)).values_list("user_id", flat=True))
    assert members == {p.pk for p in people}


def test_no_one_is_in_two_open_offers_or_queued_while_offered():
    people = [PersonFactory() for _ in range(9)]
    for person in people:
        matching.join_queue(person)
    seats = list(Seat.objects.filter(open=True).values_list("user_id", flat=True))
    assert len(seats) == len(set(seats)) == 8
    queued = set(QueueEntry.objects.values_list("user_id", flat=True))
    assert queued.isdisjoint(seats) and len(queued) == 1


def test_nobody_joins_the_queue_once_the_conference_is_archived(settings):
    settings.PORTAL_PHASE = "archived"
    with pytest.raises(MeetError) as refused:
        matching.join_queue(PersonFactory())
    assert (refused.value.reason, refused.value.detail) == (
        "archived",
        "The conference is over: meeting people here has closed with it.",
    )
    assert QueueEntry.objects.count() == 0
