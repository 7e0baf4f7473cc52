"""Workshop talks' pre-recorded videos (issue 17): the subject `talk:<session id>`, who may
upload, the release day by the one rule, the upload page, the workshop page before and
after the release, the visitor's upload link in the state, the API and admin."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chat.rooms import RoomNotFound, open_room
from schedule import subjects
from schedule.models import Session
from schedule.recordings import services
from schedule.recordings.models import Recording
from schedule.recordings.release import hold_back, may_upload, release_day_for
from tests.factories import SessionFactory, UserFactory
from tests.schedule.factories import at
from tests.schedule.html import parse
from tests.schedule.recording_files import VTT, upload

pytestmark = pytest.mark.django_db

# The talk starts at 12:00 UTC on Monday 27 April 2020: already Tuesday 00:00 in Auckland,
# whose 02:00 (14:00 UTC) comes after it; so it is released at 02:00 NZST on Monday 27
# April, 14:00 UTC on Sunday 26 April.
TALK_START = at(2020, 4, 27, 12)
RELEASE = at(2020, 4, 26, 14)
BEFORE = RELEASE - timedelta(seconds=5)
AFTER = RELEASE + timedelta(minutes=1)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def conference(db):
    from portal.models import Conference

    conference = Conference.get()
    conference.name = "ICLR 2020"
    conference.save()
    return conference


@pytest.fixture
def workshop(conference):
    return SessionFactory(
        kind=Session.Kind.WORKSHOP,
        uid="workshop:OWLS",
        title="Owls in machine learning",
        start=at(2020, 4, 27, 9),
        end=at(2020, 4, 27, 17),
    )


@pytest.fixture
def talk(workshop):
    return SessionFactory(
        kind=Session.Kind.WORKSHOP_TALK,
        parent=workshop,
        title="Invited talk: night vision",
        start=TALK_START,
        end=TALK_START + timedelta(minutes=30),
    )


@pytest.fixture
def key(talk):
    return f"talk:{talk.pk}"


@pytest.fixture
def organiser(db):
    return UserFactory(is_staff=True, display_name="Organiser")


@pytest.fixture
def attendee(db):
    return UserFactory(registered=True, display_name="Attendee")


def with_video(key, organiser, media_dir):
    """The talk's recording with a processed video (the organiser uploaded it)."""
    recording = subjects.recording_of(key)
    services.accept_video(recording, upload(media_dir / "talk.mp4"), organiser)
    recording.refresh_from_db()
    assert recording.status == "ready"
    return recording


# --- the subject ---------------------------------------------------------------------------


def test_a_workshop_talk_is_a_subject_with_its_page_and_upload_page(talk, key, workshop):
    found = subjects.subject(key)
    assert (found.title, found.url, found.upload_url, found.author_emails) == (
        "Invited talk: night vision",
        f"/workshops/OWLS/#talk-{talk.pk}",
        f"/me/recordings/talk:{talk.pk}/",
        frozenset(),
    )
    # Only a session under a workshop is a talk; nothing else answers to the kind.
    poster = SessionFactory(kind=Session.Kind.POSTER)
    assert subjects.subject(f"talk:{poster.pk}") is None
    assert subjects.subject(f"talk:{workshop.pk}") is None
    assert subjects.subject("talk:owls") is None
    # A talk has no chat room of its own (the workshop's booth has one).
    with pytest.raises(RoomNotFound):
        open_room(key)


def test_who_may_upload_a_talks_recording(key, organiser, attendee):
    helper = UserFactory(display_name="The speaker")
    assert may_upload(key, organiser) is True
    assert may_upload(key, helper) is False
    subjects.recording_of(key).uploaders.add(helper)
    assert may_upload(key, helper) is True
    assert may_upload(key, attendee) is False
    from django.contrib.auth.models import AnonymousUser

    assert may_upload(key, AnonymousUser()) is False


def test_the_release_day_is_the_rules_on_the_talks_start(talk, key):
    # 12:00 UTC is the next day in Auckland: released the NZ day before that, 02:00 NZST.
    assert release_day_for(TALK_START) == date(2020, 4, 27)
    recording = subjects.recording_of(key)
    assert (recording.kind, recording.title) == ("workshop_talk", "Invited talk: night vision")
    assert (recording.release_day, recording.release_at) == (date(2020, 4, 27), RELEASE)
    assert recording.release_at < talk.start


