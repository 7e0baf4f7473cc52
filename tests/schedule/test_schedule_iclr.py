"""The real ICLR 2020 programme, imported and seen from four corners of the world."""

from io import StringIO

import pytest
from django.core.management import call_command

from keynotes.models import Keynote
from portal.models import Conference
from schedule.models import Recording, Session
from tests.conftest import SHARED_DATA
from tests.schedule.html import parse, titles

pytestmark = [pytest.mark.iclr, pytest.mark.django_db]

STATIC = SHARED_DATA / "iclr2020" / "static"
SITEDATA = SHARED_DATA / "iclr2020" / "sitedata"


@pytest.fixture(scope="module")
def iclr(django_db_setup, django_db_blocker):
    """Imported once for the module: the 17 calendars, then the site data."""
    with django_db_blocker.unblock():
        conference = Conference.get()
        conference.name, conference.time_zone = "ICLR 2020", "Africa/Addis_Ababa"
        conference.save()
        out = StringIO()
        call_command("import_calendar", *sorted(str(p) for p in STATIC.glob("*.ics")), stdout=out)
        call_command("import_schedule_yaml", str(SITEDATA), stdout=out)
        yield out.getvalue().splitlines()
        # speakers.yml also made the keynotes (keynotes' import hook) and their recordings.
        Keynote.objects.all().delete()
        Recording.objects.all().delete()
        Session.objects.all().delete()
        Conference.objects.all().delete()


def test_the_whole_programme_is_imported(iclr):
    counts = {kind: Session.objects.filter(kind=kind).count() for kind in Session.Kind.values}
    assert {k: v for k, v in counts.items() if v} == {
        "keynote": 8,
        "keynote_qa": 8,
        "poster": 20,
        "workshop": 15,
        "workshop_talk": 263,
        "social": 28,
        "sponsor": 4,
    }
    assert iclr[:2] == [
        "basic.ics: sessions 56 created, 0 updated, 0 unchanged.",
        "iclr.ics: sessions 0 created, 0 updated, 28 unchanged.",
    ]
    assert Session.objects.get(uid="workshop:FSAI").title == "Fundamental Science in the era of AI"
    qa = Session.objects.select_related("parent").get(title="Live Q&A: Aisha Walcott-Bryant")
    assert (qa.parent.title, qa.parent.kind) == ("Aisha Walcott-Bryant: AI + Africa = Global Innovation", "keynote")


def test_importing_again_changes_nothing(iclr):
    before = sorted(Session.objects.values_list("uid", "start", "end", "sequence", "title", "kind", "parent__uid"))
    out = StringIO()
    call_command("import_calendar", *sorted(str(p) for p in STATIC.glob("*.ics")), stdout=out)
    call_command("import_schedule_yaml", str(SITEDATA), stdout=out)
    assert all(" 0 created, 0 updated," in line for line in out.getvalue().splitlines() if ": sessions " in line)
    assert (
        sorted(Session.objects.values_list("uid", "start", "end", "sequence", "title", "kind", "parent__uid")) == before
    )


def posters_on(client, zone, day):
    client.cookies["tz"] = zone
    return [t.split("(")[-1].rstrip(")") for t in titles(client.get(f"/schedule/{day}/?kind=poster"))]


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Pacific/Auckland", "2020-04-27", ["P1S1", "P1S2"]),
        ("Pacific/Auckland", "2020-05-01", ["P4S3", "P4S4", "P4S5"]),  # P4S3 starts at midnight
        ("Asia/Kolkata", "2020-04-27", ["P1S1", "P1S2", "P1S3", "P1S4"]),
        # P1S4 runs 22:30–00:30, so it is under both days.
        ("Asia/Kolkata", "2020-04-28", ["P1S4", "P1S5", "P2S1", "P2S2", "P2S3", "P2S4"]),
        ("Europe/Berlin", "2020-04-27", ["P1S1", "P1S2", "P1S3", "P1S4", "P1S5"]),
        ("America/Los_Angeles", "2020-04-26", ["P1S1"]),
        ("America/Los_Angeles", "2020-04-30", ["P4S2", "P4S3", "P4S4", "P4S5"]),
    ],
)
def test_poster_sessions_fall_on_the_viewers_days(iclr, client, zone, day, expected):
    assert posters_on(client, zone, day) == expected


@pytest.mark.parametrize(
    ("zone", "columns"),
    [
        ("Pacific/Auckland", ["20200426", "20200427", "20200428", "20200429", "20200430", "20200501"]),
        ("Asia/Kolkata", ["20200426", "20200427", "20200428", "20200429", "20200430", "20200501"]),
        ("Europe/Berlin", ["20200426", "20200427", "20200428", "20200429", "20200430", "20200501"]),
        ("America/Los_Angeles", ["20200425", "20200426", "20200427", "20200428", "20200429", "20200430"]),
    ],
)
def test_the_week_has_a_column_for_each_of_the_viewers_days(iclr, client, zone, columns):
    client.cookies["tz"] = zone
    page = parse(client.get("/schedule/").content)
    assert [
        h.attrs["id"].removeprefix("day-") for h in page.find_all(tag="h2") if h.attrs.get("id", "").startswith("day-")
    ] == columns


def test_a_keynote_and_its_time_in_each_zone(iclr, client):
    keynote = Session.objects.get(uid="keynote:2")  # Leslie Kaelbling, Monday 19:00–19:30 GMT
    seen = {}
    for zone in ("Pacific/Auckland", "Asia/Kolkata", "Europe/Berlin", "America/Los_Angeles"):
        client.cookies["tz"] = zone
        page = parse(client.get(f"/schedule/sessions/{keynote.pk}/").content)
        seen[zone] = page.find("when").text
    assert seen == {
        "Pacific/Auckland": "Tue 28 Apr, 07:00–07:30 NZST",
        "Asia/Kolkata": "Tue 28 Apr, 00:30–01:00 IST",
        "Europe/Berlin": "Mon 27 Apr, 21:00–21:30 CEST",
        "America/Los_Angeles": "Mon 27 Apr, 12:00–12:30 PDT",
    }
