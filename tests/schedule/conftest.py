import pytest

from portal.models import Conference


@pytest.fixture
def conference(db):
    """The ICLR 2020 week, in the zone of its planned venue (Addis Ababa, UTC+3)."""
    conference = Conference.get()
    conference.name = "ICLR 2020"
    conference.short_name = "ICLR"
    conference.time_zone = "Africa/Addis_Ababa"
    conference.save()
    return conference


@pytest.fixture
def viewer(client):
    """`viewer("Asia/Kolkata")`: the test client in that zone (by the portal's cookie)."""

    def set_zone(name):
        client.cookies["tz"] = name
        return client

    return set_zone
