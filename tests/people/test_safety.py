"""Blocking and reporting: a block hides, refuses and ends; a report reaches chat's moderators."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from chat.models import ModerationAction, Report
from people import introductions, matching, safety
from people.models import Block, Introduction, Match, QueueEntry
from people.safety import MeetError
from portal.models import MODERATORS_GROUP
from tests.factories import UserFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def state(client, keys):
    response = client.get("/me/state.json", {"people": keys})
    assert response.status_code == 200
    return response.json()["people"]


def test_a_blocked_person_does_not_see_the_blockers_profile_in_their_state():
    ada, bob, cy = PersonFactory(), PersonFactory(), PersonFactory()
    safety.block(ada, bob)
    assert state(logged_in(bob), f"{ada.pk},{cy.pk}") == {"hidden": [ada.pk], "blocked": [], "asked": [], "me": None}
    # Nor does the blocker see the blocked person in any list.
    assert state(logged_in(ada), f"{bob.pk},{cy.pk}") == {
        "hidden": [bob.pk],
        "blocked": [bob.pk],
        "asked": [],
        "me": None,
    }
    assert state(Client(), f"{ada.pk}") == {"hidden": [], "blocked": [], "asked": [], "me": None}


def test_the_state_refuses_keys_that_are_not_people():
    response = logged_in(PersonFactory()).get("/me/state.json", {"people": "1,x;drop"})
    assert response.status_code == 400
    assert response.json() == {"detail": "“x;drop” is not a person's key (their id, or me)."}


def test_a_block_refuses_introductions_both_ways_and_declines_pending_ones():
    ada, bob = PersonFactory(), PersonFactory()
    intro = introductions.request_introduction(bob, ada.pk, "Hello")
    safety.block(ada, bob)
    intro.refresh_from_db()
    assert intro.status == Introduction.Status.DECLINED
    for asker, other in ((bob, ada), (ada, bob)):
        with pytest.raises(MeetError) as refused:
            introductions.request_introduction(asker, other.pk, "Hi again")
        assert refused.value.reason == "blocked"


def test_a_block_ends_an_offer_between_them():
    ada, bob = PersonFactory(), PersonFactory()
    matching.join_queue(ada)
    [match] = matching.join_queue(bob)
    safety.block(ada, bob)
    match.refresh_from_db()
    assert match.status == Match.Status.SKIPPED
    # bob went back to the queue; ada joins again and is not paired with him.
    assert matching.join_queue(ada) == []
    assert QueueEntry.objects.count() == 2


def test_block_and_unblock_pages_without_javascript():
    ada, bob = PersonFactory(), PersonFactory()
    client = logged_in(ada)
    page = client.get(f"/people/{bob.pk}/block/?next=/people/").content.decode()
    assert "Block this person?" in page and "csrfmiddlewaretoken" in page
    response = client.post(f"/people/{bob.pk}/block/", {"next": "/people/"})
    assert (response.status_code, response["Location"]) == (302, "/people/")
    assert Block.objects.filter(blocker=ada, blocked=bob).count() == 1
    client.post(f"/people/{bob.pk}/block/")  # twice: still one
    assert Block.objects.filter(blocker=ada, blocked=bob).count() == 1
    response = client.post(f"/people/{bob.pk}/unblock/")
    assert response.status_code == 302
    assert not Block.objects.exists()
    assert client.post(f"/people/{ada.pk}/block/").status_code == 302
    assert not Block.objects.exists()  # "You cannot block yourself."


def test_a_report_reaches_the_moderators_queue_and_the_audit_log():
    ada, bob = PersonFactory(), PersonFactory(display_name="Rude Bob")
    moderator = UserFactory(display_name="Mo")
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    client = logged_in(ada)
    page = client.get(f"/people/{bob.pk}/report/").content.decode()
    assert 'href="/code-of-conduct/"' in page
    response = client.post(f"/people/{bob.pk}/report/", {"reason": "harassment", "detail": "Rude in our room"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.person, report.reporter, report.reason, report.detail, report.message) == (
        bob,
        ada,
        "harassment",
        "Rude in our room",
        None,
    )
    client.post(f"/people/{bob.pk}/report/", {"reason": "harassment"})  # an open report is not repeated
    assert Report.objects.count() == 1
    queue = logged_in(moderator).get("/moderation/").content.decode()
    assert "Reported people (1)" in queue and "Rude Bob" in queue and "Rude in our room" in queue
    response = logged_in(moderator).post(f"/moderation/users/{bob.pk}/ban/", {"reason": "Reported person"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.resolution, report.resolved_by) == (Report.Resolution.SANCTIONED, moderator)
    assert list(ModerationAction.objects.values_list("action", "target_user")) == [("ban", bob.pk)]
    # Banned: bob can no longer meet anyone.
    with pytest.raises(MeetError) as refused:
        matching.join_queue(bob)
    assert refused.value.reason == "banned"


def test_dismissing_a_persons_reports_is_audited():
    ada, bob = PersonFactory(), PersonFactory()
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    safety.report(ada, bob, "spam")
    response = logged_in(moderator).post(f"/moderation/users/{bob.pk}/dismiss/")
    assert response.status_code == 302
    assert Report.objects.get().resolution == Report.Resolution.DISMISSED
    action = ModerationAction.objects.get()
    assert (action.action, action.target_user, action.detail) == ("dismiss", bob, {"reports": 1})
    assert logged_in(ada).post(f"/moderation/users/{bob.pk}/dismiss/").status_code == 403


def test_a_report_with_a_bad_reason_is_refused_naming_it():
    ada, bob = PersonFactory(), PersonFactory()
    response = logged_in(ada).post(f"/people/{bob.pk}/report/", {"reason": "because"})
    assert "Select a valid choice. because is not one of the available choices." in response.content.decode()
    assert not Report.objects.exists()


def test_a_blocked_person_cannot_mention_the_blocker():
    from chat.models import Mention
    from chat.rooms import open_room
    from chat.services import post_message
    from tests.chat.factories import AttendeeFactory

    ada = AttendeeFactory(display_name="Ada")
    bob = AttendeeFactory(display_name="Bob")
    AttendeeFactory(display_name="Cy")
    safety.block(ada, bob)
    message = post_message(room=open_room("corridor"), author=bob, body="@Ada and @Cy, look")
    assert list(Mention.objects.filter(message=message).values_list("user__display_name", flat=True)) == ["Cy"]
    # ada may still mention bob: the block keeps bob from her, not her from him.
    message = post_message(room=open_room("corridor"), author=ada, body="@Bob hello")
    assert list(Mention.objects.filter(message=message).values_list("user__display_name", flat=True)) == ["Bob"]
