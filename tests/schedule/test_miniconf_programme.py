"""The whole Mini-Conf programme of a second conference (our own fixtures, tests/data/clt2021, in
the layouts EMNLP 2020 and ACL 2020 shipped): papers with e-mails, one paper_sessions.yml per
track, overall_calendar.json, and list-style workshops.yml, tutorials.yml and socials.yml."""

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from posters.models import AuthorEmail, PosterSlot
from schedule.models import Session

pytestmark = [pytest.mark.django_db]

SITEDATA = Path(__file__).resolve().parent.parent / "data" / "clt2021" / "sitedata"


def run(command, *args):
    out = io.StringIO()
    call_command(command, *map(str, args), stdout=out)
    return out.getvalue()


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def programme():
    return sorted(
        (s.kind, s.title, s.start, s.end, s.parent.title if s.parent else "")
        for s in Session.objects.select_related("parent")
    )


@pytest.fixture
def sitedata(tmp_path, conference):
    """The fixtures copied where a test may add files (a folder holds only what the test gives it)."""
    folder = tmp_path / "sitedata"
    folder.mkdir()
    for name in ("workshops.yml", "tutorials.yml", "socials.yml"):
        shutil.copy(SITEDATA / name, folder / name)
    return folder


def import_everything(sitedata):
    return [
        run("import_papers", SITEDATA / "papers.csv", "--no-discovery"),
        run("import_poster_slots", SITEDATA / "main_paper_sessions.yml"),
        run("import_poster_slots", SITEDATA / "demo_paper_sessions.yml"),
        run("import_calendar", SITEDATA / "overall_calendar.json"),
        run("import_schedule_yaml", sitedata),
    ]


