"""The logged-in visitor's cached entry (portal/user_cache.py) on the cached paper page:
each change that makes it stale shows on the very next hit, and no visitor ever sees
another's name, stars or chat affordances."""

import io
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from chat.models import Sanction
from portal.models import MODERATORS_GROUP, Conference
from portal.registrations import import_registrations
from posters import tasks
from tests.factories import PaperFactory, SessionFactory, UserFactory
from tests.posters.factories import paper_in_sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(conference):
    return paper_in_sessions([SessionFactory()], uid="p1", title="A paper")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def page(client):
    response = client.get("/papers/p1/")
    assert response.status_code == 200
    return response.content.decode()


def star_on(html):
    return 'data-uid="p1" aria-pressed="true"' in html


def can_post(html):
    return re.search(r'data-can-post="(\d)"', html)[1] == "1"


def accepted(**kwargs):
    from django.utils import timezone

    return UserFactory(registered=True, code_of_conduct_accepted_at=timezone.now(), **kwargs)


def test_a_bookmark_toggle_shows_on_the_next_cached_hit(paper, django_assert_num_queries):
    client = logged_in(accepted())
    assert not star_on(page(client))
    with django_assert_num_queries(0):
        assert not star_on(page(client))
    assert client.post("/papers/p1/bookmark", {"on": "1"}).status_code == 302
    assert star_on(page(client))
    with django_assert_num_queries(0):
        assert star_on(page(client))
    client.post("/papers/p1/bookmark", {"on": "0"})
    assert not star_on(page(client))


def test_a_merge_of_the_browsers_bookmarks_shows_at_once(paper):
    client = logged_in(accepted())
    assert not star_on(page(client))
    response = client.post("/me/papers/bookmarks", '{"uids": ["p1"]}', content_type="application/json")
    assert response.json() == {"uids": ["p1"]}
    assert star_on(page(client))


def test_a_new_sanction_and_its_lifting_show_at_once(paper):
    from chat.services.moderation import lift_sanction, mute_user

    user = accepted()
    moderator = UserFactory(is_superuser=True, is_staff=True)
    client = logged_in(user)
    assert can_post(page(client))
    mute_user(moderator=moderator, user=user, minutes=30)
    html = page(client)
    assert not can_post(html) and "muted you" in html
    lift_sanction(moderator=moderator, sanction=Sanction.objects.get(user=user))
    assert can_post(page(client))


def test_a_registration_import_shows_at_once(paper):
    from django.utils import timezone

    user = UserFactory(code_of_conduct_accepted_at=timezone.now())
    client = logged_in(user)
    html = page(client)
    assert not can_post(html) and "Only registered attendees" in html
    import_registrations(io.StringIO(f"{user.email}\n"), source="list.csv")
    assert can_post(page(client))


def test_code_of_conduct_acceptance_and_moderator_role_show_at_once(paper):
    user = UserFactory(registered=True)
    client = logged_in(user)
    html = page(client)
    assert not can_post(html) and "code of conduct" in html
    assert 'data-moderator="0"' in html
    client.post("/chat/code-of-conduct/accept/", {"next": "/papers/p1/"})
    assert can_post(page(client))
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    assert 'data-moderator="1"' in page(client)


def test_a_conference_edit_shows_at_once(paper, django_assert_num_queries):
    client = logged_in(accepted())
    anonymous = Client()
    assert "Renamed Conf" not in page(client) + page(anonymous)
    with django_assert_num_queries(0):
        page(anonymous)
    conference = Conference.get()
    conference.name = "Renamed Conf"
    conference.save()
    assert "Renamed Conf" in page(client)
    assert "Renamed Conf" in page(anonymous)


def test_a_profile_edit_shows_at_once(paper):
    user = accepted(display_name="Before")
    client = logged_in(user)
    assert "Before" in page(client)
    user.display_name = "After"
    user.save()
    html = page(client)
    assert "After" in html and "Before" not in html


def test_another_visitor_never_sees_the_first_ones_bits(paper):
    from posters.models import Bookmark

    ada = accepted(display_name="Zed Quux")
    bob = UserFactory(display_name="Yan Wibble")  # not registered: cannot post
    Bookmark.objects.create(user=ada, paper=paper)
    ada_client, bob_client = logged_in(ada), logged_in(bob)
    for _ in range(2):  # a miss then hits, for both
        ada_html, bob_html = page(ada_client), page(bob_client)
        assert "Zed Quux" in ada_html and star_on(ada_html) and can_post(ada_html)
        assert "Zed Quux" not in bob_html and not star_on(bob_html) and not can_post(bob_html)
        assert "Yan Wibble" in bob_html
        assert f'data-me="{bob.pk}"' in bob_html and f'data-me="{ada.pk}"' not in bob_html


