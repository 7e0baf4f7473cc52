"""The live server the browser tests drive: one request's database connection never
reaches the next request on the same keep-alive connection.

asyncio hands the context of the task that resumed reading a socket (a request whose body
was large enough to pause it) to the callbacks that read the next request, so that
request's task started with a copy of the first one's context, database connection
included (https://github.com/python/cpython/issues/140947). Two requests then shared one
psycopg2 connection, and closing it after the first answered broke the second mid-query
("cursor already closed": a 500 for a video range request in CI). uvicorn's
`reset_contextvars` starts each request in an empty context.
"""

import pytest
import requests
from django.db.backends.signals import connection_created

pytestmark = pytest.mark.e2e


def test_requests_on_one_keep_alive_connection_do_not_share_a_database_connection(live_server_url, transactional_db):
    wrappers = []

    def note(sender, connection, **kwargs):
        wrappers.append(connection)

    connection_created.connect(note)
    try:
        with requests.Session() as session:
            for _ in range(10):
                # A body over uvicorn's high-water mark pauses reading until the app reads it.
                session.post(f"{live_server_url}/papers/", data=b"x" * 300_000)
                assert session.get(f"{live_server_url}/papers/").status_code == 200
    finally:
        connection_created.disconnect(note)
    assert len(wrappers) >= 10
    assert len({id(wrapper) for wrapper in wrappers}) == len(wrappers), "a connection wrapper was reused"
