"""import_calendar: UID-keyed, idempotent, all or nothing, clear about bad files."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from schedule.models import Session
from tests.schedule.factories import at, session

pytestmark = pytest.mark.django_db


def vevent(uid, summary, start="20200427T050000Z", end="20200427T070000Z", extra=""):
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART:{start}" if start else "",
        f"DTEND:{end}" if end else "",
        "DTSTAMP:20200418T174740Z",
        f"SUMMARY:{summary}",
        extra,
        "END:VEVENT",
    ]
    return "\r\n".join(line for line in lines if line)


def ics(*events, zone="Africa/Nairobi", name="ICLR 2020"):
    head = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:{name}\r\nX-WR-TIMEZONE:{zone}\r\n"
    return head + "\r\n".join(events) + "\r\nEND:VCALENDAR\r\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args):
    out = StringIO()
    call_command("import_calendar", *args, stdout=out)
    return out.getvalue().splitlines()


def state():
    return sorted(Session.objects.values_list("uid", "kind", "title", "start", "end", "sequence"))


@pytest.fixture
def programme(tmp_path, conference):
    return write(
        tmp_path,
        "iclr.ics",
        ics(
            vevent("p1@google.com", "Poster Day 1 Session 1 (P1S1)", extra="LOCATION:https://iclr.cc/virtual/p?s=1"),
            vevent("qa1@google.com", "Live Q&A: Aisha", "20200427T140000Z", "20200427T143000Z"),
            vevent(
                "s1@google.com",
                "LatinX in AI Social",
                "20200427T190000Z",
                "20200427T220000Z",
                'DESCRIPTION:<p>Join us<br>at <a href="https://zoom.us/j/1?pwd=x">https://zoom.us/j/1?pwd=x</a></p>',
            ),
        ),
    )


def test_an_import_creates_the_sessions_and_a_second_changes_nothing(programme):
    assert run(programme) == ["iclr.ics: sessions 3 created, 0 updated, 0 unchanged."]
    first = state()
    assert run(programme) == ["iclr.ics: sessions 0 created, 0 updated, 3 unchanged."]
    assert (
        state()
        == first
        == [
            ("p1@google.com", "poster", "Poster Day 1 Session 1 (P1S1)", at(2020, 4, 27, 5), at(2020, 4, 27, 7), 0),
            ("qa1@google.com", "keynote_qa", "Live Q&A: Aisha", at(2020, 4, 27, 14), at(2020, 4, 27, 14, 30), 0),
            ("s1@google.com", "social", "LatinX in AI Social", at(2020, 4, 27, 19), at(2020, 4, 27, 22), 0),
        ]
    )
    social = Session.objects.get(uid="s1@google.com")
    assert (social.description, Session.objects.get(uid="p1@google.com").url) == (
        "Join us\nat",
        "https://iclr.cc/virtual/p?s=1",
    )


def test_a_moved_event_is_updated_and_its_sequence_raised(programme, tmp_path):
    run(programme)
    moved = write(
        tmp_path, "moved.ics", ics(vevent("p1@google.com", "P1S1 (moved)", "20200427T060000Z", "20200427T080000Z"))
    )
    assert run(moved) == ["moved.ics: sessions 0 created, 1 updated, 0 unchanged."]
    assert Session.objects.filter(uid="p1@google.com").values_list("title", "start", "sequence").get() == (
        "P1S1 (moved)",
        at(2020, 4, 27, 6),
        1,
    )


def test_one_bad_event_aborts_everything(programme, tmp_path):
    bad = write(
        tmp_path,
        "bad.ics",
        ics(
            vevent("ok@x", "Fine"),
            vevent("", "No uid"),
            vevent("back@x", "Backwards", "20200427T070000Z", "20200427T050000Z"),
            vevent("nostart@x", "No start", start=""),
            vevent("rr@x", "Weekly", extra="RRULE:FREQ=WEEKLY"),
            vevent("ok@x", "Twice"),
        ),
    )
    with pytest.raises(CommandError) as error:
        run(programme, bad)
    assert str(error.value).splitlines() == [
        "Nothing was imported.",
        "bad.ics: event 2 “No uid”: has no UID, so it could not be updated by a later import.",
        "bad.ics: event 3 “Backwards”: ends (2020-04-27 05:00 UTC) before it starts (2020-04-27 07:00 UTC).",
        "bad.ics: event 4 “No start”: has no valid DTSTART.",
        "bad.ics: event 5 “Weekly”: is a recurring event; expand the repetitions into separate events first.",
        "bad.ics: event 6 “Twice”: has the same UID as event 1.",
    ]
    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "empty.ics: the file is empty."),
        (
            "this is not a calendar",
            "empty.ics: not a readable iCalendar file (Content line could not be parsed into parts: "
            "'this is not a calendar': Invalid content line).",
        ),
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "empty.ics: holds no events."),
        (
            ics(vevent("x@y", "Bad date", "2020XX")),
            "empty.ics: event 1 “Bad date”: DTSTART: Expected time, got: 2020XX",
        ),
    ],
)
def test_unreadable_files_say_why(tmp_path, conference, content, problem):
    path = write(tmp_path, "empty.ics", content)
    with pytest.raises(CommandError) as error:
        run(path)
    assert str(error.value).splitlines()[1] == problem


def test_a_missing_file_is_named(conference, tmp_path):
    with pytest.raises(CommandError) as error:
        run(str(tmp_path / "nope.ics"))
    assert str(error.value).splitlines()[1] == f"{tmp_path / 'nope.ics'}: no such file."


def test_floating_and_all_day_times_are_read_in_the_calendars_zone(tmp_path, conference):
    path = write(
        tmp_path,
        "floating.ics",
        ics(
            vevent("f@x", "Floating", "20200427T090000", "20200427T100000"),
            "BEGIN:VEVENT\r\nUID:d@x\r\nDTSTART;VALUE=DATE:20200428\r\nDTEND;VALUE=DATE:20200429\r\n"
            "SUMMARY:Energy Day\r\nEND:VEVENT",
            "BEGIN:VEVENT\r\nUID:t@x\r\nDTSTART;TZID=Asia/Tokyo:20200427T090000\r\nDURATION:PT1H\r\n"
            "SUMMARY:In Tokyo\r\nEND:VEVENT",
            zone="America/New_York",
        ),
    )
    run(path)
    assert sorted(Session.objects.values_list("title", "start", "end")) == [
        ("Energy Day", at(2020, 4, 28, 4), at(2020, 4, 29, 4)),
        ("Floating", at(2020, 4, 27, 13), at(2020, 4, 27, 14)),
        ("In Tokyo", at(2020, 4, 27, 0), at(2020, 4, 27, 1)),
    ]


def test_a_workshop_calendar_becomes_talks_in_one_workshop(tmp_path, conference):
    path = write(
        tmp_path,
        "workshop_NAS.ics",
        ics(
            vevent("t1@x", "Opening remarks", "20200426T145500Z", "20200426T150000Z"),
            vevent("t2@x", "Invited talk", "20200426T150000Z", "20200426T220500Z"),
            name="NAS",
        ),
    )
    assert run(path) == ["workshop_NAS.ics: sessions 3 created, 0 updated, 0 unchanged."]
    workshop = Session.objects.get(uid="workshop:NAS")
    assert (workshop.kind, workshop.title, workshop.start, workshop.end) == (
        "workshop",
        "NAS",
        at(2020, 4, 26, 14, 55),
        at(2020, 4, 26, 22, 5),
    )
    assert sorted(workshop.children.values_list("title", "kind")) == [
        ("Invited talk", "workshop_talk"),
        ("Opening remarks", "workshop_talk"),
    ]
    assert run(path) == ["workshop_NAS.ics: sessions 0 created, 0 updated, 3 unchanged."]


def test_a_poster_session_from_the_slot_csv_is_not_duplicated(programme):
    existing = session(
        Session.Kind.POSTER, at(2020, 4, 27, 5), title="Mon Session 1", uid="poster-session:mon-session-1"
    )
    assert run(programme) == ["iclr.ics: sessions 2 created, 0 updated, 0 unchanged, 1 matched to existing sessions."]
    assert list(Session.objects.filter(kind="poster").values_list("pk", flat=True)) == [existing.pk]


def test_cancelled_events_are_removed(programme, tmp_path):
    run(programme)
    cancelled = write(tmp_path, "c.ics", ics(vevent("s1@google.com", "LatinX in AI Social", extra="STATUS:CANCELLED")))
    assert run(cancelled) == ["c.ics: sessions 0 created, 0 updated, 0 unchanged, 1 cancelled and removed."]
    assert Session.objects.filter(uid="s1@google.com").exists() is False


def test_an_explicit_kind(programme):
    run("--kind", "sponsor", programme)
    assert sorted(Session.objects.values_list("kind", flat=True)) == ["sponsor", "sponsor", "sponsor"]