def test_moving_or_renaming_the_talk_moves_its_recording(talk, key):
    recording = subjects.recording_of(key)
    talk.start, talk.end = at(2020, 4, 28, 1), at(2020, 4, 28, 2)  # 13:00 NZST on Tuesday 28 April
    talk.title = "Invited talk: seeing at night"
    talk.save()
    recording.refresh_from_db()
    assert (recording.release_day, recording.release_at, recording.title) == (
        date(2020, 4, 28),
        at(2020, 4, 27, 14),
        "Invited talk: seeing at night",
    )
    # Once released it keeps its day.
    Recording.objects.filter(pk=recording.pk).update(released_at=at(2020, 4, 27, 14))
    talk.start, talk.end = at(2020, 4, 30, 1), at(2020, 4, 30, 2)
    talk.save()
    recording.refresh_from_db()
    assert recording.release_day == date(2020, 4, 28)


def test_a_talk_nobody_opened_has_no_recording_until_its_upload_page_is_opened(talk, key, organiser):
    talk.start = talk.start + timedelta(days=1)
    talk.end = talk.end + timedelta(days=1)
    talk.save()
    assert not Recording.objects.filter(subject_key=key).exists()
    assert logged_in(organiser).get(f"/me/recordings/{key}/").status_code == 200
    assert Recording.objects.get(subject_key=key).release_day == date(2020, 4, 28)


# --- the upload page ---------------------------------------------------------------------


def test_the_upload_page_refuses_everyone_but_organisers_and_added_uploaders(key, organiser, attendee):
    url = f"/me/recordings/{key}/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert logged_in(attendee).get(url).status_code == 403
    refused = logged_in(attendee).post(f"{url}captions", {"file": SimpleUploadedFile("t.vtt", VTT)})
    assert refused.status_code == 403
    assert not Recording.objects.filter(subject_key=key).exists()  # looking makes nothing
    assert logged_in(attendee).get("/me/recordings/talk:999999/").status_code == 404

    page = logged_in(organiser).get(url)
    assert page.status_code == 200
    text = parse(page.content).text
    assert ("Release: Sunday 26 April 2020, 14:00 UTC (02:00 in Pacific/Auckland before the talk starts).") in text
    assert "Added by an organiser: nobody yet." in text
    helper = UserFactory(email="speaker@example.org", display_name="Speaker")
    Recording.objects.get(subject_key=key).uploaders.add(helper)
    client = logged_in(helper)
    assert client.get(url).status_code == 200
    response = client.post(f"{url}captions", {"file": SimpleUploadedFile("talk.vtt", VTT)})
    assert (response.status_code, response["Location"]) == (302, url)
    assert Recording.objects.get(subject_key=key).captions.name.endswith(".vtt")
    # Only organisers see who was added.
    assert "Added by an organiser" not in parse(client.get(url).content).text


def test_an_organiser_uploads_the_video_on_the_upload_page(key, organiser, media_dir, tasks_in_process):
    client = logged_in(organiser)
    with open(media_dir / "talk.mp4", "rb") as handle:
        response = client.post(f"/me/recordings/{key}/video", {"file": handle}, HTTP_ACCEPT="application/json")
    assert (response.status_code, response.json()["ok"]) == (200, True)
    assert client.get(f"/me/recordings/{key}/status").json()["status"] == "ready"
    assert b'id="recording-status">Ready<' in client.get(f"/me/recordings/{key}/").content


# --- the workshop page -------------------------------------------------------------------


def test_before_its_release_the_page_says_when_and_holds_no_media(
    key, talk, workshop, organiser, media_dir, tasks_in_process
):
    recording = with_video(key, organiser, media_dir)
    other = SessionFactory(kind=Session.Kind.WORKSHOP_TALK, parent=workshop, title="Panel", start=TALK_START)
    client = Client()
    client.cookies["tz"] = "Asia/Tokyo"
    with time_machine.travel(BEFORE, tick=False):
        response = client.get("/workshops/OWLS/")
    html = response.content.decode()
    assert "/media/" not in html and "<video" not in html
    page = parse(response.content)
    row = page.by_id(f"talk-{talk.pk}")
    assert row.find("recording-pending").text == "The recording will be available from Sunday 26 April 2020, 23:00 JST."
    # The block a page open at the release replaces (static/js/release.js): the same id as the player's.
    assert page.by_id(f"recording-talk-{talk.pk}").find("recording-pending") is not None
    # Nothing for a talk without a recording; and no upload link in the shared HTML.
    assert page.by_id(f"talk-{other.pk}").find("recording-pending") is None
    assert "/me/recordings/" not in html
    # Cached no longer than until the release.
    assert response["Cache-Control"] == "public, max-age=5"
    assert recording.release_at == RELEASE


