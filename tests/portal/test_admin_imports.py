"""Admin's import page: the same services, rules and messages as the commands; a preview (dry run),
a confirmation, and the result on the page."""

import io
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from portal.models import Conference, PendingImport, RegisteredEmail
from posters.models import AuthorEmail, Paper, PosterSlot
from posters.uploads import authored_papers
from schedule.models import Session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLT = Path(__file__).resolve().parent.parent / "data" / "clt2021" / "sitedata"
URL = "/admin/portal/pendingimport/"


@pytest.fixture
def conference(db):
    return Conference.get()


@pytest.fixture
def organiser(client, conference):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def upload(*names, folder=CLT):
    return [SimpleUploadedFile(name, (folder / name).read_bytes()) for name in names]


def block(response, element_id):
    html = response.content.decode()
    match = re.search(rf'id="{element_id}">(.*?)</(?:div|ul)>', html, re.S)
    assert match, f"no #{element_id} on the page"
    return [
        unescape(re.sub(r"<[^>]+>", "", line)).strip() for line in re.split(r"\n|</li>", match.group(1)) if line.strip()
    ]


def preview(client, kind, files, **extra):
    return client.post(URL, {"preview": "Preview", "kind": kind, "files": files, **extra})


def confirm(client, response):
    pending = re.search(r'name="pending" value="(\d+)"', response.content.decode()).group(1)
    return client.post(URL, {"confirm": "Confirm import", "pending": pending})


