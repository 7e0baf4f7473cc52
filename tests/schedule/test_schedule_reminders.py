"""Reminders: once, on time, never for the past, in the recipient's zone, with a notice on the site."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from schedule.agenda import add_to_agenda
from schedule.models import AgendaItem, AgendaSettings, Session
from schedule.reminders import send_due_reminders
from schedule.tasks import send_reminders
from tests.factories import UserFactory
from tests.schedule.factories import at, session
from tests.schedule.html import parse

pytestmark = pytest.mark.django_db

START = at(2020, 4, 27, 12)


class BrokenMailServer(BaseEmailBackend):
    """An SMTP server that is down (a stand-in for Django's backend, not for our code)."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture(autouse=True)
def _portal_address(settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"


@pytest.fixture
def poster(conference):
    return session(Session.Kind.POSTER, START, title="Poster session 3")


@pytest.fixture
def attendee(poster):
    user = UserFactory(email="ada@example.org", display_name="Ada", time_zone="Asia/Kolkata")
    add_to_agenda(user, poster)
    return user


def test_a_reminder_goes_out_once_at_its_time(attendee):
    with time_machine.travel(START - timedelta(minutes=16), tick=False):
        early = send_due_reminders()
    with time_machine.travel(START - timedelta(minutes=15), tick=False):
        due = send_due_reminders()
        again = send_due_reminders()
    with time_machine.travel(START - timedelta(minutes=5), tick=False):
        later = send_due_reminders()
    assert (early, due, again, later, len(mail.outbox)) == (0, 1, 0, 0, 1)
    [message] = mail.outbox
    assert (message.to, message.subject) == (["ada@example.org"], "Starting soon: Poster session 3")
    assert message.body.splitlines()[2:7] == [
        "Something in your agenda starts soon:",
        "",
        "* Poster session 3",
        "  Poster session, in 15 min: Mon 27 Apr 2020, 17:30–19:30 IST (Asia/Kolkata)",
        f"  https://portal.example.org/schedule/sessions/{attendee.agenda_items.get().session_id}/",
    ]
    assert "zoom" not in message.body


def test_no_reminder_for_what_has_started(attendee):
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        assert send_due_reminders() == 0
    assert (len(mail.outbox), AgendaItem.objects.get().reminded_at) == (0, None)


def test_the_recipients_preferences_rule(attendee, poster):
    AgendaSettings.objects.create(user=attendee, reminder_minutes=60, email_reminders=False)
    other = UserFactory(time_zone="")
    AgendaSettings.objects.create(user=other, reminder_minutes=0)
    add_to_agenda(other, poster)
    with time_machine.travel(START - timedelta(minutes=59), tick=False):
        assert send_due_reminders() == 1
    # The notice without an e-mail for the first; nothing for who turned reminders off.
    assert (
        len(mail.outbox),
        list(AgendaItem.objects.filter(reminded_at__isnull=False).values_list("user", flat=True)),
    ) == (
        0,
        [attendee.pk],
    )


def test_items_that_start_together_share_one_email(conference, attendee):
    keynote = session(Session.Kind.KEYNOTE, START + timedelta(minutes=5), hours=0.5, title="Keynote")
    add_to_agenda(attendee, keynote, subject_key="", label="")
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        assert send_due_reminders() == 2
    assert [m.subject for m in mail.outbox] == ["Starting soon: 2 items in your agenda"]


def test_without_a_profile_zone_the_email_speaks_the_conferences(poster):
    user = UserFactory(time_zone="")
    add_to_agenda(user, poster)
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        send_due_reminders()
    assert mail.outbox[0].body.splitlines()[5] == (
        "  Poster session, in 10 min: Mon 27 Apr 2020, 15:00–17:00 EAT (Africa/Addis_Ababa)"
    )


def test_a_failed_send_is_retried_and_still_sent_once(attendee, settings):
    settings.EMAIL_BACKEND = "tests.schedule.test_schedule_reminders.BrokenMailServer"
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        with pytest.raises(ConnectionRefusedError):
            send_due_reminders()
        assert AgendaItem.objects.get().reminded_at is None
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert (send_due_reminders(), send_due_reminders(), len(mail.outbox)) == (1, 0, 1)


def test_the_celery_task_runs_the_service(attendee):
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        assert send_reminders.apply().get() == 1  # in-process, with or without a broker


def test_the_notice_shows_on_my_agenda_until_dismissed(attendee, client):
    client.force_login(attendee)
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        send_due_reminders()
        notice = parse(client.get("/me/agenda/").content).find("reminder")
        assert (
            notice.find(tag="p").text == "Starting soon: Poster session 3 · Mon 27 Apr, 17:30–19:30 IST "
            "· Mon 27 Apr, 15:00–17:00 EAT at the conference"
        )
        client.post(f"/me/agenda/notices/{attendee.agenda_items.get().pk}/dismiss/")
        assert parse(client.get("/me/agenda/").content).find("reminder") is None


def test_the_notice_shows_on_the_schedule_pages_too(attendee, client):
    client.force_login(attendee)
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        send_due_reminders()
        html = client.get("/schedule/2020-04-27/").content.decode()
        state = client.get("/me/state.json").json()
    # The page is everyone's: the notice comes with the visitor's state, in its place.
    assert "<div data-reminder-notices></div>" in html
    assert parse(state["reminders_html"]).find("reminder").find(tag="a").text == "Poster session 3"


def test_the_state_carries_the_notice_only_while_it_shows(attendee, client):
    client.force_login(attendee)
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        assert client.get("/me/state.json").json()["reminders_html"] == ""  # not reminded yet
        send_due_reminders()
        assert "Poster session 3" in client.get("/me/state.json").json()["reminders_html"]
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        assert client.get("/me/state.json").json()["reminders_html"] == ""  # the session has ended
    with time_machine.travel(START - timedelta(minutes=5), tick=False):
        client.post(f"/me/agenda/notices/{attendee.agenda_items.get().pk}/dismiss/")
        state = client.get("/me/state.json").json()
    assert (state["reminders_html"], len(state["agenda"])) == ("", 1)
