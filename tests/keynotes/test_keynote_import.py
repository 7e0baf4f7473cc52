"""speakers.yml makes keynotes, with the programme's import, idempotently; in admin too."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from keynotes.models import Keynote, Speaker
from schedule.models import Session
from tests.conftest import SHARED_DATA
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATIC = SHARED_DATA / "iclr2020" / "static"
SITEDATA = SHARED_DATA / "iclr2020" / "sitedata"

SPEAKERS = """speakers:
  - speaker: Prof. Grace Hopper
    title: "Compilers <i>for</i> everyone"
    institution: US Navy
    day: Monday
    time: {time}
    id: 7
    zoom: https://zoom.us/j/123456
    abstract: "<p>What we learnt.</p>"
    bio: "A pioneer."
"""


def write(folder, time="14:00-14:30 GMT"):
    folder.mkdir(exist_ok=True)
    (folder / "speakers.yml").write_text(SPEAKERS.format(time=time), encoding="utf-8")
    return folder


def keynote_rows():
    return sorted(
        Keynote.objects.values_list("slug", "title", "qa_session__uid", "qa_session__kind", "talk_session__uid")
    )


@pytest.mark.iclr
def test_the_iclr_keynotes_with_their_live_qa_from_the_calendar(conference):
    out = StringIO()
    call_command("import_calendar", *sorted(str(p) for p in STATIC.glob("*.ics")), stdout=out)
    call_command("import_schedule_yaml", str(SITEDATA), stdout=out)
    assert Keynote.objects.count() == 8
    aisha = Keynote.objects.select_related("qa_session").get(import_key="keynote:1")
    assert (aisha.slug, aisha.title, aisha.qa_session.title, aisha.qa_session.kind) == (
        "aisha-walcott-bryant",
        "AI + Africa = Global Innovation",
        "Live Q&A: Aisha Walcott-Bryant",
        "keynote_qa",
    )
    assert list(aisha.speakers.values_list("name", "affiliation")) == [
        ("Aisha Walcott-Bryant", "IBM Research Africa, Nairobi")
    ]
    # No Q&A session was made: the calendar's eight are the keynotes'.
    assert Session.objects.filter(kind="keynote_qa").count() == 8
    before = keynote_rows(), list(Speaker.objects.values_list("pk", "name", "bio"))
    again = StringIO()
    call_command("import_schedule_yaml", str(SITEDATA), stdout=again)
    assert (keynote_rows(), list(Speaker.objects.values_list("pk", "name", "bio"))) == before
    assert "keynote “" not in again.getvalue()


def test_speakers_yml_alone_makes_the_keynote_and_its_qa(conference, tmp_path):
    out = StringIO()
    call_command("import_schedule_yaml", str(write(tmp_path / "site")), stdout=out)
    keynote = Keynote.objects.select_related("qa_session").get()
    qa = keynote.qa_session
    assert (keynote.slug, keynote.title, keynote.abstract) == (
        "grace-hopper",
        "Compilers for everyone",
        "What we learnt.",
    )
    assert (qa.uid, qa.kind, qa.title, qa.parent.uid, qa.call_link, qa.url) == (
        "keynote-qa:7",
        "keynote_qa",
        "Live Q&A: Grace Hopper",
        "keynote:7",
        "https://zoom.us/j/123456",
        "/keynotes/grace-hopper/",
    )
    assert "keynote “Compilers for everyone” created at /keynotes/grace-hopper/" in out.getvalue()
    call_command("import_schedule_yaml", str(tmp_path / "site"), stdout=StringIO())
    assert (Keynote.objects.count(), Session.objects.filter(kind="keynote_qa").count()) == (1, 1)


def test_a_qa_under_15_minutes_is_refused_with_the_session_named(conference, tmp_path):
    with pytest.raises(CommandError) as failure:
        call_command("import_schedule_yaml", str(write(tmp_path / "site", "14:00-14:10 GMT")), stdout=StringIO())
    assert str(failure.value) == (
        "Nothing was imported.\nspeakers.yml: speaker 1: the live Q&A session “Live Q&A: Grace Hopper”: "
        "A keynote's live Q&A lasts at least 15 minutes."
    )
    assert (Keynote.objects.count(), Session.objects.count()) == (0, 0)


def test_organisers_import_speakers_yml_in_admin(conference, tmp_path):
    """The keynotes' list links to admin's import page with the sitedata import chosen;
    speakers.yml is previewed, refused with the reason or imported."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.portal.test_admin_imports import URL, block, confirm

    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert f"{URL}?kind=sitedata" in client.get("/admin/keynotes/keynote/").content.decode()

    def preview(folder):
        speakers = SimpleUploadedFile("speakers.yml", (folder / "speakers.yml").read_bytes())
        return client.post(URL, {"preview": "Preview", "kind": "sitedata", "files": [speakers]})

    refused = preview(write(tmp_path / "short", "14:00-14:05 GMT"))
    assert block(refused, "import-problems") == [
        "speakers.yml: speaker 1: the live Q&A session “Live Q&A: Grace Hopper”: "
        "A keynote's live Q&A lasts at least 15 minutes."
    ]
    assert Keynote.objects.count() == 0
    previewed = preview(write(tmp_path / "good"))
    assert Keynote.objects.count() == 0
    confirm(client, previewed)
    assert list(Keynote.objects.values_list("slug", flat=True)) == ["grace-hopper"]


