"""Factories for the chat's models (factory_boy)."""

import factory
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory

from chat import rendering
from chat.models import Message, Report, Room
from portal.models import RegisteredEmail
from tests.factories import UserFactory


class AttendeeFactory(UserFactory):
    """A registered attendee who has accepted the code of conduct: may post."""

    code_of_conduct_accepted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def registered(self, create, extracted, **kwargs):
        if create and extracted is not False:
            RegisteredEmail.objects.get_or_create(email=self.email)
        if create:
            self.save()


class RoomFactory(DjangoModelFactory):
    class Meta:
        model = Room
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"booth:room-{n}")
    kind = factory.LazyAttribute(lambda r: r.key.partition(":")[0])
    title = factory.Sequence(lambda n: f"Room {n}")


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    room = factory.SubFactory(RoomFactory)
    author = factory.SubFactory(AttendeeFactory)
    body = factory.Sequence(lambda n: f"Message number {n}")
    html = factory.LazyAttribute(lambda m: rendering.render(m.body))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As chat.services.messages stores a message: the room counts it (the panel reads
        # no history for a room whose count is 0).
        message = super()._create(model_class, *args, **kwargs)
        Room.objects.filter(pk=message.room_id).update(
            message_count=F("message_count") + 1, last_message_at=message.created_at
        )
        return message


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report

    message = factory.SubFactory(MessageFactory)
    reporter = factory.SubFactory(AttendeeFactory)
    reason = Report.Reason.SPAM
