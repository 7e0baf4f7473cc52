"""Author e-mails from imports: a papers file's e-mail column (Mini-Conf `emails`/`author_emails`,
OpenReview `authorids`) or an e-mail file per paper link addresses to authors, so an author
who signs up and verifies the address may upload at once. The addresses are never public."""

import io

import pytest
from django.core.management import CommandError, call_command

from posters.models import AuthorEmail, Paper
from posters.uploads import authored_papers, may_upload
from tests.factories import PosterSlotFactory, UserFactory, verify_email

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:PaperFactory._after_postgeneration:DeprecationWarning"),
]

PAPERS = (
    "UID,title,authors,keywords,emails\n"
    "nl.1,Parsing by moonlight,Ada Lovelace|Alan Turing,parsing,ADA@example.org|\n"
    "nl.2,Translation at dawn,Grace Hopper|Ada Lovelace,machine translation,grace@example.net|ada@uni.example.edu\n"
)


def run(command, path, *options):
    out = io.StringIO()
    call_command(command, str(path), *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def papers_file(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text(PAPERS, encoding="utf-8")
    return path


def test_an_author_whose_address_is_in_the_papers_file_may_upload_once_verified(papers_file, conference):
    assert run("import_papers", papers_file, "--no-discovery") == (
        "Papers: 2 created, 0 updated, 0 unchanged; 3 new authors, 2 new keywords. "
        "Author e-mails: 3 added, 0 updated.\n"
    )
    assert sorted(AuthorEmail.objects.values_list("paper__uid", "author__name", "email")) == [
        ("nl.1", "Ada Lovelace", "ada@example.org"),
        ("nl.2", "Ada Lovelace", "ada@uni.example.edu"),
        ("nl.2", "Grace Hopper", "grace@example.net"),
    ]
    # Re-importing changes nothing.
    assert run("import_papers", papers_file, "--no-discovery").endswith("2 unchanged; 0 new authors, 0 new keywords.\n")

    ada = UserFactory(email="ada@example.org")  # signs up and verifies this address
    assert [p.uid for p in authored_papers(ada)] == ["nl.1"]
    assert may_upload(ada, Paper.objects.get(uid="nl.1"))
    assert not may_upload(ada, Paper.objects.get(uid="nl.2"))
    verify_email(ada, "ada@uni.example.edu")  # her second address, on the other paper
    assert sorted(p.uid for p in authored_papers(ada)) == ["nl.1", "nl.2"]


def test_an_unverified_address_grants_nothing(papers_file, client, conference):
    run("import_papers", papers_file, "--no-discovery")
    grace = UserFactory(email="grace@example.net", email_verified=False)
    assert list(authored_papers(grace)) == []
    assert not may_upload(grace, Paper.objects.get(uid="nl.2"))


def test_a_bad_address_or_count_refuses_the_file(tmp_path, conference):
    path = tmp_path / "papers.csv"
    path.write_text(
        "UID,title,authors,author_emails\n"
        "p1,One,Ada Lovelace|Alan Turing,ada@example.org\n"
        "p2,Two,Grace Hopper,not-an-address\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        run("import_papers", path)
    assert str(error.value) == (
        "Nothing was imported.\n"
        f"{path}, line 2: 1 author e-mails for 2 authors.\n"
        f"{path}, line 3: author e-mail “not-an-address” for Grace Hopper is not an e-mail address."
    )
    assert (Paper.objects.count(), AuthorEmail.objects.count()) == (0, 0)


# --- An e-mail file per paper --------------------------------------------------------------


@pytest.fixture
def imported(papers_file, conference):
    run("import_papers", papers_file, "--no-discovery")


def test_an_email_file_with_or_without_the_author(imported, tmp_path):
    by_uid = tmp_path / "emails.csv"
    by_uid.write_text("UID,email\nnl.1,turing@example.org\nnl.1,ada@example.org\n", encoding="utf-8")
    assert run("import_author_emails", by_uid) == "Author e-mails: 1 added, 0 updated, 1 unchanged, 0 removed.\n"
    by_author = tmp_path / "named.csv"
    by_author.write_text("UID,author,email\nnl.1,alan turing,turing@example.org\n", encoding="utf-8")
    assert run("import_author_emails", by_author) == "Author e-mails: 0 added, 1 updated, 0 unchanged, 0 removed.\n"
    assert AuthorEmail.objects.get(email="turing@example.org").author.name == "Alan Turing"

    alan = UserFactory(email="turing@example.org")
    assert [p.uid for p in authored_papers(alan)] == ["nl.1"]


def test_replace_is_scoped_to_the_files_papers_with_a_dry_run(imported, tmp_path):
    path = tmp_path / "emails.csv"
    path.write_text("UID,email\nnl.2,grace@example.net\n", encoding="utf-8")
    assert run("import_author_emails", path, "--replace", "--dry-run") == (
        "Dry run, nothing was written. Author e-mails: 0 added, 0 updated, 1 unchanged, 1 removed.\n"
        "  Would remove ada@uni.example.edu from paper nl.2.\n"
    )
    assert AuthorEmail.objects.count() == 3
    run("import_author_emails", path, "--replace")
    # nl.1 is not in the file: its address stays.
    assert sorted(AuthorEmail.objects.values_list("paper__uid", "email")) == [
        ("nl.1", "ada@example.org"),
        ("nl.2", "grace@example.net"),
    ]


def test_a_bad_email_file_names_file_line_and_reason_and_writes_nothing(imported, tmp_path):
    path = tmp_path / "emails.csv"
    path.write_text(
        "UID,author,email\nnl.1,Grace Hopper,grace@example.net\nnl.9,Ada Lovelace,ada@example.org\n"
        "nl.2,Grace Hopper,new@example.net\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        run("import_author_emails", path)
    assert str(error.value) == (
        "Nothing was imported.\n"
        f"{path}, line 2: Grace Hopper is not an author of paper nl.1.\n"
        f"{path}, line 3: unknown paper UID nl.9 (import the papers first)."
    )
    assert AuthorEmail.objects.count() == 3
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("paper title,contact\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"wrong.csv, line 1: expected a CSV with a header UID,email or "):
        run("import_author_emails", wrong)


# --- Never public ----------------------------------------------------------------------------


def test_addresses_appear_on_no_public_page_api_feed_or_search(imported, client):
    for paper in Paper.objects.all():
        PosterSlotFactory(paper=paper)
    urls = [
        "/papers/",
        "/papers/?q=parsing",
        "/papers/nl.1/",
        "/papers/nl.2/",
        "/papers/nl.1/calendar.ics",
        "/papers/map.json",
        "/posters/",
        "/api/v1/papers/",
        "/api/v1/papers/nl.1/",
        "/api/v1/poster-sessions/",
        "/calendar.ics",
        "/papers/?q=example.org",
    ]
    for author in ("ada-lovelace", "grace-hopper"):
        urls.append(f"/authors/{author}/")
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        body = response.content.decode().lower()
        for address in ("ada@example.org", "ada@uni.example.edu", "grace@example.net", "example.net", "@example"):
            assert address not in body, (url, address)
