"""Workshops and socials from the real ICLR 2020 files: every workshop a page with its talks,
its live link under the call-link rule, its booth and its .ics; every social a social booth
with its slots, "All Day" ones all-day booths."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from booths.models import Booth
from keynotes.models import Keynote
from portal.models import Conference
from schedule.models import Recording, Session
from tests.conftest import SHARED_DATA

STATIC = SHARED_DATA / "iclr2020" / "static"
SITEDATA = SHARED_DATA / "iclr2020" / "sitedata"


@pytest.fixture(scope="module")
def iclr(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        conference = Conference.get()
        conference.name = "ICLR 2020"
        conference.save()
        out = StringIO()
        call_command("import_calendar", *sorted(str(p) for p in STATIC.glob("*.ics")), stdout=out)
        call_command("import_schedule_yaml", str(SITEDATA), stdout=out)
        booths_out = StringIO()
        call_command("import_booths", str(SITEDATA), stdout=booths_out)
        yield booths_out.getvalue().splitlines()
        # speakers.yml also made keynotes and their recordings (keynotes' import hook).
        Booth.objects.all().delete()
        Keynote.objects.all().delete()
        Recording.objects.all().delete()
        Session.objects.all().delete()
        Conference.objects.all().delete()


@pytest.mark.iclr
@pytest.mark.django_db
def test_every_social_is_a_booth_and_all_day_ones_are_not_dropped(iclr):
    # 27 occurrences in socials.yml: 26 timed (the schedule's sessions), 1 "All Day".
    assert iclr[0] == "socials.yml: booths 20 created, 0 updated, 0 unchanged; 27 slots linked."
    assert "all-day booth" in iclr[1]
    assert iclr[-1] == "workshops: 15 booths created."
    town = Booth.objects.get(slug="social-iclrtown")
    assert (town.kind, town.all_day, town.status) == ("social", True, "approved")
    assert [(s.start, s.end) for s in town.slots.all()] == [
        (datetime(2020, 4, 28, tzinfo=UTC), datetime(2020, 4, 29, tzinfo=UTC))
    ]
    tools = Booth.objects.get(name="Open source tools and practices in state-of-the-art DL research")
    assert [s.start.hour for s in tools.slots.order_by("start")] == [16, 17]
    assert "ICLR Town" in Client().get("/booths/?kind=social").content.decode()
    again = StringIO()
    call_command("import_booths", str(SITEDATA), stdout=again)
    assert again.getvalue().splitlines()[0] == "socials.yml: booths 0 created, 0 updated, 20 unchanged; 0 slots linked."


@pytest.mark.iclr
@pytest.mark.django_db
def test_a_workshop_page_has_its_talks_booth_live_link_window_and_calendar(iclr):
    listing = Client().get("/workshops/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert html[html.index('<ul class="workshop-list">') :].count('<h2><a href="/workshops/') == 15
    page = Client().get("/workshops/FSAI/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"].startswith("public")
    workshop = Session.objects.get(uid="workshop:FSAI")
    assert html.count("/schedule/sessions/") >= workshop.children.count()
    assert f'data-call-slot="session:{workshop.pk}"' in html and "zoom.us" not in html
    assert f'href="/booths/{workshop.workshop_booth.slug}/"' in html
    assert "Saturday 25 April" in listing.content.decode() or "Sunday 26 April" in listing.content.decode()
    ics = Client().get("/workshops/FSAI.ics")
    body = ics.content.decode()
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.count("BEGIN:VEVENT") == 1 + workshop.children.count()
    assert "zoom.us" not in body
    assert Client().get("/workshops/NOPE/").status_code == 404


@pytest.mark.iclr
@pytest.mark.django_db
def test_a_socials_times_show_on_its_page_and_in_the_api_and_it_is_open_during_them(iclr):
    tools = Booth.objects.get(name="Open source tools and practices in state-of-the-art DL research")
    first, second = tools.slots.order_by("start")
    api = Client().get(f"/api/v1/booths/{tools.slug}/").json()
    assert [slot["start"] for slot in api["slots"]] == [
        first.start.isoformat().replace("+00:00", "Z"),
        second.start.isoformat().replace("+00:00", "Z"),
    ]
    with time_machine.travel(first.start + (first.end - first.start) / 2, tick=False):
        assert Client().get(f"/api/v1/booths/{tools.slug}/").json()["open_now"] is True
        html = Client().get(f"/booths/{tools.slug}/").content.decode()
    assert "Open now" in html
    with time_machine.travel(first.start - timedelta(days=1), tick=False):
        assert Client().get(f"/api/v1/booths/{tools.slug}/").json()["open_now"] is False


@pytest.mark.iclr
@pytest.mark.django_db
def test_all_day_booths_are_open_on_the_conference_days_only(iclr):
    # A workshop's booth has no slots: open from the conference's first midnight to the one after its last day.
    workshop = Session.objects.get(uid="workshop:FSAI").workshop_booth
    town = Booth.objects.get(slug="social-iclrtown")  # "All Day" on Tuesday 28 April (a day-long slot)
    conference = Conference.get()
    during, before, after = datetime(2020, 4, 27, 12, tzinfo=UTC), conference.starts_at, conference.ends_at

    def open_now(booth, at):
        with time_machine.travel(at, tick=False):
            api = Client().get(f"/api/v1/booths/{booth.slug}/").json()["open_now"]
            page = "Open now" in Client().get(f"/booths/{booth.slug}/").content.decode()
        assert api == page
        return api

    assert open_now(workshop, during) is True
    assert open_now(workshop, before - timedelta(hours=1)) is False
    assert open_now(workshop, after) is False
    assert open_now(town, datetime(2020, 4, 28, 12, tzinfo=UTC)) is True
    assert open_now(town, during) is False
