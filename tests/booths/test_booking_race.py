"""Two people book the same recruiter slot at the same moment, in parallel transactions on
PostgreSQL: exactly one wins, the other is told it was taken, nothing else is written."""

import threading

import pytest
from django.db import connection

from booths.models import MeetingSlot
from booths.services import meetings
from booths.services.errors import BoothError
from tests.booths.factories import MeetingSlotFactory
from tests.chat.factories import AttendeeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_two_parallel_bookings_exactly_one_wins(attempt):
    slot = MeetingSlotFactory()
    people = AttendeeFactory.create_batch(2)
    barrier = threading.Barrier(2)
    outcomes = {}

    def book(person):
        try:
            barrier.wait(timeout=10)
            meetings.book(slot, person)
            outcomes[person.pk] = "booked"
        except BoothError as refusal:
            outcomes[person.pk] = refusal.reason
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["booked", "taken"]
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "booked")
    slot.refresh_from_db()
    assert slot.booked_by_id == winner
    assert MeetingSlot.objects.filter(booked_by__isnull=False).count() == 1
