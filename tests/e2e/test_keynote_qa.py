"""A keynote's live Q&A in three browsers: two attendees ask and upvote, the chair puts a
question on air and every page shows it at once; afterwards the page is read-only."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from keynotes.models import Question
from tests.chat.factories import AttendeeFactory
from tests.e2e.conftest import assert_no_serious_axe_violations, save_artifacts
from tests.e2e.test_chat_live import logged_in
from tests.keynotes.factories import KeynoteFactory


def test_ask_upvote_on_air_then_read_only(new_page, live_server_url):
    now = timezone.now()
    keynote = KeynoteFactory(slug="e2e", title="Learning to compile", qa_start=now - timedelta(minutes=5))
    ada = AttendeeFactory(display_name="Ada")
    bob = AttendeeFactory(display_name="Bob")
    chair = AttendeeFactory(display_name="Chair Person")
    keynote.chairs.add(chair)

    a = logged_in(new_page, ada, live_server_url, timezone_id="Asia/Tokyo")
    b = logged_in(new_page, bob, live_server_url)
    c = logged_in(new_page, chair, live_server_url)
    for page in (a, b):
        page.goto("/keynotes/e2e/")
        expect(page.locator("[data-ask-form]")).to_be_visible()
    c.goto("/keynotes/e2e/chair/")

    a.get_by_label("Your question").fill("Can a compiler <b>learn</b> its own passes?")
    a.get_by_role("button", name="Ask", exact=True).click()
    asked = b.locator(".question", has_text="Can a compiler <b>learn</b> its own passes?")
    expect(asked).to_be_visible()  # shown as text
    b.get_by_label("Your question").fill("What about debuggers?")
    b.get_by_label("Ask without my name").check()
    b.get_by_role("button", name="Ask", exact=True).click()
    expect(a.locator(".question", has_text="What about debuggers?")).to_contain_text("Anonymous")

    # Each upvotes the other's question; the counts reach every page.
    asked.get_by_role("button", name="Vote").click()
    expect(asked.locator(".vote-count")).to_have_text("1")
    expect(a.locator(".question", has_text="Can a compiler").locator(".vote-count")).to_have_text("1")
    a.locator(".question", has_text="What about debuggers?").get_by_role("button", name="Vote").click()
    expect(b.locator(".question", has_text="What about debuggers?").locator(".vote-count")).to_have_text("1")
    expect(c.locator(".chair-question", has_text="What about debuggers?")).to_contain_text("Bob")  # the chair sees who

    # The chair puts the top question on air with one key: every page shows it at once.
    expect(c.locator(".chair-question")).to_have_count(2)
    c.keyboard.press("n")
    for page in (a, b):
        expect(page.locator("[data-on-air]")).to_be_visible()
        expect(page.locator("[data-on-air-text]")).to_have_text("Can a compiler <b>learn</b> its own passes?")
        expect(page.locator(".question.on-air")).to_have_count(1)
    expect(c.locator("[data-on-air-text]")).to_have_text("Can a compiler <b>learn</b> its own passes?")
    save_artifacts(a, "keynote-qa-on-air-ada")
    save_artifacts(c, "keynote-qa-chair")
    assert_no_serious_axe_violations(a)
    assert_no_serious_axe_violations(c)

    c.keyboard.press("a")  # answered
    expect(a.locator(".question.answered", has_text="Can a compiler")).to_contain_text("Answered")
    assert Question.objects.get(body__startswith="Can a compiler").answered_at is not None

    # After the live session the page is read-only, the answered question marked.
    qa = keynote.qa_session
    qa.start, qa.end = now - timedelta(hours=2), now - timedelta(minutes=1)
    qa.save()
    b.goto("/keynotes/e2e/?sort=top")  # another URL: the browser keeps the page it had for 10 s
    expect(b.locator("[data-qa-status]")).to_contain_text("The Q&A has ended")
    expect(b.locator("[data-ask-form]")).to_have_count(0)
    expect(b.get_by_role("button", name="Vote")).to_have_count(0)
    expect(b.locator(".question.answered")).to_contain_text("Answered")
    save_artifacts(b, "keynote-qa-after")
    assert_no_serious_axe_violations(b)


def test_the_keynote_pages_read_without_javascript(new_page, live_server_url):
    KeynoteFactory(slug="nojs", title="Reading without scripts", qa_start=timezone.now() + timedelta(days=3))
    page = new_page(java_script_enabled=False)
    page.goto("/keynotes/")
    expect(page.get_by_role("link", name="Reading without scripts")).to_be_visible()
    page.get_by_role("link", name="Reading without scripts").click()
    expect(page.locator("h1")).to_have_text("Reading without scripts")
    expect(page.locator("#keynote-live")).to_contain_text("Live Q&A")
    save_artifacts(page, "keynote-page-nojs")
