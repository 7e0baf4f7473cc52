"""A self-organised booth's chat socket: members in, everyone else refused as for a room
that does not exist (4404)."""

import pytest
from channels.db import database_sync_to_async

from booths.services import private
from tests.chat.conftest import close_all, open_socket, post
from tests.chat.factories import AttendeeFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("refused_sockets_leave_no_connection")]

db = database_sync_to_async


async def test_members_connect_and_post_and_others_get_4404():
    ada, bob, outsider = [await db(AttendeeFactory)() for _ in range(3)]
    booth = await db(private.start_private_booth)(ada, [bob])
    socket, state = await open_socket(booth.room_key, bob)
    assert (state["room"], state["me"]["can_post"]) == (booth.room_key, True)
    ack = await post(socket, "hello, private world")
    assert ack["type"] == "message.ack"
    await close_all(socket)
    for who in (outsider, None):
        _, code = await open_socket(booth.room_key, who)
        assert code == 4404


async def test_after_closing_even_members_are_refused():
    ada = await db(AttendeeFactory)()
    booth = await db(private.start_private_booth)(ada)
    await db(private.close_private_booth)(booth)
    _, code = await open_socket(booth.room_key, ada)
    assert code == 4404
