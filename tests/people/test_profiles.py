"""Profiles people choose to share: nothing before opting in, gone everywhere on opting out."""

import pytest
from django.test import Client

from people.models import Profile
from people.profiles import ProfileError, save_profile
from portal.models import Conference
from tests.factories import PaperFactory, UserFactory, verify_email
from tests.people.factories import PersonFactory
from tests.posters.factories import paper_in_sessions

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_people_page_lists_only_those_who_opted_in(client):
    PersonFactory(display_name="Ada Shares", affiliation="Analytical Engines Ltd", interests="fairness, optimisation")
    UserFactory(display_name="Quiet Quentin", affiliation="Hidden Lab", interests="fairness")
    PersonFactory(display_name="Private Pat", profile__public=False, profile__suggestible=False)
    response = client.get("/people/")
    page = html(response)
    assert "Ada Shares" in page and "Analytical Engines Ltd" in page and "optimisation" in page
    assert "Quiet Quentin" not in page and "Hidden Lab" not in page and "Private Pat" not in page
    assert "1 person sharing a profile." in page
    assert response["Cache-Control"] == "public, max-age=10"
    assert "csrfmiddlewaretoken" not in page
    assert 'href="/code-of-conduct/"' in page


@pytest.mark.parametrize(
    ("query", "found"),
    [("ada", ["Ada Shares"]), ("engines", ["Ada Shares"]), ("fairness", ["Ada Shares", "Bo Fair"]), ("robots", [])],
)
def test_people_are_searchable_by_name_affiliation_and_interest(client, query, found):
    PersonFactory(display_name="Ada Shares", affiliation="Analytical Engines Ltd", interests="fairness")
    PersonFactory(display_name="Bo Fair", interests="Fairness, vision")
    UserFactory(display_name="Ada Hidden", interests="fairness")  # never opted in
    response = client.get("/people/", {"q": query})
    page = html(response)
    for name in ("Ada Shares", "Bo Fair", "Ada Hidden"):
        assert (name in page) == (name in found), name
    # Searches are kept by no shared cache (each distinct text would be an entry of its own).
    assert response["Cache-Control"] == "public, max-age=0"


@pytest.mark.parametrize("n", [1, 50])
def test_people_page_query_count(client, django_assert_num_queries, n):
    for i in range(n):
        person = PersonFactory(display_name=f"Person {i}", interests="a, b")
        paper = PaperFactory(author_names=[f"Writer {i}"])
        author = paper.authorships.get().author
        author.email = person.email
        author.save()
    Conference.get()
    # count, profiles with their users, the conference, verified addresses, authorships with papers
    with django_assert_num_queries(5):
        page = html(client.get("/people/"))
    assert page.count('class="person-card"') == n
    assert page.count("A study of things") == n


def test_profile_page_shows_what_they_share_and_their_papers(client):
    person = PersonFactory(
        display_name="Ada Shares",
        affiliation="Analytical",
        interests="engines",
        profile__ask_me_about="Difference engines",
        profile__links="https://ada.example.org",
    )
    paper = PaperFactory(title="On engines", author_names=["Ada Lovelace"])
    author = paper.authorships.get().author
    author.email = "ADA@example.org"
    author.save()
    verify_email(person, "ada@example.org")
    page = html(client.get(f"/people/{person.pk}/"))
    for text in (
        "Ada Shares",
        "Analytical",
        "engines",
        "Difference engines",
        'href="https://ada.example.org"',
        f'href="/papers/{paper.uid}/"',
        "On engines",
        f'href="/people/{person.pk}/introduce/"',
        f'href="/people/{person.pk}/report/"',
        'href="/code-of-conduct/"',
    ):
        assert text in page, text
    assert person.email not in page


def test_an_unverified_address_claims_no_paper(client):
    person = PersonFactory(display_name="Claimer")
    paper = PaperFactory(title="Not mine", author_names=["Real Author"])
    author = paper.authorships.get().author
    author.email = "real@example.org"
    author.save()
    verify_email(person, "real@example.org", verified=False)
    assert "Not mine" not in html(client.get(f"/people/{person.pk}/"))


def test_nobody_has_a_profile_page_before_opting_in(client):
    quiet = UserFactory(display_name="Quiet Quentin")
    private = PersonFactory(display_name="Private Pat", profile__public=False, profile__suggestible=False)
    assert client.get(f"/people/{quiet.pk}/").status_code == 404
    assert client.get(f"/people/{private.pk}/").status_code == 404
    assert client.get("/people/999999/").status_code == 404


