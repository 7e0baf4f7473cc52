import pytest

from chat.services import events


@pytest.fixture
def captured():
    """Every event the services emit during the test, as {"group", "frame"}."""
    with events.capture() as emitted:
        yield emitted


@pytest.fixture(autouse=True, scope="session")
def _no_persistent_connections():
    """Sockets run ORM calls in worker threads; a persistent connection left in one would
    keep the PostgreSQL test database open at teardown (as in tests/chat/conftest.py)."""
    from django.db import connections

    saved = {alias: connections.settings[alias].get("CONN_MAX_AGE", 0) for alias in connections.settings}
    for alias in connections.settings:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    yield
    for alias, value in saved.items():
        connections.settings[alias]["CONN_MAX_AGE"] = value
