"""Factories of the schedule's own models (tests/factories.py has Session, User, papers)."""

from datetime import UTC, datetime, timedelta

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from schedule.models import AgendaItem, AgendaSettings, Recording, RecordingVersion, Session
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


def recording_with_720p(subject_key, release_day, body):
    """A recording whose live version (ready) has an original and a 720p file, both `body`."""
    recording = Recording.objects.create(subject_key=subject_key, release_day=release_day)
    version = RecordingVersion(recording=recording, number=1, status="ready")
    version.original.save("original.mp4", ContentFile(body), save=False)
    folder = version.original.name.rsplit("/", 1)[0]
    version.original.storage.save(f"{folder}/720p.mp4", ContentFile(body))
    version.outputs = {"720p": f"{folder}/720p.mp4"}
    version.save()
    recording.current_version = version
    recording.save()
    return recording


def admin_session_form(**changes):
    """What the admin's session form posts (no children), with `changes`."""
    return {
        "description": "",
        "location": "",
        "url": "",
        "call_link": "",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
        **changes,
    }
