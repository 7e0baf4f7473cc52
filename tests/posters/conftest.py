import pytest

from portal.models import Conference


@pytest.fixture
def conference(db):
    """The conference row, created up front so that requests do not create it (query counts)."""
    return Conference.get()
