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


@pytest.fixture(autouse=True, scope="session")
def _no_persistent_connections():
    """As tests/chat: sockets run ORM calls in worker threads; a persistent connection left
    in one would keep the PostgreSQL test database open at teardown."""
    from django.db import connections

    saved = {alias: connections.settings[alias].get("CONN_MAX_AGE", 0) for alias in connections.settings}
    for alias in connections.settings:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    yield
    for alias, value in saved.items():
        connections.settings[alias]["CONN_MAX_AGE"] = value