def command_output(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def test_the_page_lists_every_kind_for_organisers_only(client, organiser):
    page = client.get(URL).content.decode()
    for label in ("Papers", "Poster slots", "Authors&#x27; e-mails", "Calendars", "Sitedata YAML", "Registrations"):
        assert label in page
    assert "Imports (papers, poster slots, calendars, sitedata, e-mails)" in client.get("/admin/").content.decode()
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 302


def test_papers_preview_then_confirm_with_the_commands_messages(client, organiser):
    expected = command_output("import_papers", str(CLT / "papers.csv"), "--dry-run")
    response = preview(client, "papers", upload("papers.csv"))

    assert block(response, "import-preview") == [
        line.replace(str(CLT / "papers.csv"), "papers.csv") for line in expected
    ]
    assert block(response, "import-preview") == [
        "Dry run, nothing was written. Papers: 5 created, 0 updated, 0 unchanged; 5 new authors, 5 new keywords. "
        "Author e-mails: 7 added, 0 updated."
    ]
    assert (Paper.objects.count(), PendingImport.objects.count()) == (0, 1)

    first = response
    response = confirm(client, first)

    assert block(response, "import-result") == [
        "Papers: 5 created, 0 updated, 0 unchanged; 5 new authors, 5 new keywords. Author e-mails: 7 added, 0 updated.",
        "Similar papers and the paper map are being recomputed.",
    ]
    assert (Paper.objects.count(), AuthorEmail.objects.count(), PendingImport.objects.count()) == (5, 7, 0)
    # Confirming the same preview again imports nothing twice.
    assert block(confirm(client, first), "import-problems") == [
        "This preview has expired or was already imported; upload the file again."
    ]


def test_two_tracks_in_one_upload_and_replace_in_the_preview(client, organiser):
    call_command("import_papers", str(CLT / "papers.csv"), "--no-discovery", stdout=io.StringIO())
    response = preview(client, "poster_slots", upload("main_paper_sessions.yml", "demo_paper_sessions.yml"))
    assert block(response, "import-preview") == [
        "Dry run, nothing was written. Poster sessions: 2 created, 0 updated, 0 unchanged. "
        "Poster slots: 6 created, 0 updated, 0 unchanged, 0 removed."
    ]
    confirm(client, response)
    assert PosterSlot.objects.count() == 6

    response = preview(client, "poster_slots", upload("main_paper_sessions.yml"), replace="on")
    assert block(response, "import-preview") == [
        "Dry run, nothing was written. Poster sessions: 0 created, 0 updated, 2 unchanged. "
        "Poster slots: 0 created, 0 updated, 4 unchanged, 2 removed.",
        "Would remove paper demo.3 from “Q&A Session 1A: Punctuation and Parsing”.",
        "Would remove paper demo.8 from “Q&A Session 2A: Generation”.",
    ]
    assert PosterSlot.objects.count() == 6
    response = client.post(
        URL, {"cancel": "Cancel", "pending": re.search(r'name="pending" value="(\d+)"', response.content.decode())[1]}
    )
    assert "The import was cancelled; nothing was written." in response.content.decode()
    assert (PosterSlot.objects.count(), PendingImport.objects.count()) == (6, 0)


def test_a_bad_file_shows_every_problem_and_writes_nothing(client, organiser, tmp_path):
    bad = tmp_path / "papers.csv"
    bad.write_text("UID,title,authors,emails\np1,One,Ada|Alan,ada@example.org\n,Two,Grace,\n", encoding="utf-8")
    response = preview(client, "papers", upload("papers.csv", folder=tmp_path))
    assert block(response, "import-problems") == [
        "papers.csv, line 2: 1 author e-mails for 2 authors.",
        "papers.csv, line 3: no UID.",
    ]
    assert (Paper.objects.count(), PendingImport.objects.count()) == (0, 0)


def test_calendars_sitedata_and_registrations(client, organiser, tmp_path):
    response = confirm(client, preview(client, "calendars", upload("overall_calendar.json")))
    assert block(response, "import-result") == ["overall_calendar.json: sessions 7 created, 0 updated, 0 unchanged."]
    response = confirm(client, preview(client, "sitedata", upload("workshops.yml", "tutorials.yml", "socials.yml")))
    assert block(response, "import-result")[0] == "workshops.yml: sessions 3 created, 0 updated, 0 unchanged."
    assert Session.objects.filter(uid="tutorial:T1").exists()
    emails = tmp_path / "registered.csv"
    emails.write_text("email\nada@example.org\n", encoding="utf-8")
    response = confirm(client, preview(client, "registrations", upload("registered.csv", folder=tmp_path)))
    assert block(response, "import-result") == ["1 registrations added, 0 already on the list."]
    assert list(RegisteredEmail.objects.values_list("email", "source")) == [("ada@example.org", "registered.csv")]


def test_an_email_file_in_admin_gives_the_author_role(client, organiser, tmp_path):
    call_command("import_papers", str(CLT / "papers.csv"), "--no-discovery", stdout=io.StringIO())
    path = tmp_path / "emails.csv"
    path.write_text("UID,author,email\nmain.31,Lena Berg,lena.berg@newlab.example.org\n", encoding="utf-8")
    response = confirm(client, preview(client, "author_emails", upload("emails.csv", folder=tmp_path)))
    assert block(response, "import-result") == ["Author e-mails: 1 added, 0 updated, 0 unchanged, 0 removed."]

    lena = UserFactory(email="lena.berg@newlab.example.org")
    assert [p.uid for p in authored_papers(lena)] == ["main.31"]


def test_socials_become_booths_after_a_preview_that_writes_nothing(client, organiser):
    """Imports → Social and workshop booths: the command's lines; the preview writes nothing."""
    from booths.models import Booth

    confirm(client, preview(client, "sitedata", upload("workshops.yml", "socials.yml")))
    expected = command_output("import_booths", str(CLT), "--dry-run")
    assert Booth.objects.count() == 0
    response = preview(client, "booths", upload("socials.yml"))
    assert block(response, "import-preview") == [line.strip() for line in expected]
    assert Booth.objects.count() == 0
    done = block(confirm(client, response), "import-result")
    assert done == [line.strip() for line in expected[1:]]
    assert Booth.objects.filter(kind=Booth.Kind.SOCIAL).exists()
    assert Booth.objects.filter(kind=Booth.Kind.WORKSHOP).count() == Session.objects.filter(kind="workshop").count() > 0
    wrong = preview(client, "booths", upload("workshops.yml"))
    assert block(wrong, "import-problems") == ["workshops.yml: choose one file, socials.yml."]
