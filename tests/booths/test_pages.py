"""Public booths: /booths/ (grouped, open first, filters), a booth's page on the read path,
the state part with the call link, applying, the organisers' decision, hosts' editing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from booths.models import Booth
from booths.services import applications, private
from booths.services.errors import BoothError
from portal.models import Conference
from schedule.models import Session
from tests.booths.factories import BoothFactory
from tests.chat.factories import AttendeeFactory
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def slot(start, hours=1):
    return SessionFactory(kind=Session.Kind.BOOTH_SLOT, start=start, end=start + timedelta(hours=hours))


def test_the_list_groups_by_kind_with_open_booths_first_and_hides_private_and_proposed():
    now = timezone.now()
    BoothFactory(name="Zeta social", kind=Booth.Kind.SOCIAL, slots=[slot(now - timedelta(minutes=5))])
    BoothFactory(name="Alpha social", kind=Booth.Kind.SOCIAL, slots=[slot(now + timedelta(days=1))])
    BoothFactory(name="Acme", kind=Booth.Kind.SPONSOR)
    BoothFactory(name="Proposed one", status=Booth.Status.PROPOSED)
    private.start_private_booth(AttendeeFactory(), name="Private one")
    response = Client().get("/booths/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    html = response.content.decode()
    assert "Proposed one" not in html and "Private one" not in html
    assert html.index("Sponsor booths") < html.index("Social booths")
    social = html[html.index("Social booths") :]
    assert social.index("Zeta social") < social.index("Alpha social")  # open now first
    assert html.index("Open now") < html.index("Zeta social")


def test_filters_by_kind_search_and_healthy_hours():
    morning = datetime(2020, 4, 27, 9, tzinfo=UTC)
    night = datetime(2020, 4, 27, 2, tzinfo=UTC)
    BoothFactory(name="Morning talks", kind=Booth.Kind.AFFINITY, slots=[slot(morning)])
    BoothFactory(name="Night owls", kind=Booth.Kind.SOCIAL, description="for insomniacs", slots=[slot(night)])
    assert "Night owls" not in Client().get("/booths/?kind=affinity").content.decode()
    found = Client().get("/booths/?q=insomniacs")
    assert "Night owls" in found.content.decode() and "Morning talks" not in found.content.decode()
    assert found["Cache-Control"] == "public, max-age=0"
    healthy = Client().get("/booths/?healthy=1").content.decode()
    assert "Morning talks" in healthy and "Night owls" not in healthy
    tokyo = Client()
    tokyo.cookies["tz"] = "Asia/Tokyo"  # 02:00 UTC is 11:00 there
    assert "Night owls" in tokyo.get("/booths/?healthy=1").content.decode()
    bad = Client().get("/booths/?kind=self_organised").content.decode()
    assert "“self_organised” is not a kind of booth; showing every kind." in bad


@pytest.mark.parametrize("n", (1, 50))
def test_the_list_query_count(django_assert_num_queries, n):
    for i in range(n):
        BoothFactory(
            kind=Booth.PUBLIC_KINDS[i % 5], slots=[slot(datetime(2020, 4, 27, tzinfo=UTC) + timedelta(hours=i))]
        )
    Conference.get()
    # The booths, their slots, the conference (read per request: ConferencePerRequestMiddleware).
    with django_assert_num_queries(3):
        assert Client().get("/booths/").status_code == 200


def test_a_booth_page_is_the_same_for_everyone_and_says_it_is_not_recorded():
    now = timezone.now()
    host = AttendeeFactory()
    booth = BoothFactory(
        name="Women in ML",
        kind=Booth.Kind.AFFINITY,
        call_link="https://zoom.us/j/123",
        hosts=[host],
        slots=[slot(now - timedelta(minutes=5))],
    )
    pages = [c.get(f"/booths/{booth.slug}/") for c in (Client(), client_for(host), client_for(AttendeeFactory()))]
    assert {p.status_code for p in pages} == {200}
    html = pages[0].content.decode()
    assert all(p.content.decode() == html for p in pages)
    assert "zoom.us" not in html
    assert "Booth discussions are not recorded." in html
    assert "Open now" in html
    assert f'data-chat-room="booth:{booth.slug}"' in html
    assert f'href="/booths/{booth.slug}/call/"' in html
    assert pages[0]["Cache-Control"].startswith("public, max-age=")


def test_the_state_gives_the_call_link_only_inside_the_window_and_tells_hosts():
    now = timezone.now()
    host, other = AttendeeFactory(), AttendeeFactory()
    open_booth = BoothFactory(call_link="https://zoom.us/j/1", hosts=[host], slots=[slot(now - timedelta(minutes=5))])
    later = BoothFactory(call_link="https://zoom.us/j/2", slots=[slot(now + timedelta(hours=3))])
    url = f"/me/state.json?booths={open_booth.slug},{later.slug}"
    state = client_for(other).get(url).json()["booths"]
    assert state[open_booth.slug] == {
        "call": {"state": "open", "url": "https://zoom.us/j/1", "reason": ""},
        "host": False,
    }
    assert state[later.slug]["call"] == {"state": "not_yet", "url": "", "reason": ""}
    assert client_for(host).get(url).json()["booths"][open_booth.slug]["host"] is True
    anonymous = Client().get(url).json()["booths"][open_booth.slug]["call"]
    assert anonymous["url"] == "" and anonymous["state"] == "not_allowed"
    assert client_for(other).get(f"/booths/{open_booth.slug}/call/")["Location"] == "https://zoom.us/j/1"
    assert client_for(other).get(f"/booths/{later.slug}/call/").status_code == 403


def test_a_host_marking_the_booth_open_opens_its_call():
    host = AttendeeFactory()
    booth = BoothFactory(call_link="https://zoom.us/j/9", hosts=[host])
    url = f"/me/state.json?booths={booth.slug}"
    assert client_for(host).get(url).json()["booths"][booth.slug]["call"]["state"] == "closed"
    client_for(host).post(f"/booths/{booth.slug}/edit/open/", {"open": "1"})
    assert client_for(host).get(url).json()["booths"][booth.slug]["call"]["url"] == "https://zoom.us/j/9"
    assert "Open now" in Client().get(f"/booths/{booth.slug}/").content.decode()
    client_for(host).post(f"/booths/{booth.slug}/edit/open/", {"open": "0"})
    assert client_for(host).get(url).json()["booths"][booth.slug]["call"]["state"] == "closed"


def test_the_state_never_answers_for_someone_elses_private_booth():
    booth = private.start_private_booth(AttendeeFactory())
    assert client_for(AttendeeFactory()).get(f"/me/state.json?booths={booth.slug}").json()["booths"] == {}


def test_a_bad_slug_in_the_state_is_a_400():
    response = Client().get("/me/state.json?booths=<script>")
    assert response.status_code == 400


# --- applying and deciding ---------------------------------------------------------------------


def application(**overrides):
    data = {
        "kind": "social",
        "name": "Board games",
        "description": "Let us play.",
        "slots": "2020-04-27 10:00-11:00\n2020-04-28 20:00-21:30",
        "co_hosts": "friend@example.org",
    }
    return data | overrides


def test_apply_then_approve_makes_it_public_with_its_slots_and_tells_the_applicant(
    django_capture_on_commit_callbacks,
):
    ada, organiser = AttendeeFactory(), UserFactory(is_staff=True)
    response = client_for(ada).post("/booths/apply/", application())
    assert response.status_code == 302
    booth = Booth.objects.get()
    assert (booth.status, booth.kind, booth.slug) == (Booth.Status.PROPOSED, "social", "board-games")
    assert booth.proposed_slots == [
        ["2020-04-27T10:00:00+00:00", "2020-04-27T11:00:00+00:00"],
        ["2020-04-28T20:00:00+00:00", "2020-04-28T21:30:00+00:00"],
    ]
    assert Client().get("/booths/board-games/").status_code == 404
    assert Session.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        applications.decide(booth, approve=True, message="Welcome aboard!", by=organiser)
    assert Client().get("/booths/board-games/").status_code == 200
    assert [(s.kind, s.start.hour) for s in booth.slots.order_by("start")] == [("booth_slot", 10), ("booth_slot", 20)]
    assert [m.subject for m in mail.outbox] == ["Your booth “Board games” was approved"]
    assert "Welcome aboard!" in mail.outbox[0].body
    assert "Welcome aboard!" in client_for(ada).get("/booths/apply/").content.decode()
    assert ada.groups.filter(name="Booth hosts").exists()
    with pytest.raises(BoothError):
        applications.decide(booth, approve=False, message="", by=organiser)


def test_declined_stays_hidden_and_the_applicant_sees_why(django_capture_on_commit_callbacks):
    ada = AttendeeFactory()
    client_for(ada).post("/booths/apply/", application())
    with django_capture_on_commit_callbacks(execute=True):
        applications.decide(Booth.objects.get(), approve=False, message="Too many socials that night.", by=None)
    assert Client().get("/booths/board-games/").status_code == 404
    assert "Too many socials that night." in client_for(ada).get("/booths/apply/").content.decode()
    assert mail.outbox[0].subject == "Your booth “Board games” was declined"


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"name": ""}, "This field is required."),
        ({"slots": "2020-04-27 11:00-10:00"}, "Line 1: the time ends before it starts."),
        ({"slots": "2021-01-01 10:00-11:00"}, "Line 1: the time is outside the conference"),
        ({"slots": "tomorrow"}, "Line 1: “tomorrow” is not “YYYY-MM-DD HH:MM-HH:MM”."),
        ({"co_hosts": "nope"}, "“nope” is not an e-mail address."),
        ({"kind": "invited"}, "Select a valid choice."),
    ],
)
def test_bad_applications_are_refused_naming_the_field(overrides, problem):
    response = client_for(AttendeeFactory()).post("/booths/apply/", application(**overrides))
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert Booth.objects.count() == 0


def test_only_registered_attendees_apply():
    response = client_for(UserFactory()).post("/booths/apply/", application())
    assert "Only registered attendees can apply to host a booth." in response.content.decode()
    assert Booth.objects.count() == 0


def test_organisers_decide_in_admin_by_changing_the_status():
    ada, organiser = AttendeeFactory(), UserFactory(is_staff=True, is_superuser=True)
    client_for(ada).post("/booths/apply/", application())
    booth = Booth.objects.get()
    admin = client_for(organiser)
    page = admin.get(f"/admin/booths/booth/{booth.pk}/change/")
    assert page.status_code == 200
    response = admin.post(
        "/admin/booths/booth/",
        {"action": "approve", "_selected_action": [booth.pk]},
    )
    assert response.status_code == 302
    booth.refresh_from_db()
    assert booth.status == Booth.Status.APPROVED and booth.slots.count() == 2


# --- hosts --------------------------------------------------------------------------------


def test_a_host_edits_their_booth_and_not_anothers():
    host, other = AttendeeFactory(), AttendeeFactory()
    booth = BoothFactory(hosts=[host])
    theirs = BoothFactory(hosts=[other])
    client = client_for(host)
    response = client.post(f"/booths/{booth.slug}/edit/", {"description": "New words", "links": "", "call_link": ""})
    assert response.status_code == 302
    booth.refresh_from_db()
    assert booth.description == "New words"
    assert client.get(f"/booths/{theirs.slug}/edit/").status_code == 403
    assert client.post(f"/booths/{theirs.slug}/edit/", {"description": "x"}).status_code == 403


def test_a_co_host_by_verified_address_may_edit():
    from tests.factories import verify_email

    friend = AttendeeFactory()
    booth = BoothFactory(host_emails="friend@example.org")
    assert client_for(friend).get(f"/booths/{booth.slug}/edit/").status_code == 403
    verify_email(friend, "friend@example.org", verified=False)
    assert client_for(friend).get(f"/booths/{booth.slug}/edit/").status_code == 403
    assert client_for(friend).get(f"/me/state.json?booths={booth.slug}").json()["booths"][booth.slug]["host"] is False
    verify_email(friend, "friend@example.org")
    assert client_for(friend).get(f"/booths/{booth.slug}/edit/").status_code == 200
    # The page's edit link is shown to those the state names as a host.
    assert client_for(friend).get(f"/me/state.json?booths={booth.slug}").json()["booths"][booth.slug]["host"] is True


def test_a_logo_that_is_not_an_image_is_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    host = AttendeeFactory()
    booth = BoothFactory(hosts=[host])
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client_for(host).post(f"/booths/{booth.slug}/edit/", {"description": "x", "logo": fake})
    assert response.status_code == 400
    assert "The logo is not an image: upload a PNG, JPEG, GIF or WebP file." in response.content.decode()
    png = SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    assert client_for(host).post(f"/booths/{booth.slug}/edit/", {"description": "x", "logo": png}).status_code == 302


def test_a_host_adds_times_in_their_zone():
    host = AttendeeFactory(time_zone="Asia/Tokyo")
    booth = BoothFactory(hosts=[host])
    client_for(host).post(f"/booths/{booth.slug}/edit/slots/", {"slots": "2020-04-27 19:00-20:00"})
    assert [(s.start, s.kind) for s in booth.slots.all()] == [(datetime(2020, 4, 27, 10, tzinfo=UTC), "booth_slot")]


def test_home_shows_booths_open_now_and_sponsor_logos_by_tier():
    from tests.booths.factories import SponsorFactory

    now = timezone.now()
    BoothFactory(name="Open social", kind=Booth.Kind.SOCIAL, slots=[slot(now - timedelta(minutes=5))])
    BoothFactory(name="Closed social", kind=Booth.Kind.SOCIAL, slots=[slot(now + timedelta(hours=5))])
    private.start_private_booth(AttendeeFactory(), name="Private chat")
    SponsorFactory(name="Diamondy", tier="Diamond", tier_rank=0, logo_url="https://example.org/d.png")
    SponsorFactory(name="Goldy", tier="Gold", tier_rank=1)
    response = Client().get("/")
    html = response.content.decode()
    section = html[html.index("Booths open now") :]
    assert "Open social" in section and "Closed social" not in section and "Private chat" not in html
    assert html.index("Diamondy") < html.index("Goldy")
    assert '<img src="https://example.org/d.png" alt="Diamondy"' in html
    # The page's lifetime ends no later than the closed booth's call window opens.
    assert int(response["Cache-Control"].split("max-age=")[1]) <= 10
    nav = html[html.index('aria-label="Main"') :]
    assert 'href="/booths/"' in nav and 'href="/sponsors/"' in nav and 'href="/workshops/"' in nav


def test_approving_in_the_change_form_keeps_the_slots_it_makes(django_capture_on_commit_callbacks):
    ada, organiser = AttendeeFactory(), UserFactory(is_staff=True, is_superuser=True)
    client_for(ada).post("/booths/apply/", application())
    booth = Booth.objects.get()
    admin = client_for(organiser)
    form = {
        "kind": "social",
        "status": "approved",
        "name": booth.name,
        "slug": booth.slug,
        "description": booth.description,
        "links": "",
        "hosts": [ada.pk],
        "host_emails": "friend@example.org",
        "call_link": "",
        "applicant": ada.pk,
        "proposed_slots": '[["2020-04-27T10:00:00+00:00", "2020-04-27T11:00:00+00:00"]]',
        "decision_message": "Welcome!",
        "topic": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/booths/booth/{booth.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    booth.refresh_from_db()
    assert booth.status == Booth.Status.APPROVED
    assert [s.start.hour for s in booth.slots.all()] == [10]
    assert mail.outbox[0].subject == "Your booth “Board games” was approved"


def test_live_shows_booths_open_now():
    now = timezone.now()
    BoothFactory(name="Open affinity", kind=Booth.Kind.AFFINITY, slots=[slot(now - timedelta(minutes=5))])
    BoothFactory(name="Closed affinity", kind=Booth.Kind.AFFINITY, slots=[slot(now + timedelta(hours=5))])
    private.start_private_booth(AttendeeFactory(), name="Private chat")
    html = Client().get("/live/").content.decode()
    section = html[html.index("Booths open now") :]
    assert "Open affinity" in section and "Closed affinity" not in html and "Private chat" not in html


def test_a_host_removes_a_time_of_their_booth_but_not_of_anothers():
    host, other = AttendeeFactory(), AttendeeFactory()
    mine = slot(datetime(2020, 4, 27, 9, tzinfo=UTC))
    theirs = slot(datetime(2020, 4, 27, 9, tzinfo=UTC))
    booth = BoothFactory(hosts=[host], slots=[mine])
    BoothFactory(hosts=[other], slots=[theirs])
    client = client_for(host)
    assert (
        f"/booths/{booth.slug}/edit/slots/{mine.pk}/remove/"
        in client.get(f"/booths/{booth.slug}/edit/").content.decode()
    )
    assert client.post(f"/booths/{booth.slug}/edit/slots/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/booths/{booth.slug}/edit/slots/{mine.pk}/remove/").status_code == 302
    assert list(Session.objects.values_list("pk", flat=True)) == [theirs.pk]
