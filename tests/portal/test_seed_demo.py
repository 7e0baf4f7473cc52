"""`manage.py seed_demo`: a deterministic synthetic conference around today, safe to run twice."""

import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.demo import generate_papers, generate_poster_slots
from portal.models import MODERATORS_GROUP, Conference, User
from posters.models import Author, Authorship, Paper, PosterSlot
from schedule.models import Session

pytestmark = pytest.mark.django_db

FIRST_DAY = date(2026, 11, 26)


def seed(*args):
    # Discovery after seeding has its own test; elsewhere it only costs time.
    out = io.StringIO()
    call_command("seed_demo", "--no-discovery", *args, stdout=out)
    return out.getvalue()


def test_seeding_computes_similar_papers_and_the_map_once():
    from posters.models import DiscoveryRun

    out = io.StringIO()
    call_command("seed_demo", "--papers", "40", "--first-day", "2026-11-26", stdout=out)
    assert "Similar papers and the paper map computed in" in out.getvalue()
    assert DiscoveryRun.objects.get().paper_count == 40
    call_command("seed_demo", "--papers", "40", "--first-day", "2026-11-26", stdout=io.StringIO())
    assert DiscoveryRun.objects.count() == 1


def kinds():
    return dict(Counter(Session.objects.values_list("kind", flat=True)))


def test_seed_demo_builds_a_whole_conference():
    out = seed("--papers", "60", "--first-day", "2026-11-26")

    assert Paper.objects.count() == 60
    assert Paper.objects.filter(uid__startswith="demo-").count() == 60
    assert kinds() == {
        "poster": 20,
        "workshop": 4,
        "workshop_talk": 12,
        "opening": 1,
        "keynote": 8,
        "keynote_qa": 8,
        "social": 4,
        # booths/demo.py: five booths at three hours a day, one all-day social, four days
        "booth_slot": 64,
    }
    posters = Session.objects.filter(kind=Session.Kind.POSTER)
    assert sorted({s.start.date() for s in posters}) == [FIRST_DAY + timedelta(days=n) for n in range(4)]
    assert sorted({(s.start.hour, s.end.hour) for s in posters}) == [(5, 7), (8, 10), (12, 14), (17, 19), (20, 22)]
    # Every paper is in two sessions at different times of day.
    assert PosterSlot.objects.count() == 120
    for paper in Paper.objects.prefetch_related("poster_slots__session"):
        hours = [slot.session.start.hour for slot in paper.poster_slots.all()]
        assert len(hours) == 2
        assert hours[0] != hours[1]
    assert all(
        link.startswith("https://video.example.org/j/")
        for link in PosterSlot.objects.values_list("call_link", flat=True)
    )
    workshop = Session.objects.get(uid="demo:workshop-1")
    assert workshop.start.date() == date(2026, 11, 25)
    assert workshop.children.count() == 3
    assert Session.objects.get(uid="demo:keynote-1-qa").parent.uid == "demo:keynote-1"
    assert Session.objects.get(uid="demo:opening").start == datetime(2026, 11, 26, 4, tzinfo=UTC)

    conference = Conference.get()
    assert (conference.name, conference.start_date, conference.end_date) == (
        "Demo Conference",
        date(2026, 11, 25),
        date(2026, 11, 29),
    )
    assert (conference.release_time_zone, conference.release_hour) == ("Pacific/Auckland", 2)
    assert conference.code_of_conduct.startswith("The Demo Conference is dedicated to a harassment-free experience")

    organiser = User.objects.get(email="organiser@demo.example.org")
    assert (organiser.is_staff, organiser.is_superuser) == (True, True)
    attendee = User.objects.get(email="attendee@demo.example.org")
    assert (attendee.is_staff, attendee.is_registered) == (False, True)
    moderator = User.objects.get(email="moderator@demo.example.org")
    assert list(moderator.groups.values_list("name", flat=True)) == [MODERATORS_GROUP]
    assert moderator.is_moderator is True
    author = Author.objects.get(email="author@demo.example.org")
    assert Authorship.objects.get(author=author, paper__uid="demo-00001").position == 0
    assert User.objects.get(email="author@demo.example.org").display_name == author.name
    for role in ("organiser", "attendee", "author", "moderator"):
        assert f"{role}@demo.example.org" in out
        assert f"password: demo-{role}" in out


def test_demo_passwords_work():
    seed("--papers", "5", "--first-day", "2026-11-26")

    assert User.objects.get(email="attendee@demo.example.org").check_password("demo-attendee") is True


def test_demo_passwords_are_cheap_pbkdf2_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

    seed("--papers", "5", "--first-day", "2026-11-26")

    encoded = User.objects.get(email="organiser@demo.example.org").password
    assert encoded.startswith("pbkdf2_sha256$1000$")
    assert PBKDF2PasswordHasher().verify("demo-organiser", encoded) is True


def test_running_twice_changes_nothing():
    seed("--papers", "40", "--first-day", "2026-11-26")
    counts = [Paper.objects.count(), Author.objects.count(), Session.objects.count(), PosterSlot.objects.count()]

    with CaptureQueriesContext(connection) as queries:
        out = seed("--papers", "40", "--first-day", "2026-11-26")

    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split(" ", 1)[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert counts == [
        Paper.objects.count(),
        Author.objects.count(),
        Session.objects.count(),
        PosterSlot.objects.count(),
    ]
    assert "Papers: 0 created, 0 updated, 40 unchanged" in out
    assert User.objects.filter(email__endswith="@demo.example.org").count() == 4


def test_a_later_day_moves_the_sessions_without_duplicates():
    seed("--papers", "20", "--first-day", "2026-11-26")
    total = Session.objects.count()

    seed("--papers", "20", "--first-day", "2026-11-27")

    assert Session.objects.count() == total
    assert set(Session.objects.values_list("sequence", flat=True)) == {1}
    assert Session.objects.get(uid="demo:opening").start == datetime(2026, 11, 27, 4, tzinfo=UTC)
    assert Conference.get().start_date == date(2026, 11, 26)


def test_fewer_papers_drops_the_extra_demo_papers():
    seed("--papers", "30", "--first-day", "2026-11-26")

    seed("--papers", "10", "--first-day", "2026-11-26")

    assert Paper.objects.count() == 10
    assert PosterSlot.objects.count() == 20


def test_default_run_is_around_today_with_700_papers():
    seed()

    today = timezone.now().date()
    assert Paper.objects.count() == 700
    assert PosterSlot.objects.count() == 1400
    assert Conference.get().start_date == today - timedelta(days=1)
    # Something is live or still to come whenever the demo starts.
    assert Session.objects.filter(end__gt=timezone.now()).exists()


def test_generation_is_deterministic():
    first = generate_papers(50, seed=3)

    assert generate_papers(50, seed=3) == first
    assert [p.title for p in generate_papers(50, seed=4)] != [p.title for p in first]
    assert generate_poster_slots([p.uid for p in first], FIRST_DAY, seed=3) == generate_poster_slots(
        [p.uid for p in first], FIRST_DAY, seed=3
    )
    assert len({p.uid for p in first}) == 50
    assert all(1 <= len(p.authors) <= 8 and 2 <= len(p.keywords) <= 5 for p in first)


def test_bad_options():
    with pytest.raises(CommandError) as error:
        seed("--first-day", "26/11/2026")
    assert str(error.value) == "--first-day '26/11/2026' is not a date like 2026-11-26."

    with pytest.raises(CommandError) as error:
        seed("--papers", "0")
    assert str(error.value) == "--papers must be at least 1."