def test_the_paper_page_shows_its_authors_who_opted_in():
    paper = paper_in_sessions([], uid="paperA", title="Robust things", author_names=["Ada One", "Bob Two", "Cy Three"])
    # As the import wrote them: case differs from the address the person verified.
    emails = {"Ada One": "Ada@Example.ORG", "Bob Two": "bob@example.org", "Cy Three": "cy@example.org"}
    for authorship in paper.authorships.select_related("author"):
        authorship.author.email = emails[authorship.author.name]
        authorship.author.save()
    ada = PersonFactory(email="ada@example.org", display_name="Ada (shares)", profile__ask_me_about="robustness")
    UserFactory(email="bob@example.org", display_name="Bob (private)")
    # Shares a profile, but never confirmed Cy's address: not Cy.
    claimer = PersonFactory(display_name="Cy (unconfirmed)")
    verify_email(claimer, "cy@example.org", verified=False)
    page = html(Client().get("/papers/paperA/"))
    assert "Meet the authors" in page
    assert "Ada (shares)" in page and "robustness" in page and f'href="/people/{ada.pk}/"' in page
    assert "Bob (private)" not in page and "Cy (unconfirmed)" not in page
    # Opting out removes her at once.
    save_profile(ada, public=False, suggestible=False)
    page = html(Client().get("/papers/paperA/"))
    assert "Ada (shares)" not in page and "Meet the authors" not in page


def test_opting_out_removes_a_person_everywhere_at_once(client):
    ada = PersonFactory(display_name="Ada Shares", interests="fairness")
    assert "Ada Shares" in html(client.get("/people/"))
    save_profile(ada, public=False, suggestible=False)
    assert "Ada Shares" not in html(client.get("/people/"))
    assert "Ada Shares" not in html(client.get("/people/", {"q": "fairness"}))
    assert client.get(f"/people/{ada.pk}/").status_code == 404


def test_sharing_settings_page_saves_and_refuses_with_reasons():
    user = UserFactory(display_name="")
    client = logged_in(user)
    page = html(client.get("/me/people/"))
    assert 'href="/code-of-conduct/"' in page
    response = client.post("/me/people/", {"public": "on", "ask_me_about": "x", "links": ""})
    assert "A public profile needs a display name" in html(response)
    assert not Profile.objects.filter(user=user, public=True).exists()
    user.display_name = "Ada"
    user.save()
    response = client.post("/me/people/", {"suggestible": "on", "links": ""})
    assert "Being suggested to others shows your profile: make it public too" in html(response)
    response = client.post("/me/people/", {"public": "on", "links": "ftp://nope"})
    assert "Link 1 (“ftp://nope”) is not a web address starting with https://." in html(response)
    response = client.post(
        "/me/people/",
        {"public": "on", "suggestible": "on", "ask_me_about": "  engines  ", "links": "https://a.example\n"},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.public, profile.suggestible, profile.ask_me_about, profile.links) == (
        True,
        True,
        "engines",
        "https://a.example",
    )


def test_save_profile_refuses_suggestions_without_a_public_profile():
    user = UserFactory(display_name="Ada")
    with pytest.raises(ProfileError):
        save_profile(user, public=False, suggestible=True)


@pytest.mark.parametrize("n", [1, 50])
def test_people_api_query_count(client, django_assert_num_queries, n):
    for i in range(n):
        PersonFactory(display_name=f"Person {i}", interests="a, b", profile__links="https://x.example")
    UserFactory(display_name="Never opted in")
    Conference.get()
    with django_assert_num_queries(4):
        response = client.get("/api/v1/people/")
    body = response.json()
    assert body["count"] == n
    first = body["results"][0]
    assert {k: first[k] for k in ("name", "interests", "links", "papers")} == {
        "name": "Person 0",
        "interests": ["a", "b"],
        "links": ["https://x.example"],
        "papers": [],
    }


def test_suggestions_are_opted_in_people_with_shared_interests_never_across_a_block():
    from people.models import Block
    from people.profiles import suggestions

    me = PersonFactory(interests="fairness, vision")
    both = PersonFactory(display_name="Both", interests="Vision, fairness")
    one = PersonFactory(display_name="One", interests="vision")
    PersonFactory(display_name="None", interests="audio")
    PersonFactory(display_name="Not suggestible", interests="vision", profile__suggestible=False)
    blocked = PersonFactory(display_name="Blocked", interests="fairness")
    Block.objects.create(blocker=blocked, blocked=me)
    found = [(s["user"], s["shared"]) for s in suggestions(me)]
    assert found == [(both, ["fairness", "vision"]), (one, ["vision"])]
    page = logged_in(me).get("/me/people/").content.decode()
    assert "People you might like to meet" in page and "you share fairness, vision" in page
