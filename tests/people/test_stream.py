"""The livestream's running order: built in admin, shown on /live/ and the home page."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from people import stream
from people.models import StreamSegment
from portal.models import Conference
from schedule.models import Session
from tests.factories import SessionFactory, UserFactory
from tests.posters.factories import paper_in_sessions

pytestmark = pytest.mark.django_db

NOW = datetime(2020, 4, 27, 6, 0, tzinfo=UTC)


def segment(**fields):
    values = {
        "kind": StreamSegment.Kind.LIVESTREAM,
        "title": "Welcome",
        "start": NOW,
        "end": NOW + timedelta(minutes=20),
    }
    values.update(fields)
    return StreamSegment(**values)


def errors(seg):
    with pytest.raises(ValidationError) as refused:
        stream.validate(seg)
    return refused.value.message_dict


@pytest.fixture
def paper():
    Conference.get()
    first = SessionFactory(title="Mon Session 2", start=NOW + timedelta(hours=2), end=NOW + timedelta(hours=4))
    second = SessionFactory(title="Tue Session 1", start=NOW + timedelta(days=1), end=NOW + timedelta(days=1, hours=2))
    return paper_in_sessions([first, second], uid="spot1", title="Spotlit paper")


def test_a_spotlight_is_a_paper_and_gets_its_next_poster_session(paper):
    spot = segment(
        kind="spotlight", title="Spotlight", subject_key="paper:spot1", clip_url="https://clips.example/1.mp4"
    )
    stream.validate(spot)
    stream.fill_next_session(spot)
    assert spot.session.title == "Mon Session 2"
    late = segment(
        kind="spotlight", subject_key="paper:spot1", start=NOW + timedelta(hours=3), end=NOW + timedelta(hours=5)
    )
    stream.fill_next_session(late)
    assert late.session.title == "Tue Session 1"


def test_bad_segments_are_refused_naming_the_problem(paper):
    assert errors(segment(kind="spotlight", subject_key="")) == {
        "subject_key": ["A poster spotlight is about a paper: paper:<UID>."]
    }
    assert errors(segment(kind="spotlight", subject_key="paper:nope")) == {
        "subject_key": ["Nothing is known by “paper:nope”: check the UID or slug."]
    }
    assert errors(segment(subject_key="not a key!")) == {
        "subject_key": ["“not a key!” is not a key (paper:<UID>, keynote:<slug>, booth:<slug>)."]
    }
    assert errors(segment(kind="keynote")) == {
        "session": ["A keynote segment names its session or its key (keynote:<slug>)."]
    }
    assert errors(segment(end=NOW)) == {"end": ["A segment ends after it starts."]}
    segment(title="First").save()
    assert errors(segment(title="Second", start=NOW + timedelta(minutes=10), end=NOW + timedelta(minutes=30))) == {
        "start": ["The stream shows one thing at a time: this overlaps “First”."]
    }
    refused = errors(
        segment(start=NOW + timedelta(hours=1), end=NOW + timedelta(hours=2), note="https://zoom.us/j/123")
    )
    assert list(refused) == ["note"]


def test_a_keynote_segment_names_its_session_without_importing_keynotes():
    qa = SessionFactory(kind=Session.Kind.KEYNOTE_QA, title="Q&A with the speaker")
    seg = segment(kind="keynote", title="Keynote Q&A", session=qa, subject_key="keynote:lecun")
    stream.validate(seg)  # keynote:<slug> unknown here, but the session names it


def test_live_page_shows_now_and_next_with_where_each_leads(paper):
    StreamSegment.objects.create(
        kind="livestream", title="Welcome", start=NOW - timedelta(minutes=5), end=NOW + timedelta(minutes=7)
    )
    spot = segment(
        kind="spotlight",
        title="Spotlight: a paper",
        subject_key="paper:spot1",
        clip_url="https://clips.example/1.mp4",
        start=NOW + timedelta(minutes=7),
        end=NOW + timedelta(minutes=12),
    )
    stream.fill_next_session(spot)
    spot.save()
    with time_machine.travel(NOW, tick=False):
        response = Client().get("/live/")
        home = Client().get("/").content.decode()
    page = response.content.decode()
    assert "The stream's running order" in page
    now_part = page.split('id="stream-now"')[1].split("</ul>")[0]
    next_part = page.split('id="stream-next"')[1].split("</ul>")[0]
    assert "Welcome" in now_part and "Spotlight" not in now_part
    assert 'href="/papers/spot1/"' in next_part and "Read the paper and talk to its authors" in next_part
    assert 'href="https://clips.example/1.mp4"' in next_part
    assert "Next poster session: " in next_part and "Mon Session 2" in next_part
    # The page changes when the segment on now ends (7 minutes), not later.
    assert response["Cache-Control"] == "public, max-age=10"
    with time_machine.travel(NOW + timedelta(minutes=6, seconds=55), tick=False):
        assert Client().get("/live/")["Cache-Control"] == "public, max-age=5"
    assert "Now on the stream" in home and "Welcome" in home


def test_running_order_is_edited_in_admin(paper):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/people/streamsegment/add/",
        {
            "kind": "spotlight",
            "title": "Spotlight",
            "start_0": "2020-04-27",
            "start_1": "06:00:00",
            "end_0": "2020-04-27",
            "end_1": "06:05:00",
            "subject_key": "paper:spot1",
            "clip_url": "",
            "note": "",
            "session": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    seg = StreamSegment.objects.get()
    assert (seg.title, seg.session.title) == ("Spotlight", "Mon Session 2")
    response = client.post(
        "/admin/people/streamsegment/add/",
        {
            "kind": "spotlight",
            "title": "Bad",
            "start_0": "2020-04-27",
            "start_1": "07:00:00",
            "end_0": "2020-04-27",
            "end_1": "07:05:00",
            "subject_key": "paper:missing",
            "session": "",
        },
    )
    assert "Nothing is known by “paper:missing”: check the UID or slug." in response.content.decode()


def test_the_running_order_replaces_the_programmes_stream_list_on_live():
    Conference.get()
    SessionFactory(kind=Session.Kind.KEYNOTE, title="Streamed keynote", start=NOW, end=NOW + timedelta(hours=1))
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        before = Client().get("/live/").content.decode()
        StreamSegment.objects.create(kind="livestream", title="Welcome", start=NOW, end=NOW + timedelta(minutes=30))
        after = Client().get("/live/").content.decode()
    # Without a running order the programme's streamed sessions say what is on; with one,
    # the page has one "now": the organisers' running order.
    assert "On the stream now" in before and "Streamed keynote" in before
    assert "The stream's running order" in after and "Welcome" in after
    assert "On the stream now" not in after
