"""People who share a profile (registered attendees, opted in to suggestions by default)."""

import factory

from people.models import Profile
from portal.models import RegisteredEmail
from tests.factories import UserFactory


class PersonFactory(UserFactory):
    """A registered attendee (`registered=False` for one who is not) with a public,
    suggestible profile (`profile__suggestible=False` and so on to change it)."""

    interests = ""

    @factory.post_generation
    def registered(self, create, extracted, **kwargs):
        if create and extracted is not False:
            RegisteredEmail.objects.get_or_create(email=self.email)
        if create:
            self.save()

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        if create:
            values = {"public": True, "suggestible": True}
            values.update(kwargs)
            Profile.objects.create(user=self, **values)
