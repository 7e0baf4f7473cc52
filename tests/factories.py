"""Factories for every model the tests need (factory_boy)."""

from datetime import UTC, datetime, timedelta

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from portal.models import RegisteredEmail, User
from posters.models import Author, Authorship, Keyword, Paper, PaperKeyword, PosterSlot
from schedule.models import Session


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def email_verified(self, create, extracted, **kwargs):
        """The account has confirmed its address (allauth's EmailAddress row, verified),
        as every role that comes from an address requires; `email_verified=False` for
        one that has not."""
        if create:
            verify_email(self, verified=extracted is not False)

    @factory.post_generation
    def registered(self, create, extracted, **kwargs):
        if create and extracted:
            RegisteredEmail.objects.get_or_create(email=self.email)
        if create:
            self.save()


def verify_email(user, email=None, verified=True):
    """Give `user` the address `email` (their own by default), verified or not."""
    email = (email or user.email).lower()
    primary = email == user.email
    return EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": verified, "primary": primary}
    )[0]


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    uid = factory.Sequence(lambda n: f"session-{n}@test")
    kind = Session.Kind.POSTER
    title = factory.Sequence(lambda n: f"Poster session {n}")
    start = factory.Sequence(lambda n: datetime(2020, 4, 27, 5, tzinfo=UTC) + timedelta(hours=3 * n))
    end = factory.LazyAttribute(lambda s: s.start + timedelta(hours=2))


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.LazyAttribute(lambda a: Author.slug_for(a.name))


class KeywordFactory(DjangoModelFactory):
    class Meta:
        model = Keyword
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"keyword {n}")
    slug = factory.LazyAttribute(lambda k: k.name.replace(" ", "-"))


class PaperFactory(DjangoModelFactory):
    class Meta:
        model = Paper
        skip_postgeneration_save = True

    uid = factory.Sequence(lambda n: f"paper{n:05d}")
    title = factory.Sequence(lambda n: f"A study of things, part {n}")
    abstract = "We study things and find that they are interesting."

    @factory.post_generation
    def author_names(self, create, extracted, **kwargs):
        for position, name in enumerate(extracted or ["Ada Lovelace"]):
            Authorship.objects.create(paper=self, author=AuthorFactory(name=name), position=position)

    @factory.post_generation
    def keyword_names(self, create, extracted, **kwargs):
        for position, name in enumerate(extracted or []):
            PaperKeyword.objects.create(paper=self, keyword=KeywordFactory(name=name), position=position)


class PosterSlotFactory(DjangoModelFactory):
    class Meta:
        model = PosterSlot

    paper = factory.SubFactory(PaperFactory)
    session = factory.SubFactory(SessionFactory)
    call_link = factory.LazyAttribute(lambda s: f"https://video.example.org/j/{s.paper.uid}")
