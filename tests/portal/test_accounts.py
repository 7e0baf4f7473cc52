"""Accounts through django-allauth: sign up and log in by e-mail, inside the portal's layout."""

import re

import pytest
from django.core import mail

from portal.models import Conference, RegisteredEmail, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def conference():
    return Conference.objects.create(name="ICLR 2020 Virtual")


def test_login_page_uses_the_portal_layout(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Log in · ICLR 2020 Virtual</title>" in html
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<nav aria-label="Main"' in html
    assert '<label for="id_login">' in html
    assert '<label for="id_password">' in html
    assert 'href="/accounts/password/reset/"' in html


def confirm_from_mail(client):
    """Follow the link in the last mail (allauth's confirmation view)."""
    url = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[-1].body).group(1)
    return client.post(url)


def test_signup_by_e_mail_creates_the_account_and_confirms_the_address(client):
    page = client.get("/accounts/signup/").content.decode()
    assert "<title>Sign up · ICLR 2020 Virtual</title>" in page
    response = client.post(
        "/accounts/signup/",
        {"email": "Grace@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    # Verification is mandatory: a confirmation mail goes out; no log-in until it is followed.
    assert (response.status_code, response["Location"]) == (302, "/accounts/confirm-email/")
    user = User.objects.get()
    assert user.email == "grace@example.org"
    assert user.check_password(PASSWORD)
    assert [m.to for m in mail.outbox] == [["grace@example.org"]]
    assert "_auth_user_id" not in client.session
    assert confirm_from_mail(client).status_code == 302
    assert user.emailaddress_set.get().verified is True
    response = client.post("/accounts/login/", {"login": "grace@example.org", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/me/state.json").json()["user"]["name"] == "grace"


def test_signup_errors_are_shown_beside_the_fields(client):
    response = client.post("/accounts/signup/", {"email": "not-an-address", "password1": "x", "password2": "y"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'required aria-invalid="true" aria-describedby="id_email_error" id="id_email">' in html
    assert '<ul class="errorlist" id="id_email_error">' in html
    assert User.objects.count() == 0


def test_login_by_e_mail(client):
    UserFactory(email="ada@example.org", display_name="Ada")
    response = client.post("/accounts/login/", {"login": "ADA@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/me/state.json").json()["user"]["name"] == "Ada"


def test_login_goes_back_to_the_page_asked_for(client):
    UserFactory(email="ada@example.org")
    response = client.post(
        "/accounts/login/?next=/me/profile/", {"login": "ada@example.org", "password": PASSWORD, "next": "/me/profile/"}
    )
    assert response["Location"] == "/me/profile/"


def test_login_with_a_wrong_password_says_so(client):
    UserFactory(email="ada@example.org")
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The email address and/or password you specified are not correct." in html
    assert '<div class="notice error" role="alert">' in html


def test_logout_is_a_post(client):
    client.force_login(UserFactory())
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert "<title>Log out · ICLR 2020 Virtual</title>" in page.content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_registered_address_makes_a_registered_attendee(client):
    RegisteredEmail.objects.create(email="grace@example.org")
    client.post("/accounts/signup/", {"email": "grace@example.org", "password1": PASSWORD, "password2": PASSWORD})
    confirm_from_mail(client)
    client.post("/accounts/login/", {"login": "grace@example.org", "password": PASSWORD})
    html = client.get("/me/profile/").content.decode()
    assert '<span class="badge yes">Registered attendee</span>' in html


def test_account_management_pages_use_the_portal_layout(client):
    client.force_login(UserFactory())
    for url, title in [("/accounts/email/", "Email Addresses"), ("/accounts/password/change/", "Change Password")]:
        html = client.get(url).content.decode()
        assert '<nav aria-label="Your account">' in html, url
        assert '<nav aria-label="Main"' in html, url
        assert title in html, url
