"""Sponsors: the import (real ICLR 2020 files), /sponsors/ by tier, a sponsor's page, the
jobs board, meetings with a recruiter (booking, refusals, agenda, feed, call link, cancel)."""

import shutil
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from booths.importers import import_sponsors
from booths.models import Booth, MeetingSlot, Sponsor
from booths.services import meetings
from booths.services.errors import BoothError
from portal.models import Conference
from schedule.importers import ImportFailed
from schedule.models import AgendaSettings
from tests.booths.factories import JobFactory, MeetingSlotFactory, SponsorFactory
from tests.chat.factories import AttendeeFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# --- import -------------------------------------------------------------------------------


@pytest.mark.iclr
def test_import_the_iclr_sponsors_with_tiers_booths_and_expo_talks(shared_data, tmp_path):
    sitedata = shared_data / "iclr2020" / "sitedata"
    conference = Conference.get()
    conference.start_date, conference.end_date = (
        conference.start_date.replace(2020, 4, 26),
        conference.end_date.replace(2020, 4, 30),
    )
    conference.save()
    folder = tmp_path / "sitedata"
    folder.mkdir()
    shutil.copy(sitedata / "expos.yml", folder)
    call_command("import_schedule_yaml", str(folder))
    result = import_sponsors(sitedata)
    sponsors = list(Sponsor.objects.all())
    assert result.created == len(sponsors)
    tiers = list(dict.fromkeys(s.tier for s in sponsors))
    assert tiers[:3] == ["Diamond", "Gold", "Silver"]
    deepmind = Sponsor.objects.get(slug="deepmind")
    assert (deepmind.tier, deepmind.website) == ("Diamond", "http://www.deepmind.com")
    assert deepmind.booth.kind == Booth.Kind.SPONSOR and deepmind.booth.status == Booth.Status.APPROVED
    linked = {s.name: [t.title for t in s.talks.all()] for s in sponsors if s.talks.exists()}
    assert linked["IBM Research"] == ["IBM: Neurosymbolic Hybrid AI"]
    assert len(linked) == 4
    again = import_sponsors(sitedata)
    assert (again.created, again.updated, again.matched) == (0, 0, 0)
    assert Sponsor.objects.count() == len(sponsors)


def test_a_bad_file_names_the_line_and_writes_nothing(tmp_path):
    (tmp_path / "sponsors.tsv").write_text("name\tSponsorship Level\tImage Tag\nAcme\tGold\t\n\tSilver\t\n")
    with pytest.raises(ImportFailed) as failure:
        import_sponsors(tmp_path)
    assert failure.value.problems == ["sponsors.tsv, line 3: a sponsor needs a name and a level."]
    assert Sponsor.objects.count() == 0 and Booth.objects.count() == 0


