import pytest
from django.contrib.auth.models import Group

from portal.models import MODERATORS_GROUP, Conference, RegisteredEmail, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_users_log_in_by_lower_cased_email():
    user = User.objects.create_user("Ada@Example.ORG", "pw-123-long-enough")
    assert user.email == "ada@example.org"
    assert User.objects.get(email="ada@example.org").check_password("pw-123-long-enough")


def test_a_user_is_registered_when_their_email_is_on_the_list():
    user = UserFactory(email="grace@example.org")
    assert user.is_registered is False
    RegisteredEmail.objects.create(email="GRACE@example.org")
    assert User.objects.get(pk=user.pk).is_registered is True


def test_inactive_users_hold_no_role():
    user = UserFactory(registered=True, is_active=False, is_staff=True)
    assert (user.is_registered, user.is_organiser, user.is_moderator) == (False, False, False)


def test_moderators_are_the_group_members():
    user = UserFactory()
    assert user.is_moderator is False
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    assert User.objects.get(pk=user.pk).is_moderator is True


def test_organisers_are_staff_and_count_as_registered():
    user = UserFactory(is_staff=True)
    assert (user.is_organiser, user.is_registered) == (True, True)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (Conference.CallLinkVisibility.EVERYONE, {"anonymous": True, "logged_in": True, "registered": True}),
        (Conference.CallLinkVisibility.LOGGED_IN, {"anonymous": False, "logged_in": True, "registered": True}),
        (Conference.CallLinkVisibility.REGISTERED, {"anonymous": False, "logged_in": False, "registered": True}),
        (Conference.CallLinkVisibility.NOBODY, {"anonymous": False, "logged_in": False, "registered": False}),
    ],
)
def test_call_link_visibility_policy(policy, expected):
    from django.contrib.auth.models import AnonymousUser

    conference = Conference.get()
    conference.call_link_visibility = policy
    conference.save()
    viewers = {"anonymous": AnonymousUser(), "logged_in": UserFactory(), "registered": UserFactory(registered=True)}
    assert {name: conference.call_links_visible_to(user) for name, user in viewers.items()} == expected


def test_there_is_one_conference():
    Conference.get()
    Conference(name="Another").save()
    assert list(Conference.objects.values_list("pk", "name")) == [(1, "Another")]


@pytest.mark.parametrize(
    ("registered", "moderator", "staff", "superuser", "active"),
    [
        (False, False, False, False, True),
        (True, False, False, False, True),
        (False, True, False, False, True),
        (True, True, False, False, True),
        (False, False, True, False, True),
        (False, False, False, True, True),
        (True, True, True, True, False),
    ],
)
def test_load_roles_reads_both_roles_in_one_query_and_agrees_with_the_properties(
    django_assert_num_queries, registered, moderator, staff, superuser, active
):
    user = UserFactory(registered=registered, is_staff=staff, is_superuser=superuser, is_active=active)
    if moderator:
        user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    fresh, loaded = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
    with django_assert_num_queries(1 if active else 0):
        loaded.load_roles()
        roles = (loaded.is_registered, loaded.is_moderator)
    assert roles == (fresh.is_registered, fresh.is_moderator)
