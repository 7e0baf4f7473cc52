"""Nothing about a person who has not opted in is shown anywhere: every page, feed, API
and state answer is searched for their name, affiliation and interests."""

import json

import pytest
from django.test import Client

from chat.rooms import open_room
from people.profiles import save_profile
from portal.models import Conference, RegisteredEmail
from tests.factories import SessionFactory, UserFactory, verify_email
from tests.people.factories import PersonFactory
from tests.posters.factories import paper_in_sessions

pytestmark = pytest.mark.django_db

SECRETS = ("Zelda Hidden", "Secret Institute", "xenobotany")


@pytest.fixture
def site():
    Conference.get()
    session = SessionFactory(title="Mon Session 1")
    paper = paper_in_sessions([session], uid="paperZ", title="Quiet results", author_names=["Z. H."])
    author = paper.authorships.get().author
    author.email = "zelda@example.org"
    author.save()
    open_room("corridor")
    zelda = UserFactory(
        email="zelda@example.org", display_name="Zelda Hidden", affiliation="Secret Institute", interests="xenobotany"
    )
    verify_email(zelda)
    return paper, session, zelda


def urls(paper, session, zelda):
    return [
        "/",
        "/people/",
        "/people/?q=zelda",
        "/people/?q=xenobot",  # the search echoes its own text, not theirs
        f"/people/{zelda.pk}/",
        f"/papers/{paper.uid}/",
        "/papers/",
        "/papers/?q=quiet",
        f"/authors/{paper.authorships.get().author.slug}/",
        f"/posters/{session.pk}/",
        "/schedule/",
        "/live/",
        "/corridor/",
        "/rooms/",
        "/calendar.ics",
        f"/papers/{paper.uid}/calendar.ics",
        "/api/v1/people/",
        "/api/v1/people/?q=zelda",
        "/api/v1/papers/",
        f"/api/v1/papers/{paper.uid}/",
        "/api/v1/rooms/",
        "/api/v1/rooms/corridor/messages/",
        "/api/schema/",
    ]


def leaks(body):
    return [secret for secret in SECRETS if secret in body]


def crawl(client, paper, session, zelda):
    found = {}
    for url in urls(paper, session, zelda):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        body = response.content.decode()
        if leaks(body):
            found[url] = leaks(body)
    return found


def test_a_person_who_never_opted_in_appears_nowhere(site):
    zelda = site[2]
    viewer = PersonFactory()
    member = Client()
    member.force_login(viewer)
    assert crawl(Client(), *site) == {}
    assert crawl(member, *site) == {}
    state = member.get("/me/state.json", {"people": f"{zelda.pk},me"}).content.decode()
    assert leaks(state) == []


def test_opting_in_shows_them_and_opting_out_removes_them_from_the_same_places(site):
    paper, _, zelda = site
    save_profile(zelda, public=True, suggestible=True)
    shown = crawl(Client(), *site)
    assert set(shown) == {
        "/people/",
        "/people/?q=zelda",
        "/people/?q=xenobot",  # the search echoes its own text, not theirs
        f"/people/{zelda.pk}/",
        f"/papers/{paper.uid}/",
        "/api/v1/people/",
        "/api/v1/people/?q=zelda",
    }
    save_profile(zelda, public=False, suggestible=False)
    assert crawl(Client(), *site) == {}


def test_the_queue_never_names_a_person_who_opted_out(site):
    from people import matching

    zelda = site[2]
    RegisteredEmail.objects.create(email=zelda.email)
    save_profile(zelda, public=True, suggestible=True)
    other = PersonFactory()
    matching.join_queue(zelda)
    matching.join_queue(other)
    assert "Zelda Hidden" in json.dumps(matching.queue_state(other))
    save_profile(zelda, public=False, suggestible=False)
    assert leaks(json.dumps(matching.queue_state(other))) == []


def test_a_room_shown_after_a_match_stops_naming_a_person_who_opted_out(site):
    from people import matching

    zelda = site[2]
    RegisteredEmail.objects.create(email=zelda.email)
    save_profile(zelda, public=True, suggestible=True)
    other = PersonFactory()
    matching.join_queue(zelda)
    [match] = matching.join_queue(other)
    matching.answer(zelda, match.pk, accept=True)
    matching.answer(other, match.pk, accept=True)
    assert matching.queue_state(other)["room"]["people"][0]["name"] == "Zelda Hidden"
    save_profile(zelda, public=False, suggestible=False)
    state = matching.queue_state(other)
    assert (state["status"], state["room"]["people"]) == ("matched", [])
