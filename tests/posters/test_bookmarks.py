"""Bookmarks: the star toggle, My papers, and merging the browser's list on login."""

import json
import re

import pytest
from django.test import Client

from posters.models import Bookmark
from tests.factories import PaperFactory, UserFactory


@pytest.fixture
def person(client, conference):
    user = UserFactory()
    client.force_login(user)
    return user


def starred(html):
    return re.findall(r'data-uid="([^"]+)" aria-pressed="true"', html)


def test_star_toggles_without_javascript(client, person):
    PaperFactory(uid="p1", title="First")
    # The public page's star asks (GET) the private page that confirms with a token.
    star = re.search(r'<form method="get" action="([^"]+)" class="star-form">', client.get("/papers/").content.decode())
    assert star.group(1) == "/papers/p1/bookmark"
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(person)
    confirm = csrf_client.get("/papers/p1/bookmark", {"next": "/papers/?q=first"})
    assert (confirm.status_code, confirm["Cache-Control"]) == (
        200,
        "max-age=0, no-cache, no-store, must-revalidate, private",
    )
    form = re.search(r'<form method="post" action="/papers/p1/bookmark".*?</form>', confirm.content.decode(), re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0)))
    assert sorted(fields) == ["csrfmiddlewaretoken", "next", "on"]
    response = csrf_client.post("/papers/p1/bookmark", fields)
    assert (response.status_code, response["Location"]) == (302, "/papers/?q=first")
    assert list(Bookmark.objects.values_list("user_id", "paper__uid")) == [(person.pk, "p1")]
    assert csrf_client.get("/me/state.json").json()["stars"] == ["p1"]
    client.post("/papers/p1/bookmark")
    assert Bookmark.objects.count() == 0


def test_the_star_page_asks_anonymous_visitors_to_log_in(client, conference):
    PaperFactory(uid="p1")
    response = client.get("/papers/p1/bookmark", {"next": "/papers/p1/"})
    assert response["Location"] == "/accounts/login/?next=/papers/p1/bookmark%3Fnext%3D%252Fpapers%252Fp1%252F"


def test_star_with_htmx_returns_the_new_button(client, person):
    PaperFactory(uid="p1")
    html = client.post("/papers/p1/bookmark", headers={"HX-Request": "true"}).content.decode()
    assert starred(html) == ["p1"]
    assert "<html" not in html
    assert client.post("/papers/p1/bookmark", {"on": "1"}, headers={"HX-Request": "true"}).status_code == 200
    assert Bookmark.objects.count() == 1


def test_offsite_next_is_ignored(client, person):
    PaperFactory(uid="p1")
    response = client.post("/papers/p1/bookmark", {"next": "https://evil.example/"})
    assert response["Location"] == "/papers/p1/"


def test_anonymous_star_asks_to_log_in(client, conference):
    PaperFactory(uid="p1")
    response = client.post("/papers/p1/bookmark")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert client.post("/papers/p1/bookmark", headers={"HX-Request": "true"}).status_code == 401
    assert Bookmark.objects.count() == 0


def test_my_papers_lists_bookmarks_newest_first(client, person):
    for uid in ("a", "b", "c"):
        PaperFactory(uid=uid, title=f"Paper {uid}")
    client.post("/papers/b/bookmark")
    client.post("/papers/c/bookmark")
    html = client.get("/me/papers/").content.decode()
    assert re.findall(r'class="paper-title"><a href="/papers/([^/]+)/">', html) == ["c", "b"]


def test_anonymous_my_papers_renders_the_browsers_list(client, conference):
    PaperFactory(uid="a", title="Paper A")
    PaperFactory(uid="b", title="Paper B")
    html = client.get("/me/papers/", {"uids": "b,unknown,a"}, headers={"HX-Request": "true", "HX-Target": "my-papers"})
    assert re.findall(r'class="paper-title"><a href="/papers/([^/]+)/">', html.content.decode()) == ["a", "b"]


def test_merge_on_login(client, person):
    PaperFactory(uid="a")
    PaperFactory(uid="b")
    client.post("/papers/a/bookmark")
    response = client.post(
        "/me/papers/bookmarks", json.dumps({"uids": ["b", "a", "nope", 42]}), content_type="application/json"
    )
    assert response.json() == {"uids": ["b", "a"]}
    assert client.get("/me/papers/bookmarks").json() == {"uids": ["b", "a"]}


def test_merge_rejects_junk(client, person):
    assert client.post("/me/papers/bookmarks", "not json", content_type="application/json").status_code == 400
    bad = client.post("/me/papers/bookmarks", json.dumps({"uids": "a"}), content_type="application/json")
    assert bad.status_code == 400
    client.logout()
    assert client.get("/me/papers/bookmarks").status_code == 401