def test_admin_imports_the_same_files_with_a_preview(tmp_path):
    """Admin's import page (Imports → Sponsors): a preview that writes nothing, then the
    command's lines on confirming; a file of another name is refused by name."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.portal.test_admin_imports import URL, block, confirm

    organiser = client_for(UserFactory(is_staff=True, is_superuser=True))
    assert "?kind=sponsors" in organiser.get("/admin/booths/sponsor/").content.decode()
    assert 'value="sponsors" id="kind-sponsors"\n               aria-describedby="kind-sponsors-help" checked' in (
        organiser.get(f"{URL}?kind=sponsors").content.decode()
    )
    tsv = b"name\tSponsorship Level\tImage Tag\nAcme\tGold\t<a href='https://acme.example'></a>\n"
    preview = organiser.post(
        URL, {"preview": "Preview", "kind": "sponsors", "files": [SimpleUploadedFile("sponsors.tsv", tsv)]}
    )
    assert block(preview, "import-preview") == [
        "Dry run, nothing was written.",
        "sponsors.tsv: sponsors 1 created, 0 updated, 0 unchanged; 0 expo talks linked.",
    ]
    assert (Sponsor.objects.count(), Booth.objects.count()) == (0, 0)
    done = confirm(organiser, preview)
    assert block(done, "import-result") == [
        "sponsors.tsv: sponsors 1 created, 0 updated, 0 unchanged; 0 expo talks linked."
    ]
    assert Sponsor.objects.get().website == "https://acme.example"
    assert Booth.objects.get().kind == Booth.Kind.SPONSOR
    wrong = organiser.post(
        URL, {"preview": "Preview", "kind": "sponsors", "files": [SimpleUploadedFile("other.csv", b"x")]}
    )
    assert block(wrong, "import-problems") == [
        "other.csv: not one of sponsors.yml, sponsors.tsv, expos.yml (the files keep their Mini-Conf names)."
    ]


def test_the_command_dry_run_writes_nothing(tmp_path):
    from io import StringIO

    (tmp_path / "sponsors.tsv").write_text("name\tSponsorship Level\tImage Tag\nAcme\tGold\t\n")
    out = StringIO()
    call_command("import_sponsors", str(tmp_path), "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "Dry run, nothing was written.",
        "sponsors.tsv: sponsors 1 created, 0 updated, 0 unchanged; 0 expo talks linked.",
    ]
    assert (Sponsor.objects.count(), Booth.objects.count()) == (0, 0)


# --- pages --------------------------------------------------------------------------------


def test_sponsors_by_tier_and_a_sponsors_page():
    gold = SponsorFactory(name="Goldy", tier="Gold", tier_rank=1)
    SponsorFactory(name="Diamondy", tier="Diamond", tier_rank=0)
    JobFactory(sponsor=gold, title="ML engineer")
    MeetingSlotFactory(sponsor=gold)
    html = Client().get("/sponsors/").content.decode()
    assert html.index("Diamond") < html.index("Gold") and html.index("Diamondy") < html.index("Goldy")
    page = Client().get(f"/sponsors/{gold.slug}/")
    assert page.status_code == 200 and page["Cache-Control"].startswith("public")
    text = page.content.decode()
    assert "ML engineer" in text and "Book this time" in text and "zoom.us" not in text


@pytest.mark.parametrize("n", (1, 50))
def test_sponsor_list_query_count(django_assert_num_queries, n):
    for i in range(n):
        JobFactory(sponsor=SponsorFactory(tier=["Gold", "Silver"][i % 2], tier_rank=i % 2))
    Conference.get()
    with django_assert_num_queries(2):
        assert Client().get("/sponsors/").status_code == 200


@pytest.mark.parametrize("n", (1, 50))
def test_job_list_query_count(django_assert_num_queries, n):
    JobFactory.create_batch(n)
    Conference.get()
    # The count, a page of jobs with their sponsors, the sponsors filter, the conference.
    with django_assert_num_queries(4):
        assert Client().get("/sponsors/jobs/").status_code == 200


def test_jobs_filter_by_sponsor_place_and_text():
    acme, other = SponsorFactory(name="Acme"), SponsorFactory(name="Other")
    JobFactory(sponsor=acme, title="Robotics researcher", place="Zurich")
    JobFactory(sponsor=other, title="Data engineer", place="Remote")

    def titles(query):
        html = Client().get(f"/sponsors/jobs/{query}").content.decode()
        return [t for t in ("Robotics researcher", "Data engineer") if t in html]

    assert titles("") == ["Robotics researcher", "Data engineer"]
    assert titles(f"?sponsor={acme.slug}") == ["Robotics researcher"]
    assert titles("?place=remote") == ["Data engineer"]
    assert titles("?q=robot") == ["Robotics researcher"]


# --- meetings -----------------------------------------------------------------------------


def test_booking_then_both_see_it_in_agenda_and_feed_and_the_call_only_in_its_window():
    recruiter, ada, bob = AttendeeFactory(), AttendeeFactory(), AttendeeFactory()
    slot = MeetingSlotFactory(recruiter=recruiter, sponsor=SponsorFactory(name="Acme"))
    meetings.book(slot, ada)
    for person in (ada, recruiter):
        agenda = client_for(person).get("/me/agenda/").content.decode()
        assert "Meeting with Acme" in agenda
        token = AgendaSettings.objects.get_or_create(user=person)[0].feed_token
        feed = Client().get(f"/me/agenda.ics?token={token}").content.decode()
        assert "SUMMARY:Meeting with Acme" in feed and "zoom" not in feed
    assert "Meeting with Acme" not in client_for(bob).get("/me/agenda/").content.decode()
    page = client_for(ada).get("/sponsors/meetings/").content.decode()
    assert slot.call_link not in page and "The call link appears here at" in page
    MeetingSlot.objects.filter(pk=slot.pk).update(start=timezone.now() + timedelta(minutes=10))
    slot.refresh_from_db()
    assert meetings.meeting_call(slot, ada).url == slot.call_link
    assert meetings.meeting_call(slot, recruiter).url == slot.call_link
    assert meetings.meeting_call(slot, bob).url is None
    assert slot.call_link in client_for(ada).get("/sponsors/meetings/").content.decode()
    assert slot.call_link not in client_for(bob).get("/sponsors/meetings/").content.decode()


@pytest.mark.parametrize(
    ("setup", "reason", "detail"),
    [
        (
            lambda s, other: meetings.book(s, other),
            "taken",
            "Someone else booked this meeting slot a moment ago; choose another.",
        ),
        (
            lambda s, other: MeetingSlot.objects.filter(pk=s.pk).update(start=timezone.now() - timedelta(minutes=1)),
            "past",
            "This meeting slot has already started.",
        ),
        (
            lambda s, other: MeetingSlot.objects.filter(pk=s.pk).update(cancelled_at=timezone.now()),
            "cancelled",
            "This meeting slot was withdrawn by the sponsor.",
        ),
    ],
)
def test_a_taken_past_or_withdrawn_slot_is_refused_with_the_reason(setup, reason, detail):
    slot, ada, other = MeetingSlotFactory(), AttendeeFactory(), AttendeeFactory()
    setup(slot, other)
    with pytest.raises(BoothError) as refusal:
        meetings.book(slot, ada)
    assert (refusal.value.reason, refusal.value.detail) == (reason, detail)
    assert not MeetingSlot.objects.filter(booked_by=ada).exists()


def test_only_registered_attendees_book():
    with pytest.raises(BoothError) as refusal:
        meetings.book(MeetingSlotFactory(), UserFactory())
    assert refusal.value.reason == "not_registered"


def test_either_side_cancels_and_the_slot_is_free_again():
    recruiter, ada, bob = AttendeeFactory(), AttendeeFactory(), AttendeeFactory()
    slot = MeetingSlotFactory(recruiter=recruiter)
    meetings.book(slot, ada)
    with pytest.raises(BoothError):
        meetings.cancel(slot, bob)
    meetings.cancel(slot, recruiter)
    meetings.book(slot, bob)
    client_for(bob).post(f"/sponsors/meetings/{slot.pk}/cancel/")
    slot.refresh_from_db()
    assert slot.booked_by is None
    assert client_for(ada).post(f"/sponsors/meetings/{slot.pk}/cancel/").status_code == 404


def test_booking_through_the_pages():
    ada = AttendeeFactory()
    slot = MeetingSlotFactory()
    client = client_for(ada)
    assert client.get(f"/sponsors/meetings/{slot.pk}/book/").status_code == 200
    assert client.post(f"/sponsors/meetings/{slot.pk}/book/")["Location"] == "/sponsors/meetings/"
    late = client_for(AttendeeFactory())
    assert late.post(f"/sponsors/meetings/{slot.pk}/book/")["Location"] == slot.sponsor.get_absolute_url()
    # The sponsor's page is public: the refusal reaches the visitor through their state.
    assert late.get("/me/state.json").json()["messages"] == [
        {"level": "error", "text": "Someone else booked this meeting slot a moment ago; choose another."}
    ]


def test_jobs_come_a_hundred_a_page():
    sponsor = SponsorFactory()
    JobFactory.create_batch(101, sponsor=sponsor, title="Same title")
    first = Client().get("/sponsors/jobs/").content.decode()
    assert first.count("<tr><td>") == 100 and "Page 1 of 2 (101 jobs)" in first
    assert Client().get(f"/sponsors/jobs/?sponsor={sponsor.slug}&page=2").content.decode().count("<tr><td>") == 1


def test_a_recruiter_publishes_and_withdraws_meeting_times_in_their_zone():
    from datetime import UTC, datetime

    recruiter, stranger = AttendeeFactory(time_zone="Asia/Tokyo"), AttendeeFactory()
    sponsor = SponsorFactory()
    sponsor.recruiters.add(recruiter)
    url = f"/sponsors/{sponsor.slug}/meetings/publish/"
    assert client_for(stranger).get(url).status_code == 403
    client = client_for(recruiter)
    response = client.post(
        url, {"slots": "2020-04-27 19:00-19:30\n2020-04-27 19:30-20:00", "call_link": "https://zoom.us/j/7"}
    )
    assert response.status_code == 302
    slots = list(MeetingSlot.objects.order_by("start"))
    assert [(s.start, s.recruiter) for s in slots] == [
        (datetime(2020, 4, 27, 10, tzinfo=UTC), recruiter),
        (datetime(2020, 4, 27, 10, 30, tzinfo=UTC), recruiter),
    ]
    bad = client.post(url, {"slots": "2020-04-27 20:00-19:00", "call_link": "https://zoom.us/j/7"})
    assert bad.status_code == 400 and "Line 1: the time ends before it starts." in bad.content.decode()
    client.post(url, {"withdraw": slots[0].pk})
    slots[0].refresh_from_db()
    assert slots[0].cancelled_at is not None
    with pytest.raises(BoothError) as refusal:
        meetings.book(slots[0], stranger)
    assert refusal.value.reason == "cancelled"


def test_a_sponsor_logo_that_is_not_an_image_is_refused_in_admin(settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    sponsor = SponsorFactory()
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    form = {"name": sponsor.name, "slug": sponsor.slug, "tier": "Gold", "tier_rank": 1}
    for prefix in ("jobs", "meeting_slots"):
        form |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    svg = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(f"/admin/booths/sponsor/{sponsor.pk}/change/", form | {"logo": svg})
    assert "The logo is not an image: upload a PNG, JPEG, GIF or WebP file." in response.content.decode()
    sponsor.refresh_from_db()
    assert not sponsor.logo


def test_admin_refuses_a_call_link_in_a_sponsors_description():
    sponsor = SponsorFactory()
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    form = {"name": sponsor.name, "slug": sponsor.slug, "tier": "Gold", "tier_rank": 1}
    for prefix in ("jobs", "meeting_slots"):
        form |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    form["description"] = "Meet us: https://us02web.zoom.us/j/8812345678?pwd=abc"
    page = client.post(f"/admin/booths/sponsor/{sponsor.pk}/change/", form).content.decode()
    assert "is a video-call link, and this field is public." in page
    sponsor.refresh_from_db()
    assert sponsor.description == ""
