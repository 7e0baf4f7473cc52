"""Conference phases and the archive (issue 19, deliverable 1): before / live / archived from
the dates or the organisers' choice; in the archive every recording is released, no call
link, "live now", reminder or agenda entry point remains, the chat is read-only, and the
home page is the archive's front page."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from chat import rooms, services
from chat.models import Message
from chat.services.errors import Forbidden
from chat.services.retention import apply_retention
from portal.models import Conference, Phase
from schedule.call_links import State, Viewer, window
from schedule.models import AgendaItem
from schedule.recordings.models import Recording
from schedule.recordings.release import is_public, public_filter
from schedule.reminders import send_due_reminders
from tests.chat.factories import AttendeeFactory, MessageFactory, RoomFactory
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory, UserFactory
from tests.schedule.factories import recording_with_720p

pytestmark = pytest.mark.django_db

# ICLR 2020 in Addis Ababa's zone (UTC+3): its first day starts at 21:00 UTC the day before.
FIRST = datetime(2020, 4, 25, 21, tzinfo=UTC)
AFTER = datetime(2020, 4, 30, 21, tzinfo=UTC)
LATER = datetime(2020, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def conference(settings):
    settings.PORTAL_PHASE = ""  # from the dates (tests/conftest.py pins the others live)
    conference = Conference.get()
    conference.name = "ICLR 2020"
    conference.start_date, conference.end_date = date(2020, 4, 26), date(2020, 4, 30)
    conference.time_zone = "Africa/Addis_Ababa"
    conference.save()
    return conference


@pytest.fixture
def archived(conference):
    with time_machine.travel(LATER, tick=False):
        yield conference


def test_the_phase_follows_the_dates_in_the_conference_zone(conference):
    assert conference.phase(FIRST - timedelta(seconds=1)) == Phase.BEFORE
    assert conference.phase(FIRST) == Phase.LIVE
    assert conference.phase(AFTER - timedelta(seconds=1)) == Phase.LIVE
    assert conference.phase(AFTER) == Phase.ARCHIVED
    assert conference.next_phase_change(FIRST - timedelta(hours=1)) == FIRST
    assert conference.next_phase_change(FIRST) == AFTER
    assert conference.next_phase_change(AFTER) is None


def test_the_organisers_choice_wins_over_the_dates_and_the_setting(conference, settings):
    conference.phase_override = Phase.ARCHIVED
    conference.save()
    assert Conference.get().phase(FIRST) == Phase.ARCHIVED
    assert Conference.get().next_phase_change(FIRST - timedelta(hours=1)) is None
    settings.PORTAL_PHASE = "live"
    assert Conference.get().phase(FIRST) == Phase.ARCHIVED
    conference.phase_override = ""
    conference.save()
    assert Conference.get().phase(LATER) == Phase.LIVE  # the deployment's pin


def test_the_admin_offers_the_phase(admin_client, conference):
    page = admin_client.get(f"/admin/portal/conference/{conference.pk}/change/").content.decode()
    assert '<option value="" selected>From the dates</option>' in page
    assert '<option value="archived">Archived</option>' in page


def test_in_the_archive_every_recording_is_released_except_those_held_back(conference):
    waiting = Recording.objects.create(subject_key="paper:late", release_day=date(2030, 1, 1))
    waiting.release_at = datetime(2030, 1, 1, tzinfo=UTC)
    waiting.save()
    undated = Recording.objects.create(subject_key="paper:undated")
    held = Recording.objects.create(subject_key="paper:held", release_override=Recording.Override.HELD)
    live = AFTER - timedelta(hours=1)
    assert not is_public(waiting, live) and not is_public(undated, live)
    assert set(Recording.objects.filter(public_filter(live))) == set()
    assert is_public(waiting, AFTER) and is_public(undated, AFTER) and not is_public(held, AFTER)
    assert set(Recording.objects.filter(public_filter(AFTER))) == {waiting, undated}


def test_the_paper_page_plays_an_unreleased_video_once_archived(client, conference):
    paper = PaperFactory(uid="late")
    recording = recording_with_720p("paper:late", date(2030, 1, 1), b"\0" * 64)
    with time_machine.travel(AFTER - timedelta(minutes=1), tick=False):
        assert client.get(f"/media/recordings/{recording.pk}/720p.mp4").status_code == 404
        assert "720p.mp4" not in client.get(f"/papers/{paper.uid}/").content.decode()
    with time_machine.travel(AFTER, tick=False):
        assert client.get(f"/media/recordings/{recording.pk}/720p.mp4").status_code == 200
        assert f"/media/recordings/{recording.pk}/720p.mp4" in client.get(f"/papers/{paper.uid}/").content.decode()


def test_no_call_link_in_the_archive_even_inside_a_window(conference, settings):
    session = SessionFactory(start=LATER - timedelta(minutes=30), end=LATER + timedelta(hours=1))
    user = UserFactory(is_staff=True)
    assert Viewer(user, LATER).link(session, "https://call.example.org/j/1").state == State.ENDED
    assert window(session, "https://call.example.org/j/1", LATER).state == State.ENDED
    conference.phase_override = Phase.LIVE
    conference.save()
    assert Viewer(user, LATER).link(session, "https://call.example.org/j/1").url == "https://call.example.org/j/1"


def test_state_gives_no_call_link_in_the_archive(client, archived):
    slot = PosterSlotFactory(session=SessionFactory(start=LATER - timedelta(minutes=5), end=LATER + timedelta(hours=1)))
    client.force_login(UserFactory(is_staff=True))
    calls = client.get(f"/me/state.json?calls=slot:{slot.pk}").json()["calls"]
    assert calls == {f"slot:{slot.pk}": {"state": "ended", "url": "", "reason": ""}}
    assert client.get(f"/me/call/slot:{slot.pk}/").status_code == 403


def test_the_chat_is_read_only_in_the_archive(client, archived):
    attendee = AttendeeFactory()
    room = rooms.open_room("corridor")
    with pytest.raises(Forbidden) as refused:
        services.post_message(room=room, author=attendee, body="Anyone here?")
    assert refused.value.reason == "archived"
    assert refused.value.detail == "ICLR 2020 is over: its chat is kept as an archive and is read-only."
    client.force_login(attendee)
    state = client.get("/me/state.json?rooms=corridor").json()["rooms"]["corridor"]
    assert (state["can_post"], state["reason"]) == (False, "archived")
    # Without JavaScript: the private post page sends the visitor back with the reason.
    response = client.post("/rooms/corridor/post/", {"body": "Hello?"})
    assert response.status_code == 302
    assert Message.objects.count() == 0


def test_own_messages_cannot_be_changed_in_the_archive(archived):
    attendee = AttendeeFactory()
    message = MessageFactory(room=rooms.open_room("corridor"), author=attendee, created_at=LATER)
    with pytest.raises(Forbidden) as refused:
        services.edit_message(user=attendee, message_id=message.pk, body="changed")
    assert refused.value.reason == "archived"


def test_no_reminders_in_the_archive(conference):
    user = UserFactory()
    session = SessionFactory(start=AFTER + timedelta(minutes=10), end=AFTER + timedelta(hours=1))
    AgendaItem.objects.create(user=user, session=session)
    assert send_due_reminders(AFTER) == 0
    assert mail.outbox == []


def test_the_home_page_is_the_archives_front_page(client, archived):
    discussed = PaperFactory(title="Most talked about", keyword_names=["graphs"])
    quiet = PaperFactory(title="Quietly read", keyword_names=["graphs", "optimisation"])
    slot = PosterSlotFactory(paper=discussed, session=SessionFactory(title="Poster session 1"))
    room = RoomFactory(key="paper:" + discussed.uid, kind="paper")
    for _ in range(3):
        MessageFactory(room=room)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "This is the archive of ICLR 2020</strong>, held 26 April–30 April 2020." in html
    assert '<h1 id="conference-name">ICLR 2020: the archive</h1>' in html
    assert f'<a href="/papers/{discussed.uid}/">Most talked about</a> <span class="muted">· 3 messages</span>' in html
    assert quiet.title not in html  # nobody discussed it
    assert '<a class="chip" href="/papers/?keyword=graphs">graphs <span class="muted">(2)</span></a>' in html
    assert f'<a href="/posters/{slot.session.pk}/">Poster session 1</a>' in html
    assert "Nothing is live" not in html and "Next" not in html
    # The navigation has no agenda, the schedule no "On now" or livestream.
    assert 'href="/me/agenda/"' not in html
    assert 'href="/now/"' not in client.get("/schedule/").content.decode()
    assert response["Cache-Control"] == "public, max-age=10"


def test_live_pages_lead_to_the_archive(client, archived):
    assert client.get("/now/")["Location"] == "/"
    assert client.get("/live/")["Location"] == "/"


def test_the_home_page_is_cached_no_longer_than_the_conference_lasts(client, conference):
    with time_machine.travel(AFTER - timedelta(seconds=4), tick=False):
        response = client.get("/")
    assert response["Cache-Control"] == "public, max-age=4"
    assert "the archive" not in response.content.decode()


def test_the_paper_page_shows_its_discussion_read_only(client, archived):
    paper = PaperFactory()
    room = RoomFactory(key="paper:" + paper.uid, kind="paper")
    MessageFactory(room=room, body="Great poster!", html="<p>Great poster!</p>")
    html = client.get(f"/papers/{paper.uid}/").content.decode()
    assert "<p>Great poster!</p>" in html
    assert "ICLR 2020 is over: this discussion is kept as it was, and is read-only." in html
    assert "data-composer" not in html and "js/chat.js" not in html
    assert "Log in</a> to take part" not in html


@pytest.mark.parametrize("n", (1, 50))
def test_archive_front_page_query_count(client, django_assert_num_queries, archived, n):
    session = SessionFactory()
    for paper in PaperFactory.create_batch(n, keyword_names=["graphs"]):
        PosterSlotFactory(paper=paper, session=session)
        MessageFactory(room=RoomFactory(key="paper:" + paper.uid, kind="paper"))
    # ... and the keynotes' and the workshops' sections (one query each, none held here)
    with django_assert_num_queries(8):
        assert client.get("/").status_code == 200


def test_retention_deletes_the_corridor_and_keeps_paper_discussions(settings, conference):
    settings.CHAT_RETENTION_DAYS = {"corridor": 14, "paper": None}
    paper = RoomFactory(key="paper:KEEP", kind="paper")
    MessageFactory(room=rooms.open_room("corridor"), created_at=FIRST + timedelta(days=1))
    MessageFactory(room=paper, created_at=FIRST + timedelta(days=1))
    assert apply_retention(AFTER + timedelta(days=14) - timedelta(seconds=1)) == {}
    assert apply_retention(AFTER + timedelta(days=14)) == {"corridor": 1}
    assert list(Message.objects.values_list("room__key", flat=True)) == ["paper:KEEP"]
