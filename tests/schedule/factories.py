"""Factories of the schedule's own models (tests/factories.py has Session, User, papers)."""

from datetime import UTC, datetime, timedelta

import factory
from factory.django import DjangoModelFactory

from schedule.models import AgendaItem, AgendaSettings, Session
from tests.factories import SessionFactory, UserFactory


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    user = factory.SubFactory(UserFactory)
    session = factory.SubFactory(SessionFactory)


class AgendaSettingsFactory(DjangoModelFactory):
    class Meta:
        model = AgendaSettings
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)


def at(*args):
    """An aware UTC datetime: at(2020, 4, 27, 5) is 05:00 UTC."""
    return datetime(*args, tzinfo=UTC)


def session(kind=Session.Kind.POSTER, start=None, hours=2, **kwargs):
    """A session at a UTC instant lasting `hours`."""
    start = start or at(2020, 4, 27, 5)
    return SessionFactory(kind=kind, start=start, end=start + timedelta(hours=hours), **kwargs)
