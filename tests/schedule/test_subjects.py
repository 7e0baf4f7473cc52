"""The registry of subjects (schedule/subjects.py): a key names a thing some feature owns;
the lower layers ask the registry about it, never the feature. Also what asks it: the
agenda's titles and links, and the upload reminders' addresses and links."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail

from posters.models import Author
from schedule import subjects
from schedule.agenda import add_to_agenda
from schedule.models import Recording, Session
from schedule.recordings.services import recording_for, send_upload_reminders
from schedule.subjects import Subject
from tests.factories import PaperFactory, UserFactory
from tests.schedule.factories import at, session
from tests.subjects import subject_kind

BOOTHS = {"acme": "Acme's booth", "zeta": "Zeta's booth"}


def booths(slugs):
    booths.calls.append(list(slugs))
    return [Subject(f"booth:{slug}", BOOTHS[slug], url=f"/booths/{slug}/") for slug in slugs if slug in BOOTHS]


@pytest.fixture
def booth_kind():
    booths.calls = []
    with subject_kind(
        "booth",
        booths,
        is_author=lambda slug, user: user.email == f"host@{slug}.example",
        authored_by=lambda user: [slug for slug in BOOTHS if user.email == f"host@{slug}.example"],
    ):
        yield booths.calls


def test_a_key_resolves_through_its_kind(booth_kind):
    acme = subjects.subject("booth:acme")
    assert (acme, acme.kind) == (Subject("booth:acme", "Acme's booth", url="/booths/acme/"), "booth")
    assert booth_kind == [["acme"]]


@pytest.mark.parametrize(
    "key",
    ["booth:nobody", "keynote:lecun", "booth", "Booth:acme", "booth:a b", "", None, "booth:" + "x" * 97],
)
def test_what_names_nothing_known_is_none(booth_kind, key):
    """An unknown thing, an unregistered kind, a kind without its arg, a malformed key."""
    assert subjects.subject(key) is None


def test_a_list_is_resolved_with_one_call_per_kind(booth_kind, corridor_kind):
    found = subjects.subjects_by_key(["booth:zeta", "booth:acme", "booth:acme", "booth:gone", "corridor", "nope:x"])
    assert sorted(found) == ["booth:acme", "booth:zeta", "corridor"]
    assert booth_kind == [["acme", "gone", "zeta"]]
    assert subjects.subjects_by_key([]) == {}


@pytest.fixture
def corridor_kind():
    # chat registers it; a singleton is keyed by its bare name and resolved with "".
    assert subjects.subject_kind("corridor").singleton
    return subjects.subject_kind("corridor")


def test_a_singleton_has_no_arg(corridor_kind):
    assert subjects.subject("corridor") == Subject("corridor", "The Corridor", url="/corridor/")
    assert subjects.subject("corridor:x") is None


@pytest.mark.django_db
def test_authors_are_the_kinds_answer(booth_kind):
    host, visitor = UserFactory(email="host@acme.example"), UserFactory()
    assert [subjects.is_author("booth:acme", u) for u in (host, visitor, AnonymousUser())] == [True, False, False]
    assert subjects.is_author("booth:zeta", host) is False
    assert (subjects.has_authors("booth:acme"), subjects.has_authors("corridor")) == (True, False)
    assert subjects.is_author("corridor", host) is False
    assert subjects.authored_by(host) == ["booth:acme"]
    assert subjects.authored_by(AnonymousUser()) == []


def test_a_kind_is_named_plainly():
    for bad in ["Booth", "", "a" * 21, "1st", "booth:x"]:
        with pytest.raises(ValueError, match=f"subject kind {bad!r}: 1-20 lowercase letters"):
            subjects.register_subject_kind(bad, resolve=list)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 50])
def test_papers_resolve_in_one_query(django_assert_num_queries, n):
    papers = PaperFactory.create_batch(n, author_names=["Ada Lovelace", "Alan Turing"])
    Author.objects.filter(name="Ada Lovelace").update(email="Ada@Example.org")
    keys = [f"paper:{p.uid}" for p in papers] + ["paper:missing"]
    with django_assert_num_queries(1):
        found = subjects.subjects_by_key(keys)
    first = papers[0]
    assert len(found) == n
    assert found[f"paper:{first.uid}"] == Subject(
        key=f"paper:{first.uid}",
        title=first.title,
        url=f"/papers/{first.uid}/",
        upload_url=f"/me/papers/{first.uid}/recording/",
        author_emails=frozenset({"ada@example.org"}),
    )


@pytest.mark.django_db
def test_the_agenda_names_and_links_a_paper_as_its_subject_says(client, conference):
    user = UserFactory()
    paper = PaperFactory(uid="AG1", title="The paper's own title")
    poster = session(Session.Kind.POSTER, at(2020, 4, 27, 12), title="Poster session 3")
    add_to_agenda(user, poster, subject_key="paper:AG1", label="What the browser called it")
    add_to_agenda(user, poster, subject_key="paper:GONE", label="A paper since withdrawn")
    client.force_login(user)
    html = client.get("/me/agenda/").content.decode()
    assert f'<a href="/papers/{paper.uid}/" class="title">The paper&#x27;s own title</a>' in html
    assert f'<a href="{poster.get_absolute_url()}" class="title">A paper since withdrawn</a>' in html
    listing = client.get("/api/v1/me/agenda/").json()
    assert sorted(item["title"] for item in listing) == ["A paper since withdrawn", "The paper's own title"]


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 20])
def test_the_agenda_looks_its_papers_up_at_once(client, conference, django_assert_num_queries, n):
    user = UserFactory()
    poster = session(Session.Kind.POSTER, at(2020, 4, 27, 12), title="Poster session 3")
    for paper in PaperFactory.create_batch(n):
        add_to_agenda(user, poster, subject_key=f"paper:{paper.uid}", label=paper.title)
    client.force_login(user)
    client.get("/me/agenda/")  # the conference is now in its cache
    # the user, items, the papers (one query for all), settings, notices, agenda keys, appointments
    with django_assert_num_queries(7):
        assert client.get("/me/agenda/").status_code == 200


@pytest.mark.django_db
def test_reminders_go_to_the_subjects_authors_with_its_upload_page(booth_kind):
    paper = PaperFactory(uid="RM1", title="Unrecorded", author_names=["Ada Lovelace"])
    Author.objects.filter(name="Ada Lovelace").update(email="ada@example.org")
    recordings = [
        recording_for("paper:RM1", kind=Recording.Kind.POSTER, title=paper.title),
        recording_for("booth:acme", kind=Recording.Kind.POSTER, title="A booth's talk"),  # no upload page
        recording_for("paper:GONE", kind=Recording.Kind.POSTER, title="Withdrawn"),
    ]
    for recording in recordings:
        recording.uploaders.add(UserFactory(email=f"helper@{recording.pk}.example"))
    assert send_upload_reminders(recordings) == 1
    [message] = mail.outbox
    assert message.to == ["ada@example.org", f"helper@{recordings[0].pk}.example"]
    assert "Upload the video, slides and captions here: http://127.0.0.1:8000/me/papers/RM1/recording/" in message.body