def test_after_its_release_the_page_plays_it(key, talk, organiser, media_dir, tasks_in_process):
    recording = with_video(key, organiser, media_dir)
    with time_machine.travel(AFTER, tick=False):
        response = Client().get("/workshops/OWLS/")
    page = parse(response.content)
    row = page.by_id(f"talk-{talk.pk}")
    assert row.find("recording-pending") is None
    sources = [s.attrs["src"] for s in row.find("recording-player").find_all(tag="source")]
    assert sources and all(s.startswith(f"/media/recordings/{recording.pk}/") for s in sources)
    assert page.by_id(f"recording-talk-{talk.pk}").find("recording-player") is not None
    # The player's scripts once for the page, not once per talk.
    assert response.content.decode().count("js/player.js") == 1
    with time_machine.travel(AFTER, tick=False):
        assert Client().get(f"/media/recordings/{recording.pk}/{sources[0].rsplit('/', 1)[1]}").status_code == 200


def test_a_held_recording_promises_nothing(key, talk, organiser, media_dir, tasks_in_process):
    recording = with_video(key, organiser, media_dir)
    hold_back(recording, organiser, BEFORE)
    for instant in (BEFORE, AFTER):
        with time_machine.travel(instant, tick=False):
            html = Client().get("/workshops/OWLS/").content.decode()
        assert "/media/" not in html and "will be available" not in html


def test_the_upload_link_is_in_the_visitors_state_only_for_those_who_may_upload(key, talk, organiser, attendee):
    url = f"/me/state.json?talks={talk.pk}"
    assert logged_in(organiser).get(url).json()["talks"] == {
        str(talk.pk): {"uploader": True, "upload_url": f"/me/recordings/talk:{talk.pk}/"}
    }
    assert logged_in(attendee).get(url).json()["talks"] == {}
    assert Client().get(url).json()["talks"] == {}
    subjects.recording_of(key).uploaders.add(attendee)
    assert logged_in(attendee).get(url).json()["talks"][str(talk.pk)]["uploader"] is True
    assert Client().get("/me/state.json?talks=<script>").status_code == 400


@pytest.mark.parametrize("n", (1, 20))
def test_workshop_page_query_count(workshop, organiser, django_assert_num_queries, n):
    for i in range(n):
        talk = SessionFactory(kind=Session.Kind.WORKSHOP_TALK, parent=workshop, start=TALK_START + timedelta(hours=i))
        subjects.recording_of(f"talk:{talk.pk}")
    from portal.models import Conference

    Conference.get()
    # The workshop with its booth, its talks, their recordings.
    with time_machine.travel(BEFORE, tick=False), django_assert_num_queries(3):
        assert Client().get("/workshops/OWLS/").status_code == 200


# --- the API, admin ------------------------------------------------------------------------


def test_the_api_has_no_media_url(key, talk, organiser, media_dir, tasks_in_process):
    with_video(key, organiser, media_dir)
    for instant in (BEFORE, AFTER):
        with time_machine.travel(instant, tick=False):
            response = Client().get("/api/v1/workshops/")
        assert response.status_code == 200
        assert "/media/" not in response.content.decode()
        assert [t["title"] for t in response.json()["results"][0]["talks"]] == ["Invited talk: night vision"]


def test_the_recording_admin_names_the_talk_and_links_its_pages(key, talk):
    subjects.recording_of(key)
    admin = logged_in(UserFactory(is_staff=True, is_superuser=True))
    listing = admin.get("/admin/schedule/recording/").content.decode()
    assert f'<a href="/workshops/OWLS/#talk-{talk.pk}">Invited talk: night vision</a>' in listing
    assert f'<a href="/me/recordings/talk:{talk.pk}/">upload page</a>' in listing
    change = admin.get(f"/admin/schedule/recording/{Recording.objects.get().pk}/change/")
    assert f'<a href="/me/recordings/talk:{talk.pk}/">upload page</a>' in change.content.decode()


def test_the_static_export_holds_only_the_released_talks_video(workshop, talk, key, tmp_path):
    from portal.export import export_site
    from tests.schedule.factories import recording_with_720p

    later = SessionFactory(kind=Session.Kind.WORKSHOP_TALK, parent=workshop, title="Later", start=at(2020, 4, 30, 12))
    released = recording_with_720p(key, date(2020, 4, 27), b"released-video")
    unreleased = recording_with_720p(f"talk:{later.pk}", date(2020, 4, 30), b"unreleased-video")
    with time_machine.travel(AFTER, tick=False):
        export_site(tmp_path / "site", with_media=True)
    root = tmp_path / "site"
    page = (root / "workshops/OWLS/index.html").read_text()
    assert f'<source src="../../media/recordings/{released.pk}/720p.mp4"' in page
    assert "The recording will be available from Wednesday 29 April 2020, 14:00 UTC." in parse(page.encode()).text
    leaks = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
        and (f"recordings/{unreleased.pk}/".encode() in p.read_bytes() or b"unreleased" in p.read_bytes())
    ]
    assert leaks == []
