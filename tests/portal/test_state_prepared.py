"""/me/state.json's personal query, prepared on PostgreSQL (portal.prepared.PreparedQuery):
the same rows as the queryset it is compiled from, for any person and instant, on a new
connection too."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from chat.models import Sanction
from portal.models import MODERATORS_GROUP, RegisteredEmail
from portal.state import PERSONAL, _personal_rows
from posters.models import Bookmark
from schedule.agenda import add_to_agenda
from schedule.models import AgendaItem
from tests.factories import PaperFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_the_prepared_rows_are_the_querysets_for_each_person_and_instant():
    now = timezone.now()
    ada = UserFactory(email="ada@example.org")  # verified
    assert EmailAddress.objects.filter(user=ada, email="ada@example.org", verified=True).exists()
    RegisteredEmail.objects.create(email="ada@example.org")
    bob = UserFactory()
    bob.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    for paper in (PaperFactory(uid="p1"), PaperFactory(uid="p2")):
        Bookmark.objects.create(user=ada, paper=paper)
    soon, later = SessionFactory(start=now + timedelta(minutes=5)), SessionFactory(start=now + timedelta(days=1))
    add_to_agenda(ada, soon, "paper:p1")
    add_to_agenda(ada, later)
    AgendaItem.objects.filter(user=ada, session=soon).update(reminded_at=now)  # its reminder shows until it ends
    # Chat sanctions: only the open ones (not lifted, not over), as ids.
    muted = Sanction.objects.create(user=bob, kind="mute", until=now + timedelta(minutes=5))
    Sanction.objects.create(user=bob, kind="mute", until=now - timedelta(minutes=5))
    Sanction.objects.create(user=bob, kind="ban", lifted_at=now)
    for person in (ada, bob, UserFactory()):
        for instant in (now, soon.end + timedelta(seconds=1)):
            assert sorted(PERSONAL.rows(person.pk, instant)) == sorted(_personal_rows(person.pk, instant))
    assert sorted(PERSONAL.rows(ada.pk, now)) == sorted(
        [
            ("roles", "1", ""),
            ("star", "p1", ""),
            ("star", "p2", ""),
            ("agenda+notice", str(soon.pk), "paper:p1"),
            ("agenda", str(later.pk), ""),
        ]
    )
    assert sorted(PERSONAL.rows(bob.pk, now)) == [("roles", "", "1"), ("sanction", str(muted.pk), "")]
    assert PERSONAL.rows(bob.pk, muted.until) == [("roles", "", "1")]  # over at its end
    assert "portal_state_personal" in prepared_statements()


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again():
    person = UserFactory()
    PERSONAL.rows(person.pk, timezone.now())
    connection.close()
    assert "portal_state_personal" not in prepared_statements()  # a new connection, nothing prepared
    assert PERSONAL.rows(person.pk, timezone.now()) == [("roles", "", "")]
    assert "portal_state_personal" in prepared_statements()


@pytest.mark.django_db(transaction=True)
def test_behind_a_transaction_pooler_nothing_is_prepared(settings):
    settings.PORTAL_PREPARED_STATEMENTS = False
    person = UserFactory()
    connection.close()
    assert PERSONAL.rows(person.pk, timezone.now()) == [("roles", "", "")]
    assert "portal_state_personal" not in prepared_statements()
