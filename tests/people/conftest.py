import pytest

from chat.services import events


@pytest.fixture
def captured():
    """Every event the services emit during the test, as {"group", "frame"}."""
    with events.capture() as emitted:
        yield emitted