def test_a_password_change_logs_other_sessions_out(paper):
    user = accepted(display_name="Zed Quux")
    other = logged_in(user)
    assert "Zed Quux" in page(other)  # its entry is cached now
    user.set_password("a new one, quite long")
    user.save()
    html = page(other)
    assert "Zed Quux" not in html and "Log in" in html


def test_the_cached_entry_holds_no_password_hash(paper):
    from django.core.cache import cache

    from portal.user_cache import ENTRY_KEY

    user = accepted()
    page(logged_in(user))
    entry = cache.get(ENTRY_KEY.format(user.pk))
    assert "password" not in entry["user"].__dict__
    assert entry["user"].check_password("correct horse battery staple")  # read from the database


def cached(uid):
    return Client().get(f"/papers/{uid}/")["X-Page-Cache"] == "hit"


def test_a_recording_change_makes_only_its_papers_page_stale(paper):
    from django.utils import timezone

    from schedule.recordings.models import Recording, RecordingEvent

    paper_in_sessions([SessionFactory()], uid="p2")
    page(Client()), Client().get("/papers/p2/")
    recording = Recording.objects.create(subject_key="paper:p1")
    assert (cached("p1"), cached("p2")) == (False, True)
    RecordingEvent.objects.create(recording=recording, action=RecordingEvent.Action.HELD, at=timezone.now())
    assert (cached("p1"), cached("p2")) == (False, True)
    Recording.objects.create(subject_key="keynote:k1")  # not a paper's: no page goes stale
    assert (cached("p1"), cached("p2")) == (True, True)


def test_an_edit_makes_only_the_pages_showing_it_stale(paper):
    """A paper's title shows on its page and on the pages listing it as similar; a
    session's time on the pages of its papers; the browser lists them all."""
    from posters.models import Paper, SimilarPaper

    session = SessionFactory()
    p2 = paper_in_sessions([session], uid="p2", title="Second")
    paper_in_sessions([SessionFactory()], uid="p3")
    SimilarPaper.objects.create(paper=p2, similar=Paper.objects.get(uid="p1"), position=0, score=0.5)
    uids = ["p1", "p2", "p3"]
    for uid in uids:
        Client().get(f"/papers/{uid}/")
    Client().get("/papers/")
    assert [cached(uid) for uid in uids] == [True, True, True]

    Paper.objects.get(uid="p1").save()  # p1's own page and p2's, which lists it as similar
    assert [cached(uid) for uid in uids] == [False, False, True]
    assert Client().get("/papers/")["X-Page-Cache"] == "miss"

    session.title = "Moved"
    session.save()  # only p2 is in this session
    assert [cached(uid) for uid in uids] == [True, False, True]
    assert "Moved" in Client().get("/papers/p2/").content.decode()


def test_the_paper_page_lives_an_hour_when_nothing_changes(paper):
    import time

    import time_machine

    from posters.models import Paper

    start = time.time()
    with time_machine.travel(start, tick=False):
        assert "A paper" in page(Client())
    Paper.objects.filter(uid="p1").update(title="Silently renamed")  # no signal, no version bump
    with time_machine.travel(start + 50 * 60, tick=False):
        assert "A paper" in page(Client())  # still the cached page
    # (After LONG_PAGE_SECONDS it is rendered again; Redis's own expiry does not travel.)
    from portal.page_cache import LONG_PAGE_SECONDS

    assert LONG_PAGE_SECONDS == 3600


@pytest.mark.usefixtures("tasks_in_process")  # the chunks run here
def test_warming_renders_the_paper_pages(paper, django_assert_num_queries):
    tasks.warm_paper_pages()
    with django_assert_num_queries(0):
        Client(HTTP_HOST="127.0.0.1:8000").get("/papers/p1/")


@pytest.mark.usefixtures("tasks_in_process")
def test_warming_runs_in_chunks_and_the_last_one_marks_the_pages_warm(paper, monkeypatch):
    """Each chunk is a task of its own (the worker's processes share them); the pages are
    marked warm and the lock released when the last chunk is done, even one that failed."""
    from django.core.cache import cache

    from posters import warming
    from posters.page_cache import ALL_PAPERS_KEY

    PaperFactory(uid="p2"), PaperFactory(uid="p3")
    monkeypatch.setattr(tasks, "CHUNK_PAPERS", 2)
    chunks = []
    real_chunk = tasks.warm_paper_chunk.run

    def chunk(uids, user_ids, version, browser=False):
        chunks.append((list(uids), browser, cache.get(tasks.WARMED_KEY)))
        if len(chunks) == 2:
            monkeypatch.setattr(warming, "warm_paper_pages", mock.Mock(side_effect=RuntimeError("worker trouble")))
        return real_chunk(uids, user_ids, version, browser)

    with mock.patch.object(tasks.warm_paper_chunk, "run", side_effect=chunk):
        assert tasks.warm_paper_pages() == 2
    assert chunks == [(["p1", "p2"], True, None), (["p3"], False, None)]
    assert Client(HTTP_HOST="127.0.0.1:8000").get("/papers/p2/")["X-Page-Cache"] == "hit"
    assert Client(HTTP_HOST="127.0.0.1:8000").get("/papers/p3/")["X-Page-Cache"] == "miss"  # its chunk failed
    assert cache.get(tasks.WARMED_KEY) == cache.get(ALL_PAPERS_KEY)
    assert cache.get(tasks.WARMING_LOCK) is None and cache.get(tasks.CHUNKS_LEFT_KEY) is None


