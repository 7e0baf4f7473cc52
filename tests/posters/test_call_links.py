"""Call links: shown only to those the policy allows, from 15 minutes before the start until the end."""

from datetime import UTC, datetime

import pytest
import time_machine

from portal.models import Conference
from schedule.call_links import State, call_link_state
from tests.factories import SessionFactory, UserFactory
from tests.posters.factories import paper_in_sessions

START = datetime(2020, 4, 27, 5, 0, tzinfo=UTC)
END = datetime(2020, 4, 27, 7, 0, tzinfo=UTC)
Policy = Conference.CallLinkVisibility

# (instant, inside the window?)
EDGES = [
    (datetime(2020, 4, 27, 4, 44, 59, tzinfo=UTC), False),
    (datetime(2020, 4, 27, 4, 45, 0, tzinfo=UTC), True),
    (datetime(2020, 4, 27, 6, 59, 59, tzinfo=UTC), True),
    (datetime(2020, 4, 27, 7, 0, 0, tzinfo=UTC), False),
]
# Who may ever see links, by policy: (anonymous, logged in, registered).
ALLOWED = {
    Policy.EVERYONE: (True, True, True),
    Policy.LOGGED_IN: (False, True, True),
    Policy.REGISTERED: (False, False, True),
    Policy.NOBODY: (False, False, False),
}
VIEWERS = ("anonymous", "logged_in", "registered")


@pytest.fixture
def poster(db):
    session = SessionFactory(start=START, end=END, title="Mon Session 1")
    paper = paper_in_sessions([session], uid="paperA", title="Robust things")
    return paper, session


def log_in(client, viewer):
    if viewer == "anonymous":
        return
    client.force_login(UserFactory(registered=viewer == "registered"))


@pytest.mark.parametrize("policy", list(ALLOWED))
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("instant", "in_window"), EDGES)
def test_call_link_in_html_and_api_only_when_allowed_and_in_window(client, poster, policy, viewer, instant, in_window):
    _, session = poster
    conference = Conference.get()
    conference.call_link_visibility = policy
    conference.save()
    log_in(client, viewer)
    expected = in_window and ALLOWED[policy][VIEWERS.index(viewer)]
    secret = "secret-paperA"
    slot = poster[0].poster_slots.get()
    with time_machine.travel(instant, tick=False):
        shared = [
            client.get("/papers/paperA/").content.decode(),
            client.get(f"/posters/{session.pk}/").content.decode(),
        ]
        private = [
            client.get(f"/me/state.json?calls=slot:{slot.pk}").content.decode(),
            client.get("/api/v1/papers/paperA/").content.decode(),
            client.get("/api/v1/papers/").content.decode(),
            client.get(f"/api/v1/poster-sessions/{session.pk}/").content.decode(),
        ]
        no_js = client.get(f"/me/call/slot:{slot.pk}/")
    # The public pages are everyone's: never a link; the visitor's state has it when allowed.
    assert [secret in page for page in shared] == [False, False]
    assert [secret in page for page in private] == [expected] * 4
    link = "https://video.example.org/j/secret-paperA"
    assert (no_js.status_code, no_js.get("Location")) == ((302, link) if expected else (403, None))
    # The list page and the calendar never carry links at all.
    with time_machine.travel(instant, tick=False):
        assert secret not in client.get("/papers/").content.decode()
        assert secret not in client.get("/papers/paperA/calendar.ics").content.decode()


def test_page_says_when_the_link_will_appear(client, poster):
    conference = Conference.get()
    conference.call_link_visibility = Policy.EVERYONE
    conference.save()
    client.cookies["tz"] = "America/Los_Angeles"
    with time_machine.travel(datetime(2020, 4, 26, 12, 0, tzinfo=UTC), tick=False):
        html = client.get("/papers/paperA/").content.decode()
    # 04:45 UTC is 21:45 the day before in Los Angeles (PDT, UTC-7).
    assert "The video-call link appears here at" in html
    assert '>Sun 26 Apr, 21:45 <abbr class="zone" title="America/Los_Angeles">PDT</abbr>' in html
    assert "in 17 h" in html


def test_page_tells_anonymous_visitors_to_log_in(client, poster):
    slot = poster[0].poster_slots.get()
    with time_machine.travel(datetime(2020, 4, 27, 5, 30, tzinfo=UTC), tick=False):
        html = client.get("/papers/paperA/").content.decode()
        state = client.get(f"/me/state.json?calls=slot:{slot.pk}").json()
    assert state["calls"] == {
        f"slot:{slot.pk}": {
            "state": "not_allowed",
            "url": "",
            "reason": "Log in as a registered attendee to see the video-call link.",
        }
    }
    assert "live now" in html
    assert "secret-paperA" not in html


def test_state_machine_without_a_link(db):
    session = SessionFactory(start=START, end=END)
    at = datetime(2020, 4, 27, 5, 0, tzinfo=UTC)
    assert call_link_state(session, "", allowed=True, now=at).state == State.NO_LINK
    assert call_link_state(session, "https://x.example/j/1", allowed=True, now=at).url == "https://x.example/j/1"
    assert call_link_state(session, "https://x.example/j/1", allowed=False, now=at, reason="r").url is None
    assert call_link_state(session, "https://x.example/j/1", allowed=False, now=END).state == State.ENDED
