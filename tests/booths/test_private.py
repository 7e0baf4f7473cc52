"""Self-organised booths: started by a registered attendee for 2-3 people, private to them,
closed after a set time with their chat."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from booths.models import Booth, BoothMember
from booths.services import private
from booths.services.errors import BoothError
from chat import rooms, services
from chat.models import Message, Room
from chat.services.errors import ChatError
from tests.booths.factories import BoothFactory
from tests.chat.factories import AttendeeFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_start_makes_a_private_booth_with_its_members_room_call_and_closing_time(settings):
    settings.BOOTH_PRIVATE_CALL_URL = "https://meet.jit.si/portal-{token}"
    ada, bob = AttendeeFactory(), AttendeeFactory()
    before = timezone.now()
    booth = private.start_private_booth(ada, [bob], name="Diffusion chat", topic="score matching")
    assert (booth.kind, booth.name, booth.topic) == (Booth.Kind.SELF_ORGANISED, "Diffusion chat", "score matching")
    assert set(booth.members.all()) == {ada, bob}
    assert booth.slug.startswith("private-") and len(booth.slug) == len("private-") + 16
    assert booth.call_link.startswith("https://meet.jit.si/portal-") and len(booth.call_link) == 27 + 24
    assert before + timedelta(hours=24) <= booth.closes_at <= timezone.now() + timedelta(hours=24)
    room = Room.objects.get(key=f"booth:{booth.slug}")
    assert (room.kind, room.private, room.title) == ("booth", True, "Diffusion chat")
    assert private.is_member(booth, ada) and private.is_member(booth, bob)
    assert not private.is_member(booth, AttendeeFactory())


def test_two_booths_get_different_call_links_and_slugs():
    ada = AttendeeFactory()
    one, two = private.start_private_booth(ada), private.start_private_booth(ada)
    assert one.call_link != two.call_link and one.slug != two.slug


def test_a_fourth_member_is_refused_and_nothing_is_written():
    ada, bob, cy, dan = AttendeeFactory.create_batch(4)
    with pytest.raises(BoothError) as refusal:
        private.start_private_booth(ada, [bob, cy, dan])
    assert refusal.value.reason == "too_many"
    assert str(refusal.value) == (
        "A self-organised booth has at most 3 people (you asked for 4). "
        "Start another one, or ask the organisers about a public booth."
    )
    assert (Booth.objects.count(), Room.objects.count()) == (0, 0)
    booth = private.start_private_booth(ada, [bob, cy])
    with pytest.raises(BoothError) as refusal:
        private.add_member(booth, dan, by=ada)
    assert refusal.value.reason == "too_many"
    assert BoothMember.objects.filter(booth=booth).count() == 3


def test_the_maximum_is_a_setting(settings):
    settings.BOOTH_PRIVATE_MAX_MEMBERS = 2
    ada, bob, cy = AttendeeFactory.create_batch(3)
    with pytest.raises(BoothError):
        private.start_private_booth(ada, [bob, cy])
    booth = private.start_private_booth(ada, [bob])
    with pytest.raises(BoothError):
        private.join_by_invite(booth, cy, booth.invite_token)


def test_the_same_person_twice_counts_once():
    ada, bob = AttendeeFactory.create_batch(2)
    booth = private.start_private_booth(ada, [bob, bob, ada])
    assert booth.memberships.count() == 2
    assert private.add_member(booth, bob, by=ada) is False


def test_only_registered_attendees_start_join_or_are_added():
    stranger, ada = UserFactory(), AttendeeFactory()
    with pytest.raises(BoothError) as refusal:
        private.start_private_booth(stranger)
    assert refusal.value.reason == "not_registered"
    with pytest.raises(BoothError) as refusal:
        private.start_private_booth(ada, [stranger])
    assert str(refusal.value) == (
        f"{stranger.name} is not a registered attendee: self-organised booths are for registered attendees only."
    )
    booth = private.start_private_booth(ada)
    with pytest.raises(BoothError):
        private.add_member(booth, stranger, by=ada)
    with pytest.raises(BoothError):
        private.join_by_invite(booth, stranger, booth.invite_token)
    assert booth.memberships.count() == 1


def test_only_members_add_people_and_the_invite_needs_its_token():
    ada, bob, cy = AttendeeFactory.create_batch(3)
    booth = private.start_private_booth(ada)
    with pytest.raises(BoothError) as refusal:
        private.add_member(booth, cy, by=bob)
    assert refusal.value.reason == "not_member"
    with pytest.raises(BoothError) as refusal:
        private.join_by_invite(booth, bob, "wrong")
    assert refusal.value.reason == "bad_invite"
    assert private.join_by_invite(booth, bob, booth.invite_token) is True
    assert private.add_member(booth, cy, by=bob) is True
    assert set(booth.members.all()) == {ada, bob, cy}


def test_a_public_booth_has_no_members_to_add():
    ada, bob = AttendeeFactory.create_batch(2)
    with pytest.raises(BoothError) as refusal:
        private.add_member(BoothFactory(), bob, by=ada)
    assert refusal.value.reason == "not_private"


def test_expired_booths_close_and_their_chat_is_deleted():
    ada, bob = AttendeeFactory.create_batch(2)
    old = private.start_private_booth(ada, [bob])
    young = private.start_private_booth(ada)
    services.post_message(room=rooms.open_room(old.room_key), author=ada, body="see you in the call")
    Booth.objects.filter(pk=old.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert private.close_expired_private_booths() == 1
    assert private.close_expired_private_booths() == 0
    old.refresh_from_db()
    assert old.closed_at is not None and (old.call_link, old.invite_token) == ("", "")
    assert not Room.objects.filter(key=old.room_key).exists()
    assert Message.objects.count() == 0
    assert Room.objects.filter(key=young.room_key).exists()
    # A closed booth's room cannot be opened again, and nobody may enter it.
    assert rooms.find_room(old.room_key) is None
    with pytest.raises(BoothError) as refusal:
        private.join_by_invite(old, AttendeeFactory(), "")
    assert refusal.value.reason == "bad_invite"


def test_the_beat_task_closes_them(settings):
    from booths import tasks

    booth = private.start_private_booth(AttendeeFactory())
    Booth.objects.filter(pk=booth.pk).update(closes_at=timezone.now())
    assert tasks.close_expired_private_booths() == 1
    assert "close-private-booths" in settings.CELERY_BEAT_SCHEDULE


# --- the room is private ----------------------------------------------------------------------


def test_only_members_may_post_or_read_through_the_api():
    ada, bob, outsider = AttendeeFactory.create_batch(3)
    booth = private.start_private_booth(ada, [bob])
    room = rooms.open_room(booth.room_key)
    services.post_message(room=room, author=bob, body="hello")
    with pytest.raises(ChatError) as refusal:
        services.post_message(room=room, author=outsider, body="let me in")
    assert refusal.value.reason == "not_member"
    url = f"/api/v1/rooms/{booth.room_key}/messages/"
    assert client_for(ada).get(url).json()["results"][0]["html"] == "<p>hello</p>"
    assert client_for(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 404
    body = {"body": "hi", "client_id": "x1"}
    assert client_for(outsider).post(url, body, content_type="application/json").status_code == 404
    assert client_for(bob).post(url, body, content_type="application/json").status_code == 201


def test_the_room_page_and_post_page_are_404_for_everyone_but_members():
    ada, outsider = AttendeeFactory.create_batch(2)
    booth = private.start_private_booth(ada)
    for client in (Client(), client_for(outsider), client_for(ada)):
        # /rooms/<key>/ is a public page (the same for everyone): never a private room.
        assert client.get(f"/rooms/{booth.room_key}/").status_code == 404
    assert client_for(outsider).get(f"/rooms/{booth.room_key}/post/").status_code == 404
    assert client_for(ada).get(f"/rooms/{booth.room_key}/post/").status_code == 200


def test_mentions_in_a_private_room_reach_members_only():
    ada, bob = AttendeeFactory.create_batch(2)
    outsider = AttendeeFactory(display_name="Zed")
    bob.display_name = "Bob"
    bob.save()
    booth = private.start_private_booth(ada, [bob])
    message = services.post_message(room=rooms.open_room(booth.room_key), author=ada, body="@Bob and @Zed")
    assert [m.user for m in message.mentions.all()] == [bob]
    assert outsider.pk not in message.mentions.values_list("user", flat=True)


# --- pages ----------------------------------------------------------------------------------


def test_a_member_sees_the_page_with_call_link_invite_and_notice():
    ada, bob = AttendeeFactory.create_batch(2)
    booth = private.start_private_booth(ada, [bob], name="Late-night RL")
    response = client_for(bob).get(f"/booths/{booth.slug}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    html = response.content.decode()
    assert "Late-night RL" in html
    assert f'href="{booth.call_link}"' in html
    assert f"/booths/{booth.slug}/join/{booth.invite_token}/" in html
    assert "Booth discussions are not recorded." in html
    assert f'data-chat-room="{booth.room_key}"' in html


def test_everyone_else_gets_404_as_for_a_booth_that_does_not_exist():
    ada, outsider = AttendeeFactory.create_batch(2)
    booth = private.start_private_booth(ada, name="Secret society")
    for client in (Client(), client_for(outsider), client_for(UserFactory())):
        response = client.get(f"/booths/{booth.slug}/")
        assert response.status_code == 404
        assert "Secret society" not in response.content.decode()
        assert "no-store" in response["Cache-Control"]
    assert Client().get("/booths/private-0000000000000000/").status_code == 404


def test_a_closed_booth_shows_its_members_that_it_closed_without_chat_or_call():
    ada = AttendeeFactory()
    booth = private.start_private_booth(ada)
    link = booth.call_link
    private.close_private_booth(booth)
    html = client_for(ada).get(f"/booths/{booth.slug}/").content.decode()
    assert "This booth closed" in html
    assert link not in html and "data-chat-room" not in html


def test_start_page_starts_one_and_refuses_a_fourth_by_name():
    ada, bob, cy, dan = AttendeeFactory.create_batch(4)
    client = client_for(ada)
    assert client.get("/booths/start/").status_code == 200
    response = client.post("/booths/start/", {"name": "Four", "others": f"{bob.email}, {cy.email}, {dan.email}"})
    assert response.status_code == 400
    assert "A self-organised booth has at most 3 people (you asked for 4)." in response.content.decode()
    assert Booth.objects.count() == 0
    response = client.post("/booths/start/", {"name": "Three", "others": f"{bob.email}, {cy.email}"})
    booth = Booth.objects.get()
    assert response["Location"] == f"/booths/{booth.slug}/"
    assert set(booth.members.all()) == {ada, bob, cy}


def test_start_page_names_a_bad_address():
    response = client_for(AttendeeFactory()).post("/booths/start/", {"others": "nobody@example.org, not-an-address"})
    assert response.status_code == 400
    assert "“not-an-address” is not an e-mail address." in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in():
    assert Client().get("/booths/start/")["Location"].startswith("/accounts/login/")


def test_the_invite_link_lets_a_registered_attendee_in_and_tells_others_why_not():
    ada, bob = AttendeeFactory.create_batch(2)
    booth = private.start_private_booth(ada, name="Invited chat")
    url = f"/booths/{booth.slug}/join/{booth.invite_token}/"
    assert Client().get(url)["Location"].startswith("/accounts/login/")
    unregistered = client_for(UserFactory()).get(url)
    assert unregistered.status_code == 403
    assert "Self-organised booths are for registered attendees only." in unregistered.content.decode()
    assert "Invited chat" not in unregistered.content.decode()
    assert client_for(bob).get(f"/booths/{booth.slug}/join/wrong/").status_code == 404
    client = client_for(bob)
    assert "Join “Invited chat”" in client.get(url).content.decode()
    assert client.post(url)["Location"] == f"/booths/{booth.slug}/"
    assert private.is_member(booth, bob)


def test_adding_by_e_mail_from_the_page():
    ada, bob, cy, dan = AttendeeFactory.create_batch(4)
    booth = private.start_private_booth(ada, [bob])
    client = client_for(ada)
    client.post(f"/booths/{booth.slug}/members/", {"email": cy.email})
    response = client.post(f"/booths/{booth.slug}/members/", {"email": dan.email}, follow=True)
    assert "A self-organised booth has at most 3 people (you asked for 4)." in response.content.decode()
    assert set(booth.members.all()) == {ada, bob, cy}
    assert client_for(dan).post(f"/booths/{booth.slug}/members/", {"email": dan.email}).status_code == 404


def test_the_state_tells_only_members_about_the_room():
    ada, outsider = AttendeeFactory.create_batch(2)
    booth = private.start_private_booth(ada)
    url = f"/me/state.json?rooms={booth.room_key}"
    assert client_for(outsider).get(url).json()["rooms"] == {}
    assert client_for(ada).get(url).json()["rooms"] == {
        booth.room_key: {"can_post": True, "reason": "", "detail": "", "moderator": False, "muted": False}
    }


def test_the_room_directory_never_lists_a_private_room():
    booth = private.start_private_booth(AttendeeFactory(), name="Hidden gem")
    rooms.open_room("corridor")
    assert "Hidden gem" not in Client().get("/rooms/").content.decode()
    api = Client().get("/api/v1/rooms/").json()
    assert [r["key"] for r in api["results"]] == ["corridor"]
    assert booth.slug not in str(api)
