"""Booth tests open chat sockets: the chat tests' connection and presence settings apply."""

import pytest
from django.db import connection

from tests.chat.conftest import _chat_settings, _no_persistent_connections  # noqa: F401


@pytest.fixture
def refused_sockets_leave_no_connection():
    """A logged-in socket refused at the handshake leaves a database connection open in some
    thread (seen on main too, with a paper room that does not exist): on PostgreSQL the test
    database could then not be dropped. End such sessions after the test."""
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