def test_warming_starts_with_the_papers_whose_poster_session_comes_next(conference):
    """Live first, then by the next session; papers with none to come (over, or never
    assigned) last, by UID."""
    from django.utils import timezone

    from posters.warming import paper_uids

    now = timezone.now()
    past = SessionFactory(start=now - timedelta(days=1), end=now - timedelta(days=1) + timedelta(hours=2))
    live = SessionFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    soon = SessionFactory(start=now + timedelta(hours=3), end=now + timedelta(hours=5))
    later = SessionFactory(start=now + timedelta(days=2), end=now + timedelta(days=2, hours=2))
    paper_in_sessions([past], uid="a-over")
    paper_in_sessions([later, past], uid="b-later")
    paper_in_sessions([soon, later], uid="c-soon")
    paper_in_sessions([later, live], uid="d-live")
    PaperFactory(uid="e-unassigned")
    assert paper_uids() == ["d-live", "c-soon", "b-later", "a-over", "e-unassigned"]
    assert paper_uids(limit=2) == ["d-live", "c-soon"]


@pytest.mark.usefixtures("tasks_in_process")  # the chunks run here
def test_warming_covers_every_call_link_class_and_zone(paper):
    """Registered attendees see links, other accounts are told why not: after the task,
    both kinds of visitor, in any zone, get the page from the cache."""
    conference = Conference.get()
    conference.call_link_visibility = Conference.CallLinkVisibility.REGISTERED
    conference.save()
    UserFactory(registered=True), UserFactory(registered=False)
    tasks.warm_paper_pages()
    for user in (UserFactory(registered=True), UserFactory(registered=False), None):
        client = Client(HTTP_HOST="127.0.0.1:8000") if user is None else logged_in(user)
        client.defaults["HTTP_HOST"] = "127.0.0.1:8000"
        client.cookies["tz"] = "Asia/Kolkata"
        response = client.get("/papers/p1/")
        assert response["X-Page-Cache"] == "hit", user
        assert "Asia/Kolkata" in response.content.decode()