def test_admin_refuses_a_keynote_whose_qa_is_too_short(conference):
    from datetime import timedelta

    from tests.factories import SessionFactory
    from tests.schedule.factories import at

    short = SessionFactory(kind="keynote_qa", title="Short Q&A", start=at(2020, 4, 27, 10), end=at(2020, 4, 27, 10, 10))
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/keynotes/keynote/add/",
        {
            "slug": "short",
            "title": "Short",
            "abstract": "",
            "import_key": "",
            "qa_session": short.pk,
            "speakers-TOTAL_FORMS": "0",
            "speakers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "“Short Q&amp;A”: A keynote&#x27;s live Q&amp;A lasts at least 15 minutes." in response.content.decode()
    assert Keynote.objects.count() == 0
    assert timedelta(minutes=10) == short.end - short.start


def test_call_links_in_speakers_yml_are_cut_from_the_text_or_refused_naming_the_speaker(conference, tmp_path):
    site = write(tmp_path / "site")
    yml = site / "speakers.yml"
    good = yml.read_text()
    yml.write_text(good.replace("institution: US Navy", "institution: US Navy, passcode 4455"))
    with pytest.raises(CommandError) as failure:
        call_command("import_schedule_yaml", str(site), stdout=StringIO())
    # The institution is also in the keynote session's description, which refuses it.
    assert "speakers.yml: speaker 1: description: This gives a meeting passcode or ID" in str(failure.value)
    assert (Keynote.objects.count(), Speaker.objects.count(), Session.objects.count()) == (0, 0, 0)
    # HTML fields are made plain text, and a call link in them is cut out (schedule.importers.html_to_text).
    yml.write_text(good.replace('bio: "A pioneer."', 'bio: "A pioneer. Join me at https://zoom.us/j/99887766"'))
    call_command("import_schedule_yaml", str(site), stdout=StringIO())
    assert Speaker.objects.get().bio == "A pioneer. Join me at"


def test_admin_refuses_a_call_link_in_a_keynotes_abstract_or_a_speakers_bio(conference):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "slug": "open",
        "title": "Open",
        "abstract": "Questions at https://meet.google.com/abc-defg-hij",
        "import_key": "",
        "speakers-TOTAL_FORMS": "1",
        "speakers-INITIAL_FORMS": "0",
        "speakers-0-name": "Ada",
        "speakers-0-position": "0",
        "speakers-0-bio": "Passcode: 123456",
    }
    page = client.post("/admin/keynotes/keynote/add/", form).content.decode()
    assert "“https://meet.google.com/abc-defg-hij” is a video-call link, and this field is public." in page
    assert "This gives a meeting passcode or ID, and this field is public." in page
    assert Keynote.objects.count() == 0
