"""Factories of the booths app."""

import factory
from factory.django import DjangoModelFactory

from booths.models import Booth
from tests.chat.factories import AttendeeFactory  # noqa: F401  (registered people, re-exported)


class BoothFactory(DjangoModelFactory):
    class Meta:
        model = Booth
        skip_postgeneration_save = True

    kind = Booth.Kind.INVITED
    status = Booth.Status.APPROVED
    name = factory.Sequence(lambda n: f"Booth {n}")
    slug = factory.Sequence(lambda n: f"booth-{n}")
    description = "Come and talk."

    @factory.post_generation
    def hosts(self, create, extracted, **kwargs):
        if create and extracted:
            self.hosts.set(extracted)

    @factory.post_generation
    def slots(self, create, extracted, **kwargs):
        if create and extracted:
            self.slots.set(extracted)