def test_the_whole_programme_is_imported_and_a_second_import_changes_nothing(sitedata):
    outputs = import_everything(sitedata)

    assert outputs[0] == (
        "Papers: 5 created, 0 updated, 0 unchanged; 5 new authors, 5 new keywords. "
        "Author e-mails: 7 added, 0 updated.\n"
    )
    assert outputs[1] == (
        "Poster sessions: 2 created, 0 updated, 0 unchanged. "
        "Poster slots: 4 created, 0 updated, 0 unchanged, 0 removed.\n"
    )
    # The demo track's file names the same sessions: the main track's slots stay.
    assert outputs[2] == (
        "Poster sessions: 0 created, 0 updated, 2 unchanged. Poster slots: 2 created, 0 updated, 0 unchanged, "
        "0 removed. 4 other slots in these sessions are not in the file and were kept (replace removes them).\n"
    )
    assert outputs[3] == (
        "overall_calendar.json: sessions 6 created, 0 updated, 0 unchanged, 1 matched to existing sessions.\n"
    )
    assert outputs[4] == (
        "workshops.yml: sessions 3 created, 0 updated, 0 unchanged.\n"
        "  workshops.yml: Shared Task on Comma Restoration: no sessions, so no times; skipped.\n"
        "socials.yml: sessions 2 created, 1 updated, 0 unchanged, 1 matched to existing sessions.\n"
        "  socials.yml: Quiet Room: no sessions, so no times; skipped.\n"
        "tutorials.yml: sessions 3 created, 0 updated, 0 unchanged.\n"
    )
    assert sorted(PosterSlot.objects.values_list("session__title", "paper__uid", "call_link")) == [
        ("Q&A Session 1A: Punctuation and Parsing", "demo.3", "https://video.example.org/j/1001"),
        ("Q&A Session 1A: Punctuation and Parsing", "main.12", "https://video.example.org/j/1001"),
        ("Q&A Session 1A: Punctuation and Parsing", "main.31", "https://video.example.org/j/1001"),
        ("Q&A Session 2A: Generation", "demo.8", "https://video.example.org/j/1002"),
        ("Q&A Session 2A: Generation", "main.12", "https://video.example.org/j/1002"),
        ("Q&A Session 2A: Generation", "main.47", "https://video.example.org/j/1002"),
    ]
    K = Session.Kind
    assert programme() == [
        (K.KEYNOTE, "Keynote by Prof. Ada Quill", utc(2021, 6, 8, 12, 15), utc(2021, 6, 8, 13, 30), "Plenary Session"),
        (K.OPENING, "Opening Remarks", utc(2021, 6, 8, 12), utc(2021, 6, 8, 12, 15), "Plenary Session"),
        (K.OTHER, "Plenary Session", utc(2021, 6, 8, 12), utc(2021, 6, 8, 14), ""),
        (K.POSTER, "Q&A Session 1A: Punctuation and Parsing", utc(2021, 6, 8, 6), utc(2021, 6, 8, 7), ""),
        (K.POSTER, "Q&A Session 2A: Generation", utc(2021, 6, 8, 15), utc(2021, 6, 8, 16), ""),
        (K.SOCIAL, "Birds of a Feather: Parsing", utc(2021, 6, 9, 19), utc(2021, 6, 9, 20), ""),
        (K.SOCIAL, "Newcomers (Newcomers A: Europe and Africa)", utc(2021, 6, 7, 9), utc(2021, 6, 7, 10), ""),
        (K.SOCIAL, "Newcomers (Newcomers B: Americas)", utc(2021, 6, 7, 22), utc(2021, 6, 7, 23), ""),
        (K.WORKSHOP, "Tutorial: Interpreting Small Models", utc(2021, 6, 7, 13), utc(2021, 6, 7, 15), ""),
        (K.WORKSHOP, "Tutorials", utc(2021, 6, 7, 13), utc(2021, 6, 7, 17), ""),
        (K.WORKSHOP, "Workshop on Very Small Corpora", utc(2021, 6, 10, 12), utc(2021, 6, 10, 13), ""),
        (K.WORKSHOP, "Workshops", utc(2021, 6, 10, 8), utc(2021, 6, 10, 18), ""),
        (
            K.WORKSHOP_TALK,
            "Invited talk: Ruth Amsel",
            utc(2021, 6, 10, 12, 15),
            utc(2021, 6, 10, 13),
            "Workshop on Very Small Corpora",
        ),
        (
            K.WORKSHOP_TALK,
            "Opening remarks",
            utc(2021, 6, 10, 12),
            utc(2021, 6, 10, 12, 15),
            "Workshop on Very Small Corpora",
        ),
        (
            K.WORKSHOP_TALK,
            "Part 1",
            utc(2021, 6, 7, 13),
            utc(2021, 6, 7, 14, 30),
            "Tutorial: Interpreting Small Models",
        ),
        (K.WORKSHOP_TALK, "QA 1", utc(2021, 6, 7, 14, 30), utc(2021, 6, 7, 15), "Tutorial: Interpreting Small Models"),
    ]
    workshop = Session.objects.get(uid="workshop:WS-1")
    assert (workshop.url, workshop.call_link) == (
        "https://small-corpora.example.org/",
        "https://video.example.org/j/2001",
    )
    assert workshop.description == (
        "Corpora of fewer than a thousand words, and what they teach us.\n\n"
        "Organisers: Nadia Ferreira and Piet de Vries"
    )
    bof = Session.objects.get(title="Birds of a Feather: Parsing")
    assert bof.url == "https://clt2021.example.org/bof-parsing"  # filled in from socials.yml
    assert (
        Session.objects.get(title="Keynote by Prof. Ada Quill").url == "https://clt2021.example.org/keynote_quill.html"
    )
    assert AuthorEmail.objects.filter(paper__uid="main.47").values_list("author__name", "email").get() == (
        "Mira Okafor",
        "mira@clt.example.org",
    )

    before = (programme(), sorted(PosterSlot.objects.values_list("session_id", "paper_id", "call_link")))
    again = import_everything(sitedata)
    assert again[0].startswith("Papers: 0 created, 0 updated, 5 unchanged")
    assert "Poster slots: 0 created, 0 updated, 4 unchanged, 0 removed." in again[1]
    assert "Poster slots: 0 created, 0 updated, 2 unchanged, 0 removed." in again[2]
    assert (
        again[3]
        == "overall_calendar.json: sessions 0 created, 0 updated, 6 unchanged, 1 matched to existing sessions.\n"
    )
    assert again[4] == (
        "workshops.yml: sessions 0 created, 0 updated, 3 unchanged.\n"
        "  workshops.yml: Shared Task on Comma Restoration: no sessions, so no times; skipped.\n"
        "socials.yml: sessions 0 created, 0 updated, 3 unchanged, 1 matched to existing sessions.\n"
        "  socials.yml: Quiet Room: no sessions, so no times; skipped.\n"
        "tutorials.yml: sessions 0 created, 0 updated, 3 unchanged.\n"
    )
    assert before == (programme(), sorted(PosterSlot.objects.values_list("session_id", "paper_id", "call_link")))


