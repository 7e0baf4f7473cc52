"""/api/v1/keynotes/: keynotes and their questions, never hidden ones nor anonymous askers' names."""

import pytest
import time_machine

from tests.keynotes.factories import DURING, OPEN, KeynoteFactory, QuestionFactory
from tests.schedule.factories import at

pytestmark = pytest.mark.django_db


def test_a_keynote(keynote, client):
    with time_machine.travel(DURING, tick=False):
        data = client.get("/api/v1/keynotes/hopper/").json()
    assert data == {
        "slug": "hopper",
        "title": "Compilers for everyone",
        "abstract": "What we learnt.",
        "speakers": [{"name": "Grace Hopper", "affiliation": "Navy", "bio": "", "photo_url": None}],
        "qa_session": {"id": keynote.qa_session.pk, "start": "2020-04-27T10:00:00Z", "end": "2020-04-27T10:45:00Z"},
        "phase": "live",
        "questions_open_at": "2020-04-26T14:00:00Z",
        "questions_close_at": "2020-04-27T10:45:00Z",
        "pre_moderated": False,
        "page_url": "http://testserver/keynotes/hopper/",
        "questions_url": "http://testserver/api/v1/keynotes/hopper/questions/",
        "chat_room": "keynote:hopper",
    }


def test_questions_without_hidden_ones_or_anonymous_names(keynote, client):
    top = QuestionFactory(keynote=keynote, body="Top", votes=4, anonymous=True)
    named = QuestionFactory(keynote=keynote, body="Named", votes=2)
    for status in ("hidden", "pending", "merged"):
        QuestionFactory(keynote=keynote, body=status, votes=9, status=status)
    keynote.on_air = top
    keynote.save()
    data = client.get("/api/v1/keynotes/hopper/questions/").json()
    assert [(q["body"], q["author"], q["votes"], q["on_air"]) for q in data["results"]] == [
        ("Top", None, 4, True),
        ("Named", named.author.name, 2, False),
    ]
    assert "asker" not in str(data)
    newest = client.get("/api/v1/keynotes/hopper/questions/?sort=new").json()["results"]
    assert [q["body"] for q in newest] == ["Named", "Top"]
    bad = client.get("/api/v1/keynotes/hopper/questions/?sort=loud")
    assert (bad.status_code, bad.json()) == (400, {"sort": "“loud” is not a sort order: top or new."})
    assert client.get("/api/v1/keynotes/nobody/questions/").status_code == 404


@pytest.mark.parametrize("n", (1, 50))
def test_keynote_list_query_count(conference, client, django_assert_num_queries, n):
    for number in range(n):
        KeynoteFactory(qa_start=at(2020, 4, 27, 3) + number * (at(2020, 4, 27, 4) - at(2020, 4, 27, 3)))
    with time_machine.travel(OPEN, tick=False), django_assert_num_queries(3):
        response = client.get("/api/v1/keynotes/")
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", (1, 50))
def test_question_list_query_count(keynote, client, django_assert_num_queries, n):
    QuestionFactory.create_batch(n, keynote=keynote)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/keynotes/hopper/questions/")
    assert len(response.json()["results"]) == n


def test_the_schema_documents_them(client, conference):
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/v1/keynotes/", "/api/v1/keynotes/{slug}/", "/api/v1/keynotes/{slug}/questions/"} <= set(
        schema["paths"]
    )
    question = schema["components"]["schemas"]["Question"]["properties"]
    assert "asker" not in question
    assert question["author"]["nullable"] is True
