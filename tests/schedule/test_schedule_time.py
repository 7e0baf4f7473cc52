"""Days, midnight and daylight saving: a conference week that spans Europe's spring-forward
(28 March 2027) and New Zealand's fall-back (4 April 2027), seen from both sides."""

import zoneinfo
from datetime import date, timedelta

import pytest
import time_machine

from portal.models import Conference
from schedule.days import entries_by_day, in_healthy_hours, local_days, programme_span
from schedule.models import Session
from tests.schedule.factories import at, session
from tests.schedule.html import messages_of, parse, rows

pytestmark = pytest.mark.django_db

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


@pytest.fixture
def dst_week(db):
    """A conference in Berlin from Fri 26 March to Mon 5 April 2027, a session at 12:00 UTC daily."""
    conference = Conference.get()
    conference.start_date, conference.end_date, conference.time_zone = (
        date(2027, 3, 26),
        date(2027, 4, 5),
        "Europe/Berlin",
    )
    conference.save()
    for n in range(11):
        day = date(2027, 3, 26) + timedelta(days=n)
        session(Session.Kind.KEYNOTE, at(day.year, day.month, day.day, 12), hours=1, title=f"Daily {day:%-d %b}")
    return conference


def test_the_viewers_days_cover_the_conference_in_their_zone(dst_week):
    span = programme_span(dst_week)
    assert (span.start, span.end) == (at(2027, 3, 26, 12), at(2027, 4, 5, 13))
    auckland = local_days(span, AUCKLAND)
    los_angeles = local_days(span, LOS_ANGELES)
    assert (auckland[0], auckland[-1], len(auckland)) == (date(2027, 3, 27), date(2027, 4, 6), 11)
    assert (los_angeles[0], los_angeles[-1], len(los_angeles)) == (date(2027, 3, 26), date(2027, 4, 5), 11)


def test_before_anything_is_scheduled_the_days_are_the_conferences(dst_week):
    Session.objects.all().delete()
    span = programme_span(dst_week)
    assert (span.start, span.end) == (at(2027, 3, 25, 23), at(2027, 4, 5, 22))
    assert local_days(span, BERLIN) == [date(2027, 3, 26) + timedelta(days=n) for n in range(11)]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2027-03-27", [("Daily 27 Mar", "13:00–14:00 CET")]),
        ("2027-03-28", [("Daily 28 Mar", "14:00–15:00 CEST")]),
    ],
)
def test_berlin_sees_the_spring_forward(dst_week, viewer, day, expected):
    assert rows(viewer("Europe/Berlin").get(f"/schedule/{day}/")) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2027-04-04", [("Daily 3 Apr", "01:00–02:00 NZDT")]),
        ("2027-04-05", [("Daily 4 Apr", "00:00–01:00 NZST")]),
    ],
)
def test_auckland_sees_the_fall_back_move_a_session_across_midnight(dst_week, viewer, day, expected):
    # 12:00 UTC is 01:00 the next day before the change, and exactly midnight after it.
    assert rows(viewer("Pacific/Auckland").get(f"/schedule/{day}/")) == expected


def test_the_conference_time_is_shown_beside_where_it_differs(dst_week, viewer):
    page = parse(viewer("Pacific/Auckland").get("/schedule/2027-04-04/").content)
    assert page.find("conference-time").text == "· Sat 3 Apr, 14:00–15:00 CEST at the conference"
    berlin = parse(viewer("Europe/Berlin").get("/schedule/2027-03-27/").content)
    assert berlin.find("conference-time") is None


def test_a_session_over_the_25_hour_nights_midnight_is_under_both_days(dst_week):
    late = session(Session.Kind.SOCIAL, at(2027, 4, 4, 11, 30), hours=1, title="Late")
    by_day = entries_by_day([late], [date(2027, 4, 4), date(2027, 4, 5)], AUCKLAND)
    assert [(e.day, e.from_previous_day, e.into_next_day) for days in by_day.values() for e in days] == [
        (date(2027, 4, 4), False, True),
        (date(2027, 4, 5), True, False),
    ]


def test_the_week_marks_crossings_and_shows_continuations(dst_week, viewer):
    session(Session.Kind.SOCIAL, at(2027, 4, 4, 11, 30), hours=1, title="Late")
    page = parse(viewer("Pacific/Auckland").get("/schedule/").content)
    sunday = page.by_id("day-20270404").parent
    monday = page.by_id("day-20270405").parent
    assert [(i.find("title").text, i.find("crossing").text) for i in sunday.find_all("crosses")] == [
        ("Late", "runs past midnight ↦")
    ]
    assert [(i.find("title").text, i.find("crossing").text) for i in monday.find_all("continued")] == [
        ("Late", "↤ continues until 00:30")
    ]


