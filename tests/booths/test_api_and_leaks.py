"""The booths API (public booths only) and the leak tests: a self-organised booth's name and
links appear in no listing, feed, API answer or search result."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from booths.models import Booth
from booths.services import private
from portal.models import Conference
from schedule.models import Session
from tests.booths.factories import BoothFactory
from tests.chat.factories import AttendeeFactory
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def slot(start):
    return SessionFactory(kind=Session.Kind.BOOTH_SLOT, start=start, end=start + timedelta(hours=1))


def test_the_api_lists_public_booths_with_their_slots_and_no_call_link():
    start = datetime(2020, 4, 27, 9, tzinfo=UTC)
    booth = BoothFactory(name="Acme", kind=Booth.Kind.SPONSOR, call_link="https://zoom.us/j/5", slots=[slot(start)])
    BoothFactory(name="Proposal", status=Booth.Status.PROPOSED)
    body = Client().get("/api/v1/booths/").json()
    assert [b["slug"] for b in body["results"]] == [booth.slug]
    result = body["results"][0]
    assert result["slots"] == [
        {"id": booth.slots.get().pk, "start": "2020-04-27T09:00:00Z", "end": "2020-04-27T10:00:00Z"}
    ]
    assert (result["kind"], result["room"], result["open_now"]) == ("sponsor", f"booth:{booth.slug}", False)
    assert "zoom" not in str(body)
    assert Client().get("/api/v1/booths/?kind=social").json()["results"] == []
    assert Client().get(f"/api/v1/booths/{booth.slug}/").json()["name"] == "Acme"


@pytest.mark.parametrize("n", (1, 50))
def test_the_api_query_count(django_assert_num_queries, n):
    for i in range(n):
        BoothFactory(slots=[slot(datetime(2020, 4, 27, tzinfo=UTC) + timedelta(hours=i))])
    Conference.get()
    with django_assert_num_queries(2):
        assert Client().get("/api/v1/booths/").status_code == 200


def test_a_self_organised_booth_leaks_nowhere():
    ada, bob = AttendeeFactory.create_batch(2)
    booth = private.start_private_booth(ada, [bob], name="Zanzibar Secret Club", topic="quokkas")
    BoothFactory(name="Public booth", slots=[slot(datetime(2020, 4, 27, 9, tzinfo=UTC))])
    secrets = [booth.name, booth.slug, booth.call_link, booth.invite_token, "quokkas"]
    outsider = client_for(AttendeeFactory())
    member = client_for(ada)
    urls = [
        "/",
        "/booths/",
        "/booths/?q=Zanzibar",
        "/booths/?kind=self_organised",
        "/api/v1/booths/",
        f"/api/v1/booths/{booth.slug}/",
        "/api/v1/rooms/",
        "/api/v1/rooms/?q=Zanzibar",
        "/rooms/",
        "/rooms/?q=Zanzibar",
        "/papers/?q=Zanzibar",
        "/schedule/",
        "/live/",
        "/now/",
        "/calendar.ics",
        "/me/agenda/",
        "/api/v1/sessions/",
        "/api/schema/",
        "/sponsors/",
        "/sponsors/jobs/",
        "/workshops/",
        "/api/v1/sponsors/",
        "/api/v1/jobs/",
        "/api/v1/workshops/",
    ]
    for client in (Client(), outsider, member):
        for url in urls:
            response = client.get(url)
            text = response.content.decode(errors="replace")
            for secret in secrets:
                assert secret not in text, (url, secret, response.status_code)
    assert Session.objects.filter(title__contains="Zanzibar").count() == 0


def test_sponsors_jobs_and_workshops_in_the_api():
    from tests.booths.factories import JobFactory, SponsorFactory

    sponsor = SponsorFactory(name="Acme", slug="acme", tier="Gold", booth=BoothFactory(kind=Booth.Kind.SPONSOR))
    JobFactory(sponsor=sponsor, title="Engineer", place="Remote", link="https://acme.example/jobs/1")
    workshop = SessionFactory(kind=Session.Kind.WORKSHOP, uid="workshop:W1", title="Workshop one")
    SessionFactory(kind=Session.Kind.WORKSHOP_TALK, parent=workshop, title="A talk")
    sponsors = Client().get("/api/v1/sponsors/").json()["results"]
    assert [(s["slug"], s["tier"], s["booth"], [j["title"] for j in s["jobs"]]) for s in sponsors] == [
        ("acme", "Gold", sponsor.booth.slug, ["Engineer"])
    ]
    jobs = Client().get("/api/v1/jobs/?place=remote").json()["results"]
    assert jobs == [
        {
            "id": jobs[0]["id"],
            "title": "Engineer",
            "place": "Remote",
            "link": "https://acme.example/jobs/1",
            "deadline": None,
            "sponsor": "acme",
        }
    ]
    assert Client().get("/api/v1/jobs/?sponsor=other").json()["results"] == []
    workshops = Client().get("/api/v1/workshops/").json()["results"]
    assert [(w["code"], [t["title"] for t in w["talks"]]) for w in workshops] == [("W1", ["A talk"])]


@pytest.mark.parametrize("n", (1, 50))
def test_sponsor_job_and_workshop_api_query_counts(django_assert_num_queries, n):
    from tests.booths.factories import JobFactory

    for i in range(n):
        JobFactory()
        workshop = SessionFactory(kind=Session.Kind.WORKSHOP, uid=f"workshop:W{i}")
        SessionFactory(kind=Session.Kind.WORKSHOP_TALK, parent=workshop)
    Conference.get()
    with django_assert_num_queries(3):  # sponsors with booths, their talks, their jobs
        assert Client().get("/api/v1/sponsors/").status_code == 200
    with django_assert_num_queries(1):
        assert Client().get("/api/v1/jobs/").status_code == 200
    with django_assert_num_queries(2):  # workshops with booths, their talks
        assert Client().get("/api/v1/workshops/").status_code == 200
