"""Introductions: asked with a note, answered by the other, limited per day."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from people import introductions
from people.models import Introduction
from people.safety import MeetError
from tests.factories import UserFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2020, 4, 27, 12, tzinfo=UTC)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_introduction_is_asked_with_a_note_and_declined():
    ada, bob = PersonFactory(display_name="Ada"), PersonFactory(display_name="Bob")
    client = logged_in(ada)
    page = client.get(f"/people/{bob.pk}/introduce/").content.decode()
    assert "Ask to meet Bob" in page and 'href="/code-of-conduct/"' in page
    response = client.post(f"/people/{bob.pk}/introduce/", {"note": "  Your poster on engines!  "})
    assert (response.status_code, response["Location"]) == (302, f"/people/{bob.pk}/")
    intro = Introduction.objects.get()
    assert (intro.requester, intro.recipient, intro.note, intro.status) == (
        ada,
        bob,
        "Your poster on engines!",
        "pending",
    )
    page = logged_in(bob).get("/me/people/").content.decode()
    assert "Your poster on engines!" in page and f'action="/me/introductions/{intro.pk}/answer/"' in page
    # ada may not answer it for bob.
    logged_in(ada).post(f"/me/introductions/{intro.pk}/answer/", {"answer": "accept"})
    intro.refresh_from_db()
    assert intro.status == "pending"
    logged_in(bob).post(f"/me/introductions/{intro.pk}/answer/", {"answer": "decline"})
    intro.refresh_from_db()
    assert (intro.status, intro.room_key) == ("declined", "")
    with pytest.raises(MeetError) as refused:
        introductions.answer_introduction(bob, intro.pk, accept=True)
    assert refused.value.detail == "You answered this introduction already (declined)."


def test_one_pending_introduction_to_the_same_person():
    ada, bob = PersonFactory(), PersonFactory()
    introductions.request_introduction(ada, bob.pk, "Hello")
    with pytest.raises(MeetError) as refused:
        introductions.request_introduction(ada, bob.pk, "Hello again")
    assert refused.value.reason == "pending"


def test_introductions_are_limited_per_day(settings):
    settings.PEOPLE_INTRODUCTIONS_PER_DAY = 2
    ada = PersonFactory()
    others = [PersonFactory() for _ in range(3)]
    introductions.request_introduction(ada, others[0].pk, "1", now=T0)
    introductions.request_introduction(ada, others[1].pk, "2", now=T0 + timedelta(hours=1))
    with pytest.raises(MeetError) as refused:
        introductions.request_introduction(ada, others[2].pk, "3", now=T0 + timedelta(hours=2))
    assert refused.value.detail == "You can ask for 2 introductions a day; try again tomorrow."
    introductions.request_introduction(ada, others[2].pk, "3", now=T0 + timedelta(hours=24, seconds=1))
    assert Introduction.objects.count() == 3


@pytest.mark.parametrize(
    ("asker", "reason"),
    [
        (lambda: UserFactory(registered=True), "no_profile"),
        (lambda: PersonFactory(registered=False), "not_registered"),
    ],
)
def test_people_who_may_not_ask_are_refused(asker, reason):
    bob = PersonFactory()
    with pytest.raises(MeetError) as refused:
        introductions.request_introduction(asker(), bob.pk, "Hello")
    assert refused.value.reason == reason


def test_only_people_with_a_public_profile_can_be_asked():
    ada = PersonFactory()
    quiet = UserFactory(registered=True)
    private = PersonFactory(profile__public=False, profile__suggestible=False)
    for other in (quiet, private, ada):
        with pytest.raises(MeetError) as refused:
            introductions.request_introduction(ada, other.pk, "Hello")
        assert refused.value.detail == "There is no one with a public profile there."
    assert logged_in(ada).get(f"/people/{quiet.pk}/introduce/").status_code == 404


def test_a_note_is_required_and_checked():
    ada, bob = PersonFactory(), PersonFactory()
    for note, detail in (
        ("   ", "Say in a sentence why you'd like to meet (the note is required)."),
        ("x" * 501, "The note is at most 500 characters (it has 501)."),
    ):
        with pytest.raises(MeetError) as refused:
            introductions.request_introduction(ada, bob.pk, note)
        assert refused.value.detail == detail
    with pytest.raises(MeetError) as refused:
        introductions.request_introduction(ada, bob.pk, "hi\x07")
    assert "U+0007" in refused.value.detail


def test_an_accepted_introduction_opens_a_private_booth_for_the_two(django_capture_on_commit_callbacks, captured):
    from booths.models import Booth
    from booths.services.private import is_member

    ada, bob = PersonFactory(display_name="Ada"), PersonFactory(display_name="Bob")
    intro = introductions.request_introduction(ada, bob.pk, "Engines?")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(bob).post(f"/me/introductions/{intro.pk}/answer/", {"answer": "accept"})
    assert response.status_code == 302
    intro.refresh_from_db()
    assert intro.status == "accepted"
    booth = Booth.objects.get(slug=intro.room_key.partition(":")[2])
    assert booth.name == "Introduction: Ada and Bob"
    assert is_member(booth, ada) and is_member(booth, bob)
    assert captured == [
        {
            "group": f"people.person.{ada.pk}",
            "frame": {"type": "introduction.answered", "id": intro.pk, "status": "accepted"},
        }
    ]
    page = logged_in(ada).get("/me/people/").content.decode()
    assert f'href="/booths/{booth.slug}/"' in page
    # The booth's page is for its members only.
    assert Client().get(f"/booths/{booth.slug}/").status_code == 404