@pytest.mark.parametrize(
    ("instant", "today"),
    [(at(2027, 4, 4, 11, 59, 30), "2027-04-04"), (at(2027, 4, 4, 12, 0, 30), "2027-04-05")],
)
def test_today_turns_at_the_viewers_midnight(dst_week, viewer, instant, today):
    client = viewer("Pacific/Auckland")
    with time_machine.travel(instant, tick=False):
        week = parse(client.get("/schedule/").content)
        redirect = client.get("/schedule/today/")
    assert [s.find(tag="h2").attrs["id"] for s in week.find_all("today", tag="section")] == [
        f"day-{today.replace('-', '')}"
    ]
    assert redirect.status_code == 302
    assert redirect["Location"] == f"/schedule/{today}/"


def test_the_now_line_sits_between_what_has_started_and_what_has_not(dst_week, viewer):
    session(Session.Kind.SOCIAL, at(2027, 4, 4, 11, 30), hours=1, title="Late")
    session(Session.Kind.POSTER, at(2027, 4, 4, 20), hours=2, title="Morning")
    with time_machine.travel(at(2027, 4, 4, 12, 10), tick=False):  # 00:10 NZST on Monday 5 April
        response = viewer("Pacific/Auckland").get("/schedule/2027-04-05/")
    items = parse(response.content).by_id("day-list").find_all(tag="li")
    summary = [
        ("now" if "now-line" in li.classes else li.find("title").text, "is-live" in li.classes)
        for li in items
        if li.parent.attrs.get("id") == "day-list"
    ]
    assert summary == [("Late", True), ("Daily 4 Apr", True), ("now", False), ("Morning", False)]
    assert parse(response.content).by_id("now-line").text == "Now · 00:10 NZST"


def test_healthy_hours_follow_the_local_clock_across_the_change():
    before = Session(start=at(2027, 3, 27, 6), end=at(2027, 3, 27, 8))  # 07:00 CET: too early
    after = Session(start=at(2027, 3, 28, 6), end=at(2027, 3, 28, 8))  # 08:00 CEST: fine
    evening = Session(start=at(2027, 3, 28, 19), end=at(2027, 3, 28, 20, 30))  # ends 22:30 CEST
    assert [in_healthy_hours(s, BERLIN) for s in (before, after, evening)] == [False, True, False]


def test_the_healthy_hours_filter_on_a_day(dst_week, viewer):
    session(Session.Kind.POSTER, at(2027, 3, 28, 6), hours=2, title="Early poster")  # 08:00 CEST
    session(Session.Kind.POSTER, at(2027, 3, 28, 20), hours=2, title="Late poster")  # 22:00 CEST
    client = viewer("Europe/Berlin")
    everything = rows(client.get("/schedule/2027-03-28/"))
    healthy = rows(client.get("/schedule/2027-03-28/?healthy=1"))
    assert everything == [
        ("Early poster", "08:00–10:00 CEST"),
        ("Daily 28 Mar", "14:00–15:00 CEST"),
        ("Late poster", "22:00–00:00 CEST"),  # ends at midnight: no second date
    ]
    assert healthy == [("Early poster", "08:00–10:00 CEST"), ("Daily 28 Mar", "14:00–15:00 CEST")]


def test_the_kind_filter_keeps_to_the_kinds_chosen(dst_week, viewer):
    session(Session.Kind.POSTER, at(2027, 3, 28, 6), hours=2, title="Early poster")
    response = viewer("Europe/Berlin").get("/schedule/2027-03-28/?kind=poster&kind=dance")
    assert [title for title, _ in rows(response)] == ["Early poster"]
    assert messages_of(response) == ["There is no kind of session called “dance”; it was left out of the filter."]


def test_a_bad_date_string_gives_a_day_and_says_why(dst_week, viewer):
    with time_machine.travel(at(2027, 3, 29, 9), tick=False):
        response = viewer("Europe/Berlin").get("/schedule/2027-13-45/?healthy=1", follow=True)
    assert response.redirect_chain == [("/schedule/2027-03-29/?healthy=1", 302)]
    assert messages_of(response) == ["“2027-13-45” is not a date (they look like 2020-04-27); here is Monday 29 March."]


@pytest.mark.parametrize(
    ("day", "target", "nearest"),
    [("2026-12-31", "2027-03-26", "Friday 26 March"), ("2030-06-01", "2027-04-05", "Monday 5 April")],
)
def test_a_date_outside_the_conference_gives_its_nearest_day(dst_week, viewer, day, target, nearest):
    response = viewer("Europe/Berlin").get(f"/schedule/{day}/", follow=True)
    assert response.redirect_chain == [(f"/schedule/{target}/", 302)]
    [message] = messages_of(response)
    assert message.endswith(f"its days for you are 26 March to 5 April 2027. Here is {nearest}.")


def test_an_unknown_zone_in_the_cookie_shows_utc_and_says_so(dst_week, viewer):
    response = viewer("Mars/Olympus_Mons").get("/schedule/2027-03-28/")
    assert response.status_code == 200
    assert rows(response) == [("Daily 28 Mar", "12:00–13:00 UTC")]
    assert (
        parse(response.content).find("warning").text == "The time zone saved in this browser is unknown; showing UTC."
    )
