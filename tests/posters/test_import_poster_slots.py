"""`manage.py import_poster_slots`: poster sessions and slots from CSV, times to aware UTC."""

import io
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posters.importers import PosterSlotRecord, poster_session_uid, save_poster_slots
from posters.models import PosterSlot
from schedule.models import Session
from tests.factories import PaperFactory, SessionFactory

pytestmark = [
    pytest.mark.django_db,
    # PaperFactory lacks `skip_postgeneration_save` (tests/factories.py); its extra save is harmless here.
    pytest.mark.filterwarnings("ignore:PaperFactory._after_postgeneration:DeprecationWarning"),
]

HEADER = "UID,session_name,starttime,endtime,timezone,zoom_join_link\n"


def run(path, *options):
    out = io.StringIO()
    call_command("import_poster_slots", str(path), *options, stdout=out)
    return out.getvalue()


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].split(" ", 1)[0] in {"INSERT", "UPDATE", "DELETE"}]


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def papers():
    return [PaperFactory(uid=uid) for uid in ("p1", "p2", "p3")]


@pytest.fixture
def slots_file(tmp_path):
    def write(*rows):
        path = tmp_path / "slots.csv"
        path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
        return path

    return write


# --- The real ICLR 2020 files ------------------------------------------------------------


@pytest.mark.iclr
def test_iclr_poster_slots(shared_data):
    call_command("import_papers", str(shared_data / "iclr2020" / "sitedata" / "papers.json"), stdout=io.StringIO())
    slots_csv = shared_data / "iclr2020_poster_slots.csv"

    out = run(slots_csv)

    assert out == (
        "Poster sessions: 20 created, 0 updated, 0 unchanged. "
        "Poster slots: 1374 created, 0 updated, 0 unchanged, 0 removed.\n"
    )
    assert Session.objects.filter(kind=Session.Kind.POSTER).count() == 20
    assert PosterSlot.objects.count() == 1374
    assert set(Counter(PosterSlot.objects.values_list("paper_id", flat=True)).values()) == {2}
    session = Session.objects.get(uid="poster-session:mon-session-1")
    assert (session.title, session.start, session.end, session.sequence) == (
        "Mon Session 1",
        utc(2020, 4, 27, 5),
        utc(2020, 4, 27, 7),
        0,
    )
    assert sorted({s.start.hour for s in Session.objects.filter(kind=Session.Kind.POSTER)}) == [5, 8, 12, 17, 20]
    slot = PosterSlot.objects.get(paper__uid="B1e9Y2NYvS", session=session)
    assert slot.call_link == "https://video.example.org/j/B1e9Y2NYvS-mon-session-1"

    with CaptureQueriesContext(connection) as queries:
        again = run(slots_csv)

    assert again == (
        "Poster sessions: 0 created, 0 updated, 20 unchanged. "
        "Poster slots: 0 created, 0 updated, 1374 unchanged, 0 removed.\n"
    )
    assert writes(queries.captured_queries) == []


@pytest.mark.postgres
@pytest.mark.iclr
def test_iclr_poster_slots_on_postgresql(shared_data):
    call_command("import_papers", str(shared_data / "iclr2020" / "sitedata" / "papers.json"), stdout=io.StringIO())
    run(shared_data / "iclr2020_poster_slots.csv")
    run(shared_data / "iclr2020_poster_slots.csv")

    assert connection.vendor == "postgresql"
    assert Session.objects.filter(kind=Session.Kind.POSTER).count() == 20
    assert PosterSlot.objects.count() == 1374


# --- Times and zones ---------------------------------------------------------------------


