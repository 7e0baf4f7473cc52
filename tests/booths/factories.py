"""Factories of the booths app."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from booths.models import Booth, Job, MeetingSlot, Sponsor
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


class SponsorFactory(DjangoModelFactory):
    class Meta:
        model = Sponsor

    name = factory.Sequence(lambda n: f"Sponsor {n}")
    slug = factory.Sequence(lambda n: f"sponsor-{n}")
    tier = "Gold"
    tier_rank = 1


class JobFactory(DjangoModelFactory):
    class Meta:
        model = Job

    sponsor = factory.SubFactory(SponsorFactory)
    title = factory.Sequence(lambda n: f"Research scientist {n}")
    place = "London"
    link = factory.Sequence(lambda n: f"https://jobs.example.org/{n}")


class MeetingSlotFactory(DjangoModelFactory):
    class Meta:
        model = MeetingSlot

    sponsor = factory.SubFactory(SponsorFactory)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    end = factory.LazyAttribute(lambda s: s.start + timedelta(minutes=30))
    call_link = factory.Sequence(lambda n: f"https://zoom.us/j/9{n:05d}")
