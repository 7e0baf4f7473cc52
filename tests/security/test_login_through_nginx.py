"""Log-in limits through the shipped nginx (issue 13): they count per real client.

Behind nginx every request reached Django from nginx's address, so allauth's limits
(10 failed log-ins a minute, 30 log-ins a minute, per address) were one bucket for
everyone: one visitor locked everyone out. The address is now the one nginx puts in
X-Real-IP (its peer's, which a client cannot forge). On loopback, 127.0.0.2 and up are
other clients to nginx.
"""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from portal.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PASSWORD = "correct horse battery staple"
TOO_MANY = "Too many failed login attempts. Try again later."
WRONG = "The email address and/or password you specified are not correct."


def accounts(prefix, n):
    """`n` accounts; their password hashed cheaply, so a wrong one costs no real hashing
    in gunicorn (its hashers are production's, not the tests' MD5)."""
    hasher = PBKDF2PasswordHasher()
    users = [UserFactory(email=f"{prefix}{i}@example.org") for i in range(n)]
    User.objects.filter(pk__in=[u.pk for u in users]).update(
        password=hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    )
    return [u.email for u in users]


def log_in(stack, email, password, source="127.0.0.1", headers=None):
    return stack.post_form("/accounts/login/", {"login": email, "password": password}, source=source, headers=headers)


def test_forged_forwarding_headers_do_not_escape_the_limit_and_others_still_log_in(production):
    stack = production(roles=("web", "nginx"))
    victims = accounts("victim", 11)
    [bob] = accounts("bob", 1)
    # Ten wrong passwords, each claiming to come from somewhere else.
    for i, email in enumerate(victims[:10]):
        forged = {"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"198.51.100.{i}"}
        status, _, body = log_in(stack, email, "wrong", headers=forged)
        assert (status, WRONG in body) == (200, True), i
    # The same client under yet another name is still limited, even with a right password.
    forged = {"X-Forwarded-For": "192.0.2.77", "X-Real-IP": "192.0.2.77"}
    status, location, body = log_in(stack, victims[10], PASSWORD, headers=forged)
    assert (status, location, TOO_MANY in body) == (200, "", True)
    # Another client logs in.
    assert log_in(stack, bob, PASSWORD, source="127.0.0.2")[:2] == (302, "/")


def test_many_clients_in_a_minute_are_each_counted_on_their_own(production):
    """35 log-ins in a minute, each from its own client: none is refused (it was 429 from
    the 31st). The limit counts every post of the form; these carry no password, so
    gunicorn does no hashing (a wrong password costs a full hash, twice: one per backend)."""
    stack = production(roles=("web", "nginx"))
    answers = [log_in(stack, f"attendee{i}@example.org", "", source=f"127.0.0.{10 + i}") for i in range(35)]
    assert [(status, "This field is required." in body) for status, _, body in answers] == [(200, True)] * 35
    # The 31st from one client is over the limit.
    for _ in range(30):
        assert log_in(stack, "attendee@example.org", "", source="127.0.0.9")[0] == 200
    assert log_in(stack, "attendee@example.org", "", source="127.0.0.9")[0] == 429


def test_log_in_through_nginx_with_redis_unreachable(production):
    """The cache, the sessions' cache and the rate limiter all without Redis: log-in works
    and the limiter says it is not counting."""
    [ada] = accounts("ada", 1)
    stack = production(roles=("web", "nginx"), env={"REDIS_URL": "redis://127.0.0.1:1/0"})
    assert log_in(stack, ada, PASSWORD)[:2] == (302, "/")
    assert "rate limiter unavailable (cache: Error 111 connecting to 127.0.0.1:1. Connection refused.)" in stack.log(
        "web"
    )