def test_times_with_offsets_and_naive_local_times(papers, slots_file):
    path = slots_file(
        "p1,Morning,2020-04-27T07:00:00,2020-04-27T09:00:00,Europe/Berlin,https://video.example.org/j/1",
        "p2,Morning,2020-04-27T05:00:00Z,2020-04-27T07:00:00+00:00,UTC,https://video.example.org/j/2",
        "p3,Evening,2020-04-27 17:00,2020-04-27T19:00:00,,",
        "p1,Late,2020-04-28T08:00:00+12:00,2020-04-28T10:00:00,Pacific/Auckland,https://video.example.org/j/3",
    )

    run(path)

    morning = Session.objects.get(uid="poster-session:morning")
    assert (morning.kind, morning.start, morning.end) == (Session.Kind.POSTER, utc(2020, 4, 27, 5), utc(2020, 4, 27, 7))
    evening = Session.objects.get(uid="poster-session:evening")
    assert (evening.start, evening.end) == (utc(2020, 4, 27, 17), utc(2020, 4, 27, 19))
    late = Session.objects.get(uid="poster-session:late")
    assert (late.start, late.end) == (utc(2020, 4, 27, 20), utc(2020, 4, 27, 22))
    assert sorted(PosterSlot.objects.values_list("paper__uid", "session__title", "call_link")) == [
        ("p1", "Late", "https://video.example.org/j/3"),
        ("p1", "Morning", "https://video.example.org/j/1"),
        ("p2", "Morning", "https://video.example.org/j/2"),
        ("p3", "Evening", ""),
    ]


def test_moved_session_gets_a_new_sequence_and_moved_paper_leaves_with_replace(papers, slots_file):
    run(
        slots_file(
            "p1,S1,2020-04-27T05:00:00Z,2020-04-27T07:00:00Z,UTC,https://video.example.org/j/1",
            "p2,S1,2020-04-27T05:00:00Z,2020-04-27T07:00:00Z,UTC,https://video.example.org/j/2",
            "p3,S2,2020-04-27T08:00:00Z,2020-04-27T10:00:00Z,UTC,https://video.example.org/j/3",
        )
    )
    s2_updated = Session.objects.get(title="S2").updated_at

    out = run(
        slots_file(
            "p1,S1,2020-04-27T06:00:00Z,2020-04-27T08:00:00Z,UTC,https://video.example.org/j/1",
            "p2,S2,2020-04-27T08:00:00Z,2020-04-27T10:00:00Z,UTC,https://video.example.org/j/2b",
            "p3,S2,2020-04-27T08:00:00Z,2020-04-27T10:00:00Z,UTC,https://video.example.org/j/3b",
        ),
        "--replace",
    )

    assert out == (
        "Poster sessions: 0 created, 1 updated, 1 unchanged. "
        "Poster slots: 1 created, 1 updated, 1 unchanged, 1 removed.\n"
        "  Removed paper p2 from “S1”.\n"
    )
    s1, s2 = Session.objects.get(title="S1"), Session.objects.get(title="S2")
    assert (s1.start, s1.end, s1.sequence) == (utc(2020, 4, 27, 6), utc(2020, 4, 27, 8), 1)
    assert (s2.sequence, s2.updated_at) == (0, s2_updated)
    assert sorted(PosterSlot.objects.values_list("paper__uid", "session__title", "call_link")) == [
        ("p1", "S1", "https://video.example.org/j/1"),
        ("p2", "S2", "https://video.example.org/j/2b"),
        ("p3", "S2", "https://video.example.org/j/3b"),
    ]


def test_service_api_without_a_file(papers):
    SessionFactory(uid="other-session", kind=Session.Kind.KEYNOTE)

    result = save_poster_slots(
        [
            PosterSlotRecord(
                "p1", "Day 1 · Session 1", utc(2026, 11, 26, 5), utc(2026, 11, 26, 7), "https://v.example.org/"
            )
        ]
    )

    assert (result.sessions_created, result.created) == (1, 1)
    assert poster_session_uid("Day 1 · Session 1") == "poster-session:day-1-session-1"
    assert PosterSlot.objects.get().session.uid == "poster-session:day-1-session-1"
    assert Session.objects.count() == 2


# --- Malformed files: a non-zero exit naming file, line and reason; nothing written ----------

