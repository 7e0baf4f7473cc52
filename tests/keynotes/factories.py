"""Factories of the keynotes app: a keynote with its speaker and its live Q&A session."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from keynotes.models import Keynote, Question, Speaker
from schedule.models import Session
from tests.factories import SessionFactory, UserFactory
from tests.schedule.factories import at

# The Q&A of the default keynote: Monday 27 April 2020, 10:00–10:45 UTC (22:00 in New
# Zealand), so its talk is released at 02:00 NZST that day: 26 April 14:00 UTC.
QA_START = at(2020, 4, 27, 10)
QA_END = QA_START + timedelta(minutes=45)
RELEASE = at(2020, 4, 26, 14)  # 02:00 NZST on Monday 27 April
DURING = QA_START + timedelta(minutes=10)
OPEN = at(2020, 4, 27, 5)  # released, before the live session
BEFORE = at(2020, 4, 26, 13)  # not released yet
AFTER = QA_END + timedelta(minutes=1)


class KeynoteFactory(DjangoModelFactory):
    class Meta:
        model = Keynote
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"keynote-{n}")
    title = factory.Sequence(lambda n: f"Keynote number {n}")
    abstract = "What we learnt."
    qa_session = factory.LazyAttribute(
        lambda k: SessionFactory(
            kind=Session.Kind.KEYNOTE_QA,
            title=f"Live Q&A: {k.title}",
            start=k.qa_start,
            end=k.qa_start + timedelta(minutes=45),
        )
    )

    class Params:
        qa_start = QA_START

    @factory.post_generation
    def speaker(self, create, extracted, **kwargs):
        if create:
            Speaker.objects.create(keynote=self, name=extracted or "Grace Hopper", affiliation="Navy")


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    keynote = factory.SubFactory(KeynoteFactory)
    author = factory.SubFactory(UserFactory, registered=True)
    body = factory.Sequence(lambda n: f"Question {n}?")
    created_at = factory.LazyFunction(timezone.now)
