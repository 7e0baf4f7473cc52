"""Accounts (issue 13): an e-mail address gives its roles only once it is verified, log-in
works with Redis down or full, display names carry no text-direction tricks.

Log-in through nginx (the rate limits' client address) is in test_login_through_nginx.py.
"""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import redis
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from chat.models import Message
from chat.rooms import open_room
from portal.models import Conference, RegisteredEmail, User
from posters.models import Author
from posters.uploads import recording_for_paper
from schedule.models import RecordingVersion
from tests.chat.test_chat_redis import PrivateRedis
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory, UserFactory
from tests.portal.test_accounts import confirm_from_mail
from tests.schedule.recording_files import PDF

PASSWORD = "correct horse battery staple"
# The poster session, within a session cookie's life (two weeks) of today. Its video is
# released at 02:00 in New Zealand on the session's New Zealand date, 13:00 or 14:00 UTC
# the day before.
START = (datetime.now(UTC) + timedelta(days=5)).replace(hour=5, minute=0, second=0, microsecond=0)
BEFORE_RELEASE = START - timedelta(days=1, hours=3)
DURING = START + timedelta(minutes=30)  # live, video long out: used for the call link and chat
CALL_LINK = "https://video.example.org/j/secret-owls"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def world(db):
    """Ada's paper (her address on the author list) with a processed, unreleased video
    and a live poster session; Grace's address on the registration list."""
    conference = Conference.get()
    conference.call_link_visibility = Conference.CallLinkVisibility.REGISTERED
    conference.save()
    session = SessionFactory(start=START, end=START + timedelta(hours=2))
    paper = PaperFactory(uid="owls", title="Findings about owls", author_names=["Ada Lovelace"])
    Author.objects.filter(name="Ada Lovelace").update(email="Ada@Example.org")
    PosterSlotFactory(paper=paper, session=session, call_link=CALL_LINK)
    recording = recording_for_paper(paper)
    version = RecordingVersion(recording=recording, number=1, status="ready", duration=timedelta(seconds=2))
    version.original.save("original.mp4", ContentFile(b"video"), save=False)
    folder = version.original.name.rsplit("/", 1)[0]
    version.original.storage.save(f"{folder}/720p.mp4", ContentFile(b"720p"))
    version.outputs = {"720p": f"{folder}/720p.mp4"}
    version.save()
    recording.current_version = version
    recording.status = "ready"
    recording.save()
    RegisteredEmail.objects.create(email="grace@example.org")
    open_room("corridor")
    return paper, recording


def sign_up(client, email):
    return client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def rights(client, paper, recording):
    """What an account may do with Ada's and Grace's roles: (upload page, slides replaced,
    unreleased video, chat post, call link shown)."""
    with time_machine.travel(BEFORE_RELEASE, tick=False):
        upload_page = client.get(f"/me/papers/{paper.uid}/recording/").status_code
        slides = client.post(
            f"/me/papers/{paper.uid}/recording/slides", {"file": ContentFile(PDF, name="slides.pdf")}, **JSON
        ).status_code
        video = client.get(f"/media/recordings/{recording.pk}/720p.mp4", HTTP_RANGE="bytes=0-1").status_code
    with time_machine.travel(DURING, tick=False):
        post = client.post(
            "/api/v1/rooms/corridor/messages/", {"body": "hello", "client_id": "c1"}, content_type="application/json"
        ).status_code
        link = CALL_LINK in client.get(f"/api/v1/papers/{paper.uid}/").content.decode()
    return upload_page, slides, video, post, link


def test_signing_up_with_someone_elses_address_does_not_log_in(client, world):
    response = sign_up(client, "ada@example.org")
    assert (response.status_code, response["Location"]) == (302, "/accounts/confirm-email/")
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    # Nor does logging in with the password chosen: the address must be confirmed first.
    login = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert (login.status_code, login["Location"]) == (302, "/accounts/confirm-email/")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("email", "before", "after"),
    [
        # Ada's address is an author's: upload page, slides, preview of the unreleased video.
        ("ada@example.org", (403, 403, 404, 403, False), (200, 200, 206, 403, False)),
        # Grace's is on the registration list: chat posting and call links.
        ("grace@example.org", (403, 403, 404, 403, False), (403, 403, 404, 201, True)),
    ],
)
def test_an_unverified_address_gives_no_role_until_it_is_confirmed(
    client, world, settings, tasks_in_process, email, before, after
):
    # A session without a verified address: signed up where verification was optional
    # (the setting's old default), so logged in straight away.
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    assert sign_up(client, email).status_code == 302
    user = User.objects.get(email=email)
    user.code_of_conduct_accepted_at = DURING - timedelta(days=1)
    user.save()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.is_registered, user.verified_emails) == (False, frozenset())
    assert rights(client, *world) == before
    assert Message.objects.count() == 0
    # The link in the mail: the roles come at once, in the same session.
    assert [m.to for m in mail.outbox] == [[email]]
    assert confirm_from_mail(client).status_code == 302
    assert rights(client, *world) == after


