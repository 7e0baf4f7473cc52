"""Who's around: people online now, and where those who share a profile are."""

from datetime import UTC, datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from chat.rooms import open_room
from people import presence
from people.models import Block, Presence
from tests.factories import SessionFactory, UserFactory
from tests.people.factories import PersonFactory
from tests.posters.factories import paper_in_sessions

NOW = datetime(2020, 4, 27, 6, tzinfo=UTC)


@pytest.mark.django_db
def test_around_shows_people_who_share_a_profile_where_they_are():
    live = SessionFactory(start=NOW - timedelta(hours=1), end=NOW + timedelta(hours=1))
    later = SessionFactory(start=NOW + timedelta(hours=5), end=NOW + timedelta(hours=7))
    paper_in_sessions([live], uid="livePaper", title="Live poster")
    paper_in_sessions([later], uid="laterPaper", title="Later poster")
    ada = PersonFactory(display_name="Ada", interests="engines")
    bob = PersonFactory(display_name="Bob")
    quiet = UserFactory(display_name="Quiet")
    presence.entered(user_id=ada.pk, room_key="corridor", now=NOW)
    presence.entered(user_id=ada.pk, room_key="paper:livePaper", now=NOW)
    presence.entered(user_id=bob.pk, room_key="paper:laterPaper", now=NOW)  # not in a live session
    presence.entered(user_id=quiet.pk, room_key="corridor", now=NOW)
    assert presence.online_count(NOW) == 3
    [found] = presence.around(NOW)
    assert found["user"] == ada
    assert [(p["key"], p["title"], p["url"]) for p in found["places"]] == [
        ("corridor", "The Corridor", "/corridor/"),
        ("paper:livePaper", "Live poster", "/papers/livePaper/"),
    ]
    # Stale rows (a killed process) are ignored.
    assert presence.online_count(NOW + presence.STALE + timedelta(seconds=1)) == 0


@pytest.mark.django_db
def test_several_tabs_count_once_and_leave_when_the_last_closes():
    ada = PersonFactory()
    presence.entered(user_id=ada.pk, room_key="corridor", now=NOW)
    presence.entered(user_id=ada.pk, room_key="corridor", now=NOW)
    assert Presence.objects.get().connections == 2
    presence.left(user_id=ada.pk, room_key="corridor", now=NOW)
    assert Presence.objects.get().connections == 1
    presence.left(user_id=ada.pk, room_key="corridor", now=NOW)
    assert not Presence.objects.exists()


@pytest.mark.django_db
def test_the_around_page_is_public_and_blockers_are_hidden_by_the_state():
    open_room("corridor")
    ada, bob = PersonFactory(display_name="Ada Around"), PersonFactory()
    UserFactory(display_name="Quiet One")
    presence.entered(user_id=ada.pk, room_key="corridor")
    response = Client().get("/people/around/")
    page = response.content.decode()
    assert response["Cache-Control"] == "public, max-age=10"
    assert "Ada Around" in page and "Quiet One" not in page
    assert '<strong id="online-count">1</strong> person is online now.' in page
    Block.objects.create(blocker=ada, blocked=bob)
    client = Client()
    client.force_login(bob)
    assert client.get("/me/state.json", {"people": str(ada.pk)}).json()["people"]["hidden"] == [ada.pk]
    home = Client().get("/").content.decode()
    assert "1 person online now: who's around" in home


@pytest.mark.django_db(transaction=True)
async def test_a_room_socket_puts_a_logged_in_person_in_the_room():
    from tests.chat.conftest import close_all, open_socket

    await database_sync_to_async(open_room)("corridor")
    ada = await database_sync_to_async(PersonFactory)(display_name="Ada")
    socket, state = await open_socket("corridor", ada)
    assert state["type"] == "room.state"
    rows = await database_sync_to_async(lambda: list(Presence.objects.values_list("user_id", "place", "connections")))()
    assert rows == [(ada.pk, "corridor", 1)]
    anonymous, _ = await open_socket("corridor")
    assert await database_sync_to_async(Presence.objects.count)() == 1
    await close_all(socket, anonymous)
    assert await database_sync_to_async(Presence.objects.count)() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 50])
def test_around_page_query_count(django_assert_num_queries, n):
    from portal.models import Conference

    Conference.get()
    open_room("corridor")
    for _ in range(n):
        person = PersonFactory(interests="a, b")
        presence.entered(user_id=person.pk, room_key="corridor")
    # online count, who is where (opted in), live papers, profiles with their users
    with django_assert_num_queries(4):
        page = Client().get("/people/around/").content.decode()
    assert page.count('class="person-card"') == n


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 50])
def test_state_people_part_query_count(django_assert_num_queries, n):
    people = [PersonFactory() for _ in range(n)]
    viewer = PersonFactory()
    client = Client()
    client.force_login(viewer)
    keys = ",".join(str(p.pk) for p in people)
    client.get("/me/state.json", {"people": keys})
    # the state's own (user, roles, stars, agenda, conference (the phase: no reminders in the
    # archive), reminders) + people: blocks, introductions asked, my profile, sanctions, my
    # queue entry, open seat, last room
    with django_assert_num_queries(13):
        state = client.get("/me/state.json", {"people": keys + ",me"}).json()["people"]
    assert state["me"]["can_meet"] is True