OK = "p1,S1,2020-04-27T05:00:00Z,2020-04-27T07:00:00Z,UTC,https://video.example.org/j/1"
BAD_ROWS = [
    (
        "unknown paper",
        [OK, "nope,S1,2020-04-27T05:00:00Z,2020-04-27T07:00:00Z,UTC,"],
        "line 3: unknown paper UID nope (import the papers first).",
    ),
    (
        "bad time",
        [OK, "p2,S1,27/04/2020 05:00,2020-04-27T07:00:00Z,UTC,"],
        "line 3: start time “27/04/2020 05:00” is not an ISO 8601 date and time.",
    ),
    (
        "date without time",
        [OK, "p2,S1,2020-04-27,2020-04-27T07:00:00Z,UTC,"],
        "line 3: start time “2020-04-27” is not an ISO 8601 date and time.",
    ),
    (
        "unknown zone",
        [OK, "p2,S3,2020-04-27T05:00:00,2020-04-27T07:00:00,Mars/Olympus,"],
        "line 3: unknown time zone “Mars/Olympus”.",
    ),
    (
        "end before start",
        ["p2,S3,2020-04-27T07:00:00Z,2020-04-27T05:00:00Z,UTC,"],
        "line 2: the session ends (2020-04-27T05:00:00+00:00) before it starts (2020-04-27T07:00:00+00:00).",
    ),
    (
        "time skipped by DST",
        ["p2,S3,2020-03-29T02:30:00,2020-03-29T04:00:00,Europe/Berlin,"],
        "line 2: start time 2020-03-29T02:30:00 does not exist in Europe/Berlin (clocks skip it).",
    ),
    (
        "session times disagree",
        [OK, "p2,S1,2020-04-27T06:00:00Z,2020-04-27T07:00:00Z,UTC,"],
        "line 3: session “S1” is given as 2020-04-27 06:00–07:00 UTC here but 2020-04-27 05:00–07:00 UTC at "
        "{path}, line 2.",
    ),
    ("twice in a session", [OK, OK], "line 3: paper p1 is already in “S1” ({path}, line 2)."),
    ("no paper UID", [",S1,2020-04-27T05:00:00Z,2020-04-27T07:00:00Z,UTC,"], "line 2: no paper UID."),
    (
        "bad link",
        ["p1,S1,2020-04-27T05:00:00Z,2020-04-27T07:00:00Z,UTC,zoom me"],
        "line 2: call link “zoom me” is not an http(s) URL.",
    ),
]


@pytest.mark.parametrize(("rows", "message"), [b[1:] for b in BAD_ROWS], ids=[b[0] for b in BAD_ROWS])
def test_malformed_file_exits_non_zero_and_writes_nothing(papers, slots_file, rows, message):
    path = slots_file(*rows)

    with pytest.raises(CommandError) as error:
        run(path)

    assert str(error.value) == f"Nothing was imported.\n{path}, " + message.format(path=path)
    assert Session.objects.count() == 0
    assert PosterSlot.objects.count() == 0


def test_missing_column(papers, tmp_path):
    path = tmp_path / "slots.csv"
    path.write_text("UID,session_name,starttime\np1,S1,2020-04-27T05:00:00Z\n")

    with pytest.raises(CommandError) as error:
        run(path)

    assert str(error.value) == (
        f"Nothing was imported.\n{path}, line 1: the header has no endtime column "
        "(expected uid, session_name, starttime, endtime, found UID, session_name, starttime)."
    )


def test_an_import_makes_cached_programme_and_paper_pages_stale_at_once(papers, slots_file, client):
    """Bulk writes send no signals: the importer says itself that the programme changed."""
    run(slots_file("p1,S1,2020-04-27T05:00:00Z,2020-04-27T07:00:00Z,UTC,"))
    assert "DTSTART:20200427T050000Z" in client.get("/calendar.ics").content.decode()
    assert "05:00" in client.get("/papers/p1/").content.decode()

    run(slots_file("p1,S1,2020-04-27T06:00:00Z,2020-04-27T08:00:00Z,UTC,"))

    feed = client.get("/calendar.ics").content.decode()
    assert "DTSTART:20200427T060000Z" in feed and "DTSTART:20200427T050000Z" not in feed
    page = client.get("/papers/p1/").content.decode()
    assert "06:00" in page and "05:00" not in page


# --- Several files, one per track: an import adds and updates, it removes only when asked ---

