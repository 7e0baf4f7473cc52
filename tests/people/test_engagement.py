"""Engagement: an attendee's questions and answers; authors' minimum-answer progress; admin figures."""

import pytest
from django.test import Client

from chat.rooms import open_room
from chat.services import post_message
from people import engagement
from tests.chat.factories import AttendeeFactory
from tests.factories import PaperFactory, UserFactory

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def papers(settings):
    settings.ENGAGEMENT_MIN_ANSWERS_PER_PAPER = 2
    author = AttendeeFactory(email="author@example.org", display_name="The Author")
    first = PaperFactory(uid="p1", title="First paper", author_names=["The Author"])
    second = PaperFactory(uid="p2", title="Second paper", author_names=["The Author"])
    for paper in (first, second):
        writer = paper.authorships.get().author
        writer.email = "author@example.org"
        writer.save()
    return author, open_room("paper:p1"), open_room("paper:p2")


def test_an_attendee_sees_their_questions_and_the_answers_they_received(papers):
    author, room, _ = papers
    asker = AttendeeFactory(display_name="Curious")
    question = post_message(room=room, author=asker, body="Why does it work?")
    post_message(room=room, author=asker, body="Also, the *data*?")
    post_message(room=room, author=author, body="Because of **care**.", reply_to=question.pk)
    assert engagement.counts(asker) == (2, 1)
    page = logged_in(asker).get("/me/questions/").content.decode()
    assert '<strong id="asked-count">2</strong>' in page and '<strong id="received-count">1</strong>' in page
    assert "Why does it work?" in page and "Because of <strong>care</strong>." in page and "Not answered yet." in page


def test_authors_see_the_minimum_answer_policy_and_their_progress(papers):
    author, first, second = papers
    asker = AttendeeFactory()
    questions = [post_message(room=first, author=asker, body=f"Question {i}?") for i in range(3)]
    post_message(room=first, author=author, body="Answer.", reply_to=questions[0].pk)
    post_message(room=second, author=asker, body="Only one?")
    progress = {p.key: (p.asked, p.answered, p.required, p.met) for p in engagement.author_progress(author)}
    assert progress == {"paper:p1": (3, 1, 2, False), "paper:p2": (1, 0, 1, False)}
    page = logged_in(author).get("/me/papers/authored/").content.decode()
    assert "answer at least <strong>2</strong> questions in each paper" in page
    assert "1 of 2" in page and "0 of 1" in page


def test_organisers_see_figures_per_paper_and_per_author_in_admin(papers, django_assert_max_num_queries):
    author, first, second = papers
    asker = AttendeeFactory()
    question = post_message(room=first, author=asker, body="Q?")
    post_message(room=first, author=asker, body="Q2?")
    post_message(room=first, author=author, body="A.", reply_to=question.pk)
    post_message(room=second, author=asker, body="Q3?")
    papers_with = {
        p.uid: (p.questions, p.answered) for p in engagement.annotate_papers(PaperFactory._meta.model.objects.all())
    }
    assert papers_with == {"p1": (2, 1), "p2": (1, 0)}
    from posters.models import Author

    [row] = engagement.annotate_authors(Author.objects.filter(email="author@example.org"))
    assert (row.paper_count, row.questions, row.answered) == (2, 3, 1)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = logged_in(admin)
    page = client.get("/admin/people/paperengagement/").content.decode()
    assert "First paper" in page and "Second paper" in page
    page = client.get("/admin/people/authorengagement/").content.decode()
    assert "The Author" in page
