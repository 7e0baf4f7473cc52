"""assign_posters: balanced, different time blocks, authors' healthy hours, all or nothing."""

import zoneinfo
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command

from posters.assignment import AssignmentImpossible, assign_posters, time_block
from posters.healthy_hours import within_healthy_hours
from posters.models import Author, Paper, PosterSlot
from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory, UserFactory
from tests.posters.factories import MONDAY, iclr_like_sessions


def slots_by_paper():
    result = {}
    for slot in PosterSlot.objects.select_related("paper", "session"):
        result.setdefault(slot.paper.uid, []).append(slot.session)
    return result


def test_balanced_and_in_different_blocks(db):
    sessions = iclr_like_sessions()
    for n in range(103):
        PaperFactory(uid=f"p{n:03d}")
    result = assign_posters()
    sizes = Counter(PosterSlot.objects.values_list("session_id", flat=True))
    assert sorted(set(sizes.values())) == [10, 11]  # 206 slots over 20 sessions
    assert sum(sizes.values()) == 206
    assert all(len({time_block(s) for s in chosen}) == 2 for chosen in slots_by_paper().values())
    assert (result.papers, result.created, result.removed) == (103, 206, 0)
    assert len(sessions) == 20


def test_every_author_gets_a_healthy_session(db):
    iclr_like_sessions()
    zones = ["Asia/Tokyo", "America/Los_Angeles", "Europe/Berlin", "Pacific/Auckland", "America/Sao_Paulo"]
    for n in range(60):
        names = [f"Author {n}-{i}" for i in range(2)]
        PaperFactory(uid=f"p{n:02d}", author_names=names)
        for i, name in enumerate(names):
            Author.objects.filter(name=name).update(time_zone=zones[(n + i) % len(zones)])
    result = assign_posters()
    assert result.constrained_papers == 60
    for uid, chosen in slots_by_paper().items():
        for author in Paper.objects.get(uid=uid).authors.all():
            zone = zoneinfo.ZoneInfo(author.time_zone)
            assert any(within_healthy_hours(s.start, s.end, zone) for s in chosen), (uid, author.time_zone)
    sizes = Counter(PosterSlot.objects.values_list("session_id", flat=True)).values()
    assert max(sizes) - min(sizes) <= 1


def test_profile_zone_wins_over_the_imported_one(db):
    iclr_like_sessions(days=1)
    paper = PaperFactory(uid="p1", author_names=["Kiri Te Kanawa"])
    Author.objects.filter(name="Kiri Te Kanawa").update(email="kiri@example.org", time_zone="Europe/London")
    UserFactory(email="kiri@example.org", time_zone="Pacific/Auckland")
    assign_posters()
    chosen = slots_by_paper()["p1"]
    assert any(within_healthy_hours(s.start, s.end, zoneinfo.ZoneInfo("Pacific/Auckland")) for s in chosen)
    assert paper.poster_slots.count() == 2


def test_refuses_without_sessions_and_writes_nothing(db):
    PaperFactory()
    with pytest.raises(AssignmentImpossible, match="There are no poster sessions"):
        assign_posters()


def test_refuses_when_blocks_are_too_few(db):
    for day in range(3):
        SessionFactory(start=MONDAY + timedelta(days=day, hours=5), end=MONDAY + timedelta(days=day, hours=7))
    PaperFactory()
    with pytest.raises(AssignmentImpossible) as caught:
        assign_posters()
    assert caught.value.reasons == [
        "Each paper needs 2 sessions in different time blocks, but the 3 poster sessions fall in only 1 block(s) "
        "(05:00 UTC)."
    ]


def test_refuses_an_author_no_session_suits_and_keeps_the_old_assignment(db):
    sessions = [
        SessionFactory(start=MONDAY + timedelta(hours=h), end=MONDAY + timedelta(hours=h + 2)) for h in (12, 14)
    ]
    paper = PaperFactory(uid="p1", author_names=["Night Owl"])
    old = PosterSlotFactory(paper=paper, session=sessions[0], call_link="https://video.example.org/j/kept")
    # 12:00–16:00 UTC is 00:00–04:00 in Auckland (NZST, UTC+12).
    Author.objects.filter(name="Night Owl").update(time_zone="Pacific/Auckland")
    with pytest.raises(AssignmentImpossible) as caught:
        assign_posters()
    assert caught.value.reasons == [
        "Paper p1: no poster session falls within 08:00–22:00 for its author in Pacific/Auckland."
    ]
    assert list(PosterSlot.objects.values_list("id", "call_link")) == [(old.pk, "https://video.example.org/j/kept")]


