"""A paper's chat on the paper page, in real browsers: one attendee posts, another sees it live."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from posters.models import Author
from tests.e2e.conftest import assert_no_serious_axe_violations, save_artifacts
from tests.e2e.test_chat_live import logged_in
from tests.factories import PaperFactory, UserFactory

UID = "E2EPaperChat"


@pytest.fixture
def paper(transactional_db):
    paper = PaperFactory(
        uid=UID,
        title="Learning to discuss papers live",
        abstract="We let attendees talk about a paper beside its video.",
        author_names=["Grace Hopper"],
    )
    Author.objects.filter(name="Grace Hopper").update(email="grace@example.org")
    return paper


def attendee(name, **kwargs):
    return UserFactory(registered=True, display_name=name, code_of_conduct_accepted_at=timezone.now(), **kwargs)


def open_paper_chat(page):
    page.goto(f"/papers/{UID}/")
    room = page.locator(f'#paper-chat [data-chat-room="paper:{UID}"]')
    expect(room.locator("[data-status]")).to_have_text("Live")
    return room


def test_an_attendee_posts_on_a_paper_and_another_sees_it_live(new_page, live_server_url, paper):
    ada = attendee("Ada")
    grace = attendee("Grace Hopper", email="grace@example.org")
    a = logged_in(new_page, ada, live_server_url, timezone_id="Europe/Paris")
    b = logged_in(new_page, grace, live_server_url)
    room_a, room_b = open_paper_chat(a), open_paper_chat(b)
    expect(room_a.locator("[data-present]")).to_have_text("2", timeout=5000)

    room_a.get_by_label("Your message").fill("Does this work on **graphs**?")
    room_a.get_by_role("button", name="Send").click()
    question = room_b.locator("li.chat-message", has_text="Does this work on graphs?")
    expect(question).to_be_visible()
    expect(question.locator("strong")).to_have_text("graphs")
    expect(room_a.locator("li[data-pending]")).to_have_count(0)  # acknowledged

    # The paper's author answers: the reply carries the "author" badge on both pages.
    room_b.get_by_label("Your message").fill("Yes, see section 4.")
    room_b.get_by_role("button", name="Send").click()
    answer = room_a.locator("li.chat-message", has_text="Yes, see section 4.")
    expect(answer).to_be_visible()
    expect(answer.locator(".chat-badge")).to_have_text("author")

    # The page is everyone's; the account menu and the composer came with Ada's state.
    expect(a.get_by_role("link", name="Your profile: Ada")).to_be_visible()
    expect(room_a.get_by_role("button", name="Send")).to_be_visible()
    save_artifacts(a, "papers-chat-logged-in")
    assert_no_serious_axe_violations(a, "#paper-chat")
    save_artifacts(a, "paper-chat-a-sees-the-author")

    # A reload shows the conversation from the server-rendered page.
    b.reload()
    expect(b.locator("#paper-chat li.chat-message")).to_have_count(2)
