import pytest

from chat.services import events
from keynotes import votecounts
from portal.models import Conference
from tests.factories import UserFactory
from tests.keynotes.factories import KeynoteFactory


@pytest.fixture
def conference(db):
    conference = Conference.get()
    conference.name = "ICLR 2020"
    conference.short_name = "ICLR"
    conference.time_zone = "Africa/Addis_Ababa"
    conference.save()
    return conference


@pytest.fixture
def keynote(conference):
    return KeynoteFactory(slug="hopper", title="Compilers for everyone")


@pytest.fixture
def attendee(db):
    return UserFactory(registered=True, display_name="Ada")


@pytest.fixture
def other(db):
    return UserFactory(registered=True, display_name="Bob")


@pytest.fixture
def moderator(db):
    return UserFactory(registered=True, is_staff=True, display_name="Chair")


@pytest.fixture
def captured():
    """Every event the services emit during the test (vote counts flushed at the end)."""
    with events.capture() as emitted:
        yield emitted
    votecounts.flush_now()