def test_the_calendar_first_then_the_paper_sessions_make_one_session_not_two(conference):
    run("import_papers", SITEDATA / "papers.csv", "--no-discovery")
    run("import_calendar", SITEDATA / "overall_calendar.json")
    assert Session.objects.filter(kind=Session.Kind.POSTER).count() == 1

    out = run("import_poster_slots", SITEDATA / "main_paper_sessions.yml")

    assert out.startswith("Poster sessions: 1 created, 1 updated, 0 unchanged.")
    assert sorted(Session.objects.filter(kind=Session.Kind.POSTER).values_list("title", flat=True)) == [
        "Q&A Session 1A: Punctuation and Parsing",
        "Q&A Session 2A: Generation",
    ]
    assert run("import_calendar", SITEDATA / "overall_calendar.json").endswith("1 matched to existing sessions.\n")
    assert Session.objects.filter(kind=Session.Kind.POSTER).count() == 2


def test_a_dry_run_of_the_sitedata_writes_nothing(sitedata):
    out = run("import_schedule_yaml", sitedata, "--dry-run")
    assert out.splitlines()[0] == "Dry run, nothing was written."
    assert "tutorials.yml: sessions 3 created" in out
    assert Session.objects.count() == 0


# --- Files the importer cannot read: the file named, what was expected, never the text --------

LONG = "x" * 5000


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "workshops.yml",
            f"workshops: {LONG}\n",
            "workshops.yml: expected a list of workshops under “workshops:” (name, cal) or, as later Mini-Conf "
            "sites, a list of workshops with UID, title and sessions.",
        ),
        (
            "socials.yml",
            f"- name: [unclosed\n  description: {LONG}\n",
            "socials.yml: not readable YAML (expected ',' or ']', but got ':' at line 2); expected a "
            "list of socials under “socials:” (name, day, times) or, as later Mini-Conf sites, a list of socials "
            "with UID, name and sessions.",
        ),
        (
            "tutorials.yml",
            f"- UID: T1\n  title: {LONG}\n  sessions:\n  - name: Part 1\n    start_time: {LONG}\n",
            f"tutorials.yml: {'x' * 59}…, session 1: start_time “{'x' * 39}…” is not an ISO 8601 date and time.",
        ),
    ],
)
def test_an_unreadable_sitedata_file_gets_a_short_message(sitedata, name, content, message):
    (sitedata / name).write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("import_schedule_yaml", sitedata)
    assert str(error.value) == f"Nothing was imported.\n{message}"
    assert len(str(error.value)) < 400
    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"title": "not a list"}',
            "cal.json: expected a Mini-Conf calendar: a JSON list of events with title, start and end (ISO 8601 "
            "with an offset).",
        ),
        (
            f'[{{"title": "A", "start": "{LONG}"',
            "cal.json: not valid JSON (Expecting ',' delimiter at line 1); expected a Mini-Conf calendar: a JSON "
            "list of events with title, start and end (ISO 8601 with an offset).",
        ),
        (
            '[{"title": "A", "start": "2021-06-08T12:00:00+00:00", "end": "2021-06-08T11:00:00+00:00"}]',
            "cal.json: event 1 “A”: ends (2021-06-08 11:00 UTC) before it starts (2021-06-08 12:00 UTC).",
        ),
    ],
)
def test_an_unreadable_calendar_json_gets_a_short_message(tmp_path, conference, content, message):
    path = tmp_path / "cal.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("import_calendar", path)
    assert str(error.value) == f"Nothing was imported.\n{message}"
    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            f"- {LONG}\n",
            "sessions.yml: expected Mini-Conf paper sessions: a mapping of session id to start_time, end_time, "
            "name (or long_name), zoom_link and a list of papers.",
        ),
        (
            "z1:\n  start_time: 2021-06-08 06:00:00+00:00\n  end_time: soon\n  name: S\n  papers: [main.12]\n",
            "sessions.yml, session z1: end_time “soon” is not an ISO 8601 date and time.",
        ),
        (
            "z1:\n  start_time: 2021-06-08 06:00:00+00:00\n  end_time: 2021-06-08 07:00:00+00:00\n  name: S\n"
            "  papers: [main.12, nope.1]\n",
            "sessions.yml, session z1: unknown paper UID nope.1 (import the papers first).",
        ),
    ],
)
def test_an_unreadable_paper_sessions_file_gets_a_short_message(tmp_path, conference, content, message):
    run("import_papers", SITEDATA / "papers.csv", "--no-discovery")
    path = tmp_path / "sessions.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("import_poster_slots", path)
    assert str(error.value) == f"Nothing was imported.\n{path.parent}/{message}"
    assert PosterSlot.objects.count() == 0