TRACK_A = (
    "p1,Monday 1,2020-04-27T05:00:00Z,2020-04-27T07:00:00Z,UTC,https://video.example.org/j/a1",
    "p2,Monday 2,2020-04-27T08:00:00Z,2020-04-27T10:00:00Z,UTC,https://video.example.org/j/a2",
)
TRACK_B = (
    "p3,Monday 1,2020-04-27T05:00:00Z,2020-04-27T07:00:00Z,UTC,https://video.example.org/j/b3",
    "p4,Monday 2,2020-04-27T08:00:00Z,2020-04-27T10:00:00Z,UTC,https://video.example.org/j/b4",
)
BOTH_TRACKS = [
    ("p1", "Monday 1", "https://video.example.org/j/a1"),
    ("p2", "Monday 2", "https://video.example.org/j/a2"),
    ("p3", "Monday 1", "https://video.example.org/j/b3"),
    ("p4", "Monday 2", "https://video.example.org/j/b4"),
]


@pytest.fixture
def two_tracks(papers, tmp_path):
    PaperFactory(uid="p4")
    files = {}
    for name, rows in (("track_a.csv", TRACK_A), ("track_b.csv", TRACK_B)):
        files[name] = tmp_path / name
        files[name].write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return files["track_a.csv"], files["track_b.csv"]


def slot_rows():
    return sorted(PosterSlot.objects.values_list("paper__uid", "session__title", "call_link"))


def test_two_track_files_keep_each_others_slots_and_reimporting_either_changes_nothing(two_tracks):
    track_a, track_b = two_tracks
    run(track_a)
    out = run(track_b)

    assert out == (
        "Poster sessions: 0 created, 0 updated, 2 unchanged. Poster slots: 2 created, 0 updated, 0 unchanged, "
        "0 removed. 2 other slots in these sessions are not in the file and were kept (replace removes them).\n"
    )
    assert slot_rows() == BOTH_TRACKS
    for track in (track_a, track_b, track_a):
        with CaptureQueriesContext(connection) as queries:
            out = run(track)
        assert writes(queries.captured_queries) == []
        assert "Poster slots: 0 created, 0 updated, 2 unchanged, 0 removed." in out
        assert slot_rows() == BOTH_TRACKS


def test_replace_is_scoped_to_the_files_sessions_and_dry_run_prints_what_would_go(two_tracks, tmp_path):
    track_a, _track_b = two_tracks
    run(track_a)
    run(_track_b)
    other = SessionFactory(uid="poster-session:tuesday", kind=Session.Kind.POSTER, title="Tuesday")
    PosterSlot.objects.create(paper=PosterSlot.objects.get(paper__uid="p3").paper, session=other)
    only_a_monday_1 = tmp_path / "a1.csv"
    only_a_monday_1.write_text(HEADER + TRACK_A[0] + "\n", encoding="utf-8")

    out = run(only_a_monday_1, "--replace", "--dry-run")

    assert out == (
        "Dry run, nothing was written. Poster sessions: 0 created, 0 updated, 1 unchanged. "
        "Poster slots: 0 created, 0 updated, 1 unchanged, 1 removed.\n"
        "  Would remove paper p3 from “Monday 1”.\n"
    )
    assert len(slot_rows()) == 5

    out = run(only_a_monday_1, "--replace")

    assert out.endswith("  Removed paper p3 from “Monday 1”.\n")
    # Monday 2 is not in the file, and p3's Tuesday slot is in another session: both stay.
    assert slot_rows() == [
        ("p1", "Monday 1", "https://video.example.org/j/a1"),
        ("p2", "Monday 2", "https://video.example.org/j/a2"),
        ("p3", "Tuesday", ""),
        ("p4", "Monday 2", "https://video.example.org/j/b4"),
    ]


def test_a_dry_run_writes_nothing(papers, slots_file):
    path = slots_file(TRACK_A[0])
    with CaptureQueriesContext(connection) as queries:
        out = run(path, "--dry-run")
    assert out == (
        "Dry run, nothing was written. Poster sessions: 1 created, 0 updated, 0 unchanged. "
        "Poster slots: 1 created, 0 updated, 0 unchanged, 0 removed.\n"
    )
    assert (Session.objects.count(), PosterSlot.objects.count()) == (0, 0)
    assert writes(queries.captured_queries)  # written, then rolled back
