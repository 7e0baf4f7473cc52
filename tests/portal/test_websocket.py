import pytest
from channels.testing import WebsocketCommunicator

from portal.asgi import application


@pytest.mark.django_db(transaction=True)
async def test_health_socket_echoes_through_the_channel_layer():
    communicator = WebsocketCommunicator(application, "/ws/health/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "user": False}
    await communicator.send_json_to({"ping": 1})
    assert await communicator.receive_json_from() == {"type": "echo", "payload": {"ping": 1}}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_sockets_from_foreign_origins_are_refused():
    communicator = WebsocketCommunicator(application, "/ws/health/", headers=[(b"origin", b"https://evil.example")])
    connected, _ = await communicator.connect()
    assert connected is False


@pytest.mark.django_db(transaction=True)
async def test_release_announcements_reach_every_open_page():
    from datetime import date

    from asgiref.sync import sync_to_async

    from schedule.recordings.announcements import announce_release

    communicator = WebsocketCommunicator(application, "/ws/announcements/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, _ = await communicator.connect()
    assert connected
    assert await sync_to_async(announce_release)(date(2027, 4, 4), 172) is True
    assert await communicator.receive_json_from() == {
        "type": "videos.released",
        "day": "2027-04-04",
        "count": 172,
        "text": "Today's 172 videos are out",
    }
    await communicator.send_json_to({"type": "message.post"})
    assert (await communicator.receive_json_from())["code"] == "invalid"
    await communicator.disconnect()
