"""Call links typed into public fields are refused (issue 13, item 7).

A video-call link and passcode pasted into a session's description or location reached
anonymous visitors. Model validation (so admin and importers alike) refuses URLs of
meeting hosts (settings.CALL_LINK_HOSTS) and passcodes in public text, and says where a
call link goes; schedule/call_links.py alone defines what one looks like.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from posters.models import Paper
from schedule.call_links import without_call_links
from schedule.models import Session
from tests.factories import SessionFactory, UserFactory
from tests.schedule.factories import admin_session_form
from tests.schedule.html import parse

pytestmark = pytest.mark.django_db

ZOOM = "https://us02web.zoom.us/j/81234567890?pwd=SeCrEt"
SESSION_MESSAGE = (
    "“https://us02web.zoom.us/j/81234567890?pwd=SeCrEt” is a video-call link, and this field is public. "
    "Put video-call links in the “Call link” field of this session: they are shown only to the people "
    "the conference lets see call links, and only around the session's time."
)
PASSCODE_MESSAGE = (
    "This gives a meeting passcode or ID, and this field is public. "
    "Put video-call links in the “Call link” field of this session: they are shown only to the people "
    "the conference lets see call links, and only around the session's time."
)


def errors_of(instance):
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", f"Join us on Zoom: {ZOOM}", SESSION_MESSAGE),
        ("location", ZOOM, SESSION_MESSAGE),
        ("title", f"Poster session {ZOOM}", SESSION_MESSAGE),
        ("url", ZOOM, SESSION_MESSAGE),
        ("description", "Passcode: 123456", PASSCODE_MESSAGE),
        ("description", "Meeting ID 812 3456 7890", PASSCODE_MESSAGE),
        ("location", "Zoom, pwd=SeCrEt", PASSCODE_MESSAGE),
    ],
)
def test_a_session_refuses_call_links_in_public_fields(field, value, message):
    session = SessionFactory.build(**{field: value})
    assert errors_of(session) == {field: [message]}


@pytest.mark.parametrize(
    "link",
    [
        "https://meet.google.com/abc-defg-hij",
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting",
        "https://teams.live.com/meet/9876",
        "https://acme.webex.com/meet/someone",
        "https://meet.jit.si/ConferenceRoom",
        "https://whereby.com/poster-7",
        "zoom.us/j/123",
        "www.zoom.us/j/123",
    ],
)
def test_every_meeting_host_is_a_call_link(link):
    session = SessionFactory.build(description=f"Talk to the authors at {link} today.")
    assert list(errors_of(session)) == ["description"]


def test_ordinary_text_and_links_pass():
    session = SessionFactory.build(
        description="Slides: https://example.org/slides.pdf\nThe password reset talk.",
        location="Hall A",
        url="https://example.org/programme",
    )
    session.full_clean()


def test_a_paper_refuses_call_links_in_its_abstract_and_links():
    paper = Paper(uid="p1", title="Graphs", abstract=f"Poster: {ZOOM}", code_url="https://meet.google.com/abc-defg-hij")
    message = (
        "is a video-call link, and this field is public. Put video-call links in the “Call link” field of its "
        "poster slots: they are shown only to the people the conference lets see call links, and only around "
        "the session's time."
    )
    assert errors_of(paper) == {
        "abstract": [f"“{ZOOM}” {message}"],
        "code_url": [f"“https://meet.google.com/abc-defg-hij” {message}"],
    }


def admin_data(**changes):
    start = timezone.now() + timedelta(hours=1)
    return {
        "title": "Poster session 1",
        "kind": "poster",
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M:%S"),
        "end_0": (start + timedelta(hours=2)).strftime("%Y-%m-%d"),
        "end_1": (start + timedelta(hours=2)).strftime("%H:%M:%S"),
    } | admin_session_form(**changes)


def test_admin_refuses_a_call_link_in_the_description_and_takes_it_as_the_call_link(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post("/admin/schedule/session/add/", admin_data(description=f"Zoom: {ZOOM}\nPasscode: 1234"))
    assert response.status_code == 200
    assert [e.text for e in parse(response.content).find_all("errorlist")] == [SESSION_MESSAGE]
    assert not Session.objects.exists()

    response = client.post("/admin/schedule/session/add/", admin_data(description="Come along.", call_link=ZOOM))
    assert response.status_code == 302
    assert Session.objects.get().call_link == ZOOM


def test_what_admin_refused_never_reaches_the_public(client):
    start = timezone.now() + timedelta(hours=1)
    session = SessionFactory(start=start, end=start + timedelta(hours=2), description="Come along.")
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    for field in ("description", "location"):
        response = client.post(f"/admin/schedule/session/{session.pk}/change/", admin_data(**{field: ZOOM}))
        assert response.status_code == 200
    client.logout()
    for url in ("/", f"/schedule/sessions/{session.pk}/", f"/api/v1/sessions/{session.pk}/", "/calendar.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"zoom.us" not in response.content, url
        assert b"SeCrEt" not in response.content, url


def test_feeds_cut_out_what_the_same_definition_finds():
    text = f"Talk.\nZoom: {ZOOM}\nMeeting ID 812 3456 7890\nTeams: https://teams.live.com/meet/9876\nSlides: https://example.org/s.pdf"
    assert without_call_links(text) == "Talk.\nZoom: \n\nTeams: \nSlides: https://example.org/s.pdf"