@pytest.mark.usefixtures("world")
def test_my_papers_lists_a_paper_once_its_author_address_is_verified_whatever_its_case(client):
    """The author list says "Ada@Example.org"; the account has ada@example.org."""
    ada = UserFactory(email="ada@example.org", email_verified=False)
    client.force_login(ada)
    # The paper's upload link (the page also shows its answers' progress, people's block).
    upload = 'href="/me/papers/owls/recording/"'
    assert client.get("/me/papers/authored/").content.decode().count(upload) == 0
    ada.emailaddress_set.update(verified=True)  # a bulk write sends no signal: log in again
    client.force_login(User.objects.get(pk=ada.pk))
    assert client.get("/me/papers/authored/").content.decode().count(upload) == 1


def test_a_second_verified_address_counts_and_an_unverified_one_does_not(world):
    grace = UserFactory(email="grace.hopper@example.com")
    assert grace.is_registered is False
    grace.emailaddress_set.create(email="grace@example.org", verified=False, primary=False)
    assert User.objects.get(pk=grace.pk).is_registered is False
    grace.emailaddress_set.filter(email="grace@example.org").update(verified=True)
    fresh = User.objects.get(pk=grace.pk)
    fresh.load_roles()
    assert (fresh.is_registered, fresh.verified_emails) == (True, {"grace@example.org", "grace.hopper@example.com"})


# --- log-in without Redis ----------------------------------------------------------------


def redis_cache(location):
    return {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


@pytest.mark.redis
def test_log_in_works_with_redis_unreachable(client, db, settings, caplog):
    UserFactory(email="ada@example.org")
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="portal.redis_cache"):
        response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")
    # The session (cached_db) lives in the database: the next page knows who this is.
    html = client.get("/me/profile/").content.decode()
    assert "Signed in as <strong>ada@example.org</strong>" in html
    warnings = [r.getMessage() for r in caplog.records if r.name == "portal.redis_cache"]
    assert warnings
    assert all(w.startswith("rate limiter unavailable (cache: ") for w in warnings)
    assert any(":login:30/60/ip:ip:127.0.0.1:lock allowed without counting" in w for w in warnings)


@pytest.mark.redis
def test_log_in_works_with_redis_full(client, db, settings, caplog):
    """Redis refusing writes (a `noeviction` Redis at its memory limit) reads fine."""
    server = PrivateRedis()
    server.start()
    try:
        settings.CACHES = redis_cache(server.url)
        connection = redis.Redis.from_url(server.url)
        connection.config_set("maxmemory-policy", "noeviction")
        connection.set("filler", "x" * 2_000_000)
        connection.config_set("maxmemory", "1mb")
        UserFactory(email="ada@example.org")
        with caplog.at_level(logging.WARNING, logger="portal.redis_cache"):
            response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
        assert (response.status_code, response["Location"]) == (302, "/")
        warnings = [r.getMessage() for r in caplog.records if r.name == "portal.redis_cache"]
        assert any("command not allowed when used memory > 'maxmemory'" in w and ":login:" in w for w in warnings)
    finally:
        server.stop()


@pytest.mark.redis
def test_other_locks_stay_taken_without_redis(db, settings):
    """Only the rate limiter fails open: a job's lock is not taken."""
    from django.core.cache import cache

    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")
    assert cache.add("some-job:lock", 1) is None
    assert cache.add("allauth:rl:allauth.account:login:30/60/ip:ip:127.0.0.1:lock", True) is True


# --- display names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("Ada \u202egnp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u2067Ada\u2069", "U+2067 RIGHT-TO-LEFT ISOLATE"),
        ("Ad\u200ba", "U+200B ZERO WIDTH SPACE"),
        ("Ada\u200f", "U+200F RIGHT-TO-LEFT MARK"),
        ("Ada\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ],
)
def test_display_names_with_direction_or_invisible_controls_are_refused(client, db, name, named):
    user = UserFactory(display_name="Ada")
    client.force_login(user)
    response = client.post("/me/profile/", {"display_name": name, "affiliation": "", "time_zone": "", "interests": ""})
    assert response.status_code == 200
    message = f"A display name cannot contain invisible or text-direction control characters (it has {named})."
    assert message in response.content.decode()
    assert User.objects.get(pk=user.pk).display_name == "Ada"
    # The model refuses it too (admin, any form or code that validates).
    user.display_name = name
    with pytest.raises(ValidationError) as refused:
        user.full_clean()
    assert refused.value.message_dict == {"display_name": [message]}


def test_names_in_other_scripts_are_kept(client, db):
    user = UserFactory()
    client.force_login(user)
    for name in ("عائشة", "Zoë Ó Briain", "李雷", "שרה"):
        response = client.post("/me/profile/", {"display_name": name, "affiliation": "", "time_zone": ""})
        assert response.status_code == 302, name
        assert User.objects.get(pk=user.pk).display_name == name