def test_warming_is_queued_after_discovery_when_a_worker_runs_tasks(paper, django_capture_on_commit_callbacks):
    from portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with (
        mock.patch.object(tasks.warm_paper_pages, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.compute_discovery()
    app.conf.task_always_eager = eager
    delay.assert_called_once_with()
    # In-process (eager) Celery: not queued, the web process would render every page.
    app.conf.task_always_eager = True
    try:
        assert tasks.enqueue_warming() is False
    finally:
        app.conf.task_always_eager = eager


def test_unsaved_changes_to_request_user_never_reach_the_cache(paper, django_assert_num_queries):
    from django.contrib.auth.backends import ModelBackend

    from portal import user_cache

    user = accepted(display_name="Saved")
    loaded = user_cache.load_user(ModelBackend(), user.pk)
    loaded.display_name = "Unsaved"  # e.g. a profile form that failed validation
    loaded.load_roles()
    user_cache.fact(loaded, "bookmarks")
    user_cache.store_if_changed(loaded)  # as the middleware does after the response
    with django_assert_num_queries(0):
        again = user_cache.load_user(ModelBackend(), user.pk)
        assert again.display_name == "Saved"
        assert again.is_registered and not again.is_moderator
        assert user_cache.fact(again, "bookmarks") == frozenset()


@pytest.mark.usefixtures("tasks_in_process")  # the chunks run here
def test_the_beat_warms_again_when_the_pages_may_be_cold(paper):
    """After a warming nothing is queued; after a bulk job, an emptied cache, or once the
    warmed pages near their expiry, the warming is queued (once: a run holds a lock)."""
    from django.core.cache import cache

    from posters.page_cache import bump_version

    def queued():
        with mock.patch.object(tasks.warm_paper_pages, "delay") as delay:
            tasks.keep_paper_pages_warm()
        return delay.call_count == 1

    assert queued()  # never warmed
    tasks.warm_paper_pages()
    assert not queued()
    bump_version()  # a bulk job: every paper page is stale
    assert queued()
    tasks.warm_paper_pages()
    assert not queued()
    cache.clear()  # Redis restarted
    assert queued()
    tasks.warm_paper_pages()
    cache.delete(tasks.WARMED_KEY)  # what its expiry (before the pages') does
    assert queued()
    cache.add(tasks.WARMING_LOCK, 1)
    assert not queued()  # one is running
    assert tasks.warm_paper_pages() == 0


def test_the_pages_count_as_warm_from_when_their_warming_started(paper):
    """A warming of 20,000 papers takes minutes: the marker lasts WARM_SECONDS from its
    start (its first pages expire an hour after that), and a warming longer than that
    leaves no marker, so the beat warms again at once."""
    import time

    import time_machine
    from django.core.cache import cache
    from django.utils import timezone

    cache.set(tasks.WARMING_LOCK, time.time() - 20 * 60)  # started 20 minutes ago
    cache.set(tasks.CHUNKS_LEFT_KEY, 1)
    tasks._chunk_done(version=7)  # its last chunk
    assert cache.get(tasks.WARMED_KEY) == 7
    assert cache.get(tasks.WARMING_LOCK) is None and cache.get(tasks.CHUNKS_LEFT_KEY) is None
    left = tasks.WARM_SECONDS - 20 * 60
    if hasattr(cache, "ttl"):  # Redis (django-redis): its own clock
        assert left - 5 <= cache.ttl(tasks.WARMED_KEY) <= left
    else:
        with time_machine.travel(timezone.now() + timedelta(seconds=left + 5)):
            assert cache.get(tasks.WARMED_KEY) is None
    cache.delete(tasks.WARMED_KEY)

    cache.set(tasks.WARMING_LOCK, time.time() - tasks.WARM_SECONDS - 1)
    cache.set(tasks.CHUNKS_LEFT_KEY, 1)
    tasks._chunk_done(version=8)
    assert cache.get(tasks.WARMED_KEY) is None and cache.get(tasks.WARMING_LOCK) is None
    with mock.patch.object(tasks.warm_paper_pages, "delay") as delay:
        assert tasks.keep_paper_pages_warm() is True
    assert delay.call_count == 1


@pytest.mark.usefixtures("tasks_in_process")  # the chunks run here
def test_warming_renders_pages_that_are_still_cached(paper):
    """So each lives its full time again from the warming."""
    import time

    import time_machine

    start = time.time()
    with time_machine.travel(start, tick=False):
        assert Client(HTTP_HOST="127.0.0.1:8000").get("/papers/p1/")["X-Page-Cache"] == "miss"
    with time_machine.travel(start + 50 * 60, tick=False):
        tasks.warm_paper_pages()
    with time_machine.travel(start + 100 * 60, tick=False):
        assert Client(HTTP_HOST="127.0.0.1:8000").get("/papers/p1/")["X-Page-Cache"] == "hit"


@pytest.mark.redis  # counts round trips to Redis (the in-memory cache's get_many is a loop of gets)
@pytest.mark.parametrize("visitor", ["anonymous", "logged in"])
def test_a_cached_paper_page_is_one_cache_lookup(paper, visitor, django_assert_num_queries):
    """The page, its versions and its chat panel with the number of people in the room
    come in one round trip to the cache (portal.page_cache's `prefetch`); the Conference
    is not read (the key's call-link class comes from the visitor alone)."""
    from django.core.cache import cache

    client = Client() if visitor == "anonymous" else logged_in(accepted())
    client.cookies["tz"] = "Asia/Kolkata"
    page(client)
    with (
        mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many,
        mock.patch.object(cache, "get", wraps=cache.get) as get,
        django_assert_num_queries(0),
    ):
        response = client.get("/papers/p1/")
    assert response["X-Page-Cache"] == "hit" and "Asia/Kolkata" in response.content.decode()
    # Logged in, the session and the visitor's own entry (portal.user_cache) come first.
    page_lookups = [c for c in get_many.call_args_list if any(str(k).startswith("page:") for k in c.args[0])]
    assert len(page_lookups) == 1
    assert get_many.call_count == (1 if visitor == "anonymous" else 2)
    assert get.call_count == (0 if visitor == "anonymous" else 1)


def test_the_number_in_the_papers_room_comes_with_the_cached_page(paper):
    """The presence count is kept under the room's key, so the paper page fetches it with
    the page (no lookup of its own) and shows the number now, on every hit."""
    from django.core.cache import cache

    from chat.services import presence
    from posters.models import Paper

    client = Client()
    assert client.get("/papers/p1/")["X-Page-Cache"] == "miss"
    for present in (4, 5):
        cache.set(presence.cache_key(Paper.room_key_for("p1")), present)
        response = client.get("/papers/p1/")
        assert response["X-Page-Cache"] == "hit"
        assert f"<span data-present>{present}</span> here now" in response.content.decode()
