"""The authentication backends (portal.auth_backends): Django's and allauth's, with the
logged-in visitor's row read by a prepared statement on PostgreSQL. Who is logged in, and
when a session stops being theirs, are as with Django's own."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.forms.models import model_to_dict

from portal.auth_backends import USER_ROW
from portal.models import Conference, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def conference():
    return Conference.objects.create(name="ICLR 2020 Virtual")


def whoami(client):
    return client.get("/me/state.json").json()["user"]


def every_field(user):
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_logging_in_on_the_site_names_a_backend_of_the_portals_and_the_visitor_is_read_back(client):
    ada = UserFactory(email="ada@example.org", display_name="Ada")
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 302
    # Django's comes first, and takes an e-mail address (the username field) and password.
    assert client.session[BACKEND_SESSION_KEY] == "portal.auth_backends.ModelBackend"
    assert whoami(client) == {
        "authenticated": True,
        "id": ada.pk,
        "name": "Ada",
        "registered": False,
        "moderator": False,
        "organiser": False,
    }


def test_a_session_of_allauths_backend_reads_the_visitor_back_too(client):
    """allauth logs in with its own backend after a sign-up or a confirmed address."""
    ada = UserFactory()
    client.force_login(ada, backend="portal.auth_backends.AuthenticationBackend")
    assert whoami(client)["id"] == ada.pk


def test_the_row_read_is_the_whole_user_as_the_orm_reads_it():
    ada = UserFactory(email="ada@example.org", time_zone="Asia/Tokyo")
    (read,) = USER_ROW.instances(ada.pk)
    assert every_field(read) == every_field(User.objects.get(pk=ada.pk))
    assert model_to_dict(read) == model_to_dict(ada) | {"groups": [], "user_permissions": []}
    assert read._state.adding is False and read._state.db == "default"
    assert USER_ROW.instances(ada.pk + 1000) == []


def test_a_deactivated_or_deleted_person_is_logged_out(client):
    ada, bob = UserFactory(), UserFactory()
    other = client.__class__()
    client.force_login(ada)
    other.force_login(bob)
    User.objects.filter(pk=ada.pk).update(is_active=False)
    bob.delete()
    assert whoami(client) == {"authenticated": False}
    assert whoami(other) == {"authenticated": False}


def test_a_new_password_logs_out_the_other_sessions(client):
    ada = UserFactory()
    other = client.__class__()
    client.force_login(ada)
    other.force_login(ada)
    assert whoami(other)["authenticated"] is True
    ada.set_password("a whole new password")
    ada.save()
    assert whoami(other) == {"authenticated": False}


def test_a_session_of_the_backends_these_replaced_asks_to_log_in_again(client):
    """Sessions name the backend that logged their visitor in; Django's and allauth's own
    are no longer listed."""
    ada = UserFactory()
    client.force_login(ada, backend="portal.auth_backends.ModelBackend")
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert whoami(client) == {"authenticated": False}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_read_is_prepared_once_per_connection(client, settings):
    ada = UserFactory()
    client.force_login(ada)
    connection.close()
    assert whoami(client)["id"] == ada.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = 'portal_auth_user'")
        (statement,) = cursor.fetchone()
    assert statement.startswith("PREPARE portal_auth_user (bigint) AS SELECT")
    # Behind a transaction pooler nothing is prepared, and the same person is read.
    settings.PORTAL_PREPARED_STATEMENTS = False
    connection.close()
    assert whoami(client)["id"] == ada.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = 'portal_auth_user'")
        assert cursor.fetchone() == (0,)