def test_refuses_authors_who_cannot_all_be_served(db):
    # Each session suits one zone only: 05:00 UTC Tokyo, 13:00 UTC Berlin, 20:00 UTC Los Angeles.
    # Two sessions a paper cannot serve all three authors.
    for hour in (5, 13, 20):
        SessionFactory(start=MONDAY + timedelta(hours=hour), end=MONDAY + timedelta(hours=hour + 2))
    PaperFactory(uid="p1", author_names=["Tokyo", "Los Angeles", "Berlin"])
    for name, zone in [("Tokyo", "Asia/Tokyo"), ("Los Angeles", "America/Los_Angeles"), ("Berlin", "Europe/Berlin")]:
        Author.objects.filter(name=name).update(time_zone=zone)
    with pytest.raises(AssignmentImpossible) as caught:
        assign_posters()
    assert caught.value.reasons == [
        "Paper p1: no 2 sessions in different time blocks give every author (in America/Los_Angeles, "
        "Asia/Tokyo, Europe/Berlin) a session within 08:00–22:00."
    ]
    assert PosterSlot.objects.count() == 0
    # With three sessions a paper it works, one for each author.
    assign_posters(per_paper=3)
    assert PosterSlot.objects.count() == 3


def test_pairs_that_stay_keep_their_call_links_and_reruns_change_nothing(db):
    iclr_like_sessions(days=1)
    for n in range(10):
        PaperFactory(uid=f"p{n}")
    assign_posters()
    PosterSlot.objects.update(call_link="https://video.example.org/j/room")
    before = sorted(PosterSlot.objects.values_list("paper_id", "session_id", "call_link"))
    result = assign_posters()
    assert (result.created, result.removed, result.kept) == (0, 0, 20)
    assert sorted(PosterSlot.objects.values_list("paper_id", "session_id", "call_link")) == before


def test_dry_run_writes_nothing(db):
    iclr_like_sessions(days=1)
    PaperFactory()
    result = assign_posters(dry_run=True)
    assert (result.created, PosterSlot.objects.count()) == (2, 0)


def test_command_reports_and_refuses(db):
    with pytest.raises(CommandError, match=r"Nothing was assigned\.\nThere are no poster sessions"):
        call_command("assign_posters")
    iclr_like_sessions(days=1)
    for n in range(5):
        PaperFactory(uid=f"p{n}")
    from io import StringIO

    out = StringIO()
    call_command("assign_posters", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        "Assigned 5 papers to 2 sessions each across 5 poster sessions (sizes 2–2); 0 papers had authors' "
        "time zones to respect. Slots: 10 created, 0 kept, 0 removed."
    )


def test_admin_action_assigns_the_selected_papers(client, db):
    iclr_like_sessions(days=1)
    papers = [PaperFactory(uid=f"p{n}") for n in range(4)]
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/posters/paper/",
        {"action": "assign_to_poster_sessions", "_selected_action": [p.pk for p in papers[:2]]},
        follow=True,
    )
    assert response.status_code == 200
    assert sorted(set(PosterSlot.objects.values_list("paper__uid", flat=True))) == ["p0", "p1"]
    assert "Assigned 2 papers to 2 sessions each" in response.content.decode()
    assert site.is_registered(Paper)


def test_an_imported_assignment_is_not_discarded_without_replace(db):
    sessions = iclr_like_sessions(days=1)
    papers = [PaperFactory(uid=f"p{n}") for n in range(4)]
    # An imported line-up: every paper in the first session only.
    for paper in papers:
        PosterSlotFactory(paper=paper, session=sessions[0], call_link="https://video.example.org/j/kept")
    before = sorted(PosterSlot.objects.values_list("paper__uid", "session_id", "call_link"))

    with pytest.raises(CommandError) as error:
        call_command("assign_posters")
    message = str(error.value)
    assert message.startswith(
        "Nothing was assigned.\nThe assignment would remove 2 slots the papers already have (an imported or "
        "earlier line-up) and add 6; replace to allow it, or a dry run to see it:\n  paper p"
    )
    assert message.count(f"from “{sessions[0].title}”") == 2
    assert sorted(PosterSlot.objects.values_list("paper__uid", "session_id", "call_link")) == before

    from io import StringIO

    out = StringIO()
    call_command("assign_posters", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Would assign 4 papers") and lines[0].endswith("Slots: 6 created, 2 kept, 2 removed.")
    assert [line.startswith("  Would remove paper p") for line in lines[1:3]] == [True, True]
    assert sorted(PosterSlot.objects.values_list("paper__uid", "session_id", "call_link")) == before

    call_command("assign_posters", "--replace", stdout=StringIO())
    assert PosterSlot.objects.count() == 8


def test_admin_assign_refuses_to_discard_and_reassign_replaces(client, db):
    sessions = iclr_like_sessions(days=1)
    papers = [PaperFactory(uid=f"p{n}") for n in range(2)]
    for paper in papers:
        PosterSlotFactory(paper=paper, session=sessions[0])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    selected = {"_selected_action": [p.pk for p in papers]}

    page = client.post("/admin/posters/paper/", {"action": "assign_to_poster_sessions", **selected}, follow=True)
    (message,) = (str(m) for m in page.context["messages"])
    assert message.startswith("Nothing was assigned. The assignment would remove ")
    assert PosterSlot.objects.count() == 2

    page = client.post("/admin/posters/paper/", {"action": "reassign_to_poster_sessions", **selected}, follow=True)
    assert "Assigned 2 papers to 2 sessions each" in page.content.decode()
    assert PosterSlot.objects.count() == 4
