import zoneinfo
from datetime import UTC, date, datetime

from portal.timezones import local_day_bounds, zone_abbreviation, zone_or_none


def test_zone_or_none_rejects_junk():
    assert zone_or_none("Asia/Tokyo") == zoneinfo.ZoneInfo("Asia/Tokyo")
    assert [zone_or_none(v) for v in ("", "Mars/Olympus", "../etc/passwd", "x" * 100, None)] == [None] * 5


def test_local_day_bounds_across_a_dst_change():
    # Europe/Berlin springs forward on 2027-03-28: that day has 23 hours.
    start, end = local_day_bounds(date(2027, 3, 28), zoneinfo.ZoneInfo("Europe/Berlin"))
    assert (start, end) == (datetime(2027, 3, 27, 23, tzinfo=UTC), datetime(2027, 3, 28, 22, tzinfo=UTC))


def test_zone_abbreviation_names_numeric_zones_by_offset():
    instant = datetime(2020, 4, 27, 5, tzinfo=UTC)
    assert zone_abbreviation(zoneinfo.ZoneInfo("Asia/Tokyo"), instant) == "JST"
    assert zone_abbreviation(zoneinfo.ZoneInfo("Asia/Kolkata"), instant) == "IST"
    assert zone_abbreviation(zoneinfo.ZoneInfo("America/Sao_Paulo"), instant) == "UTC-03:00"
    assert zone_abbreviation(zoneinfo.ZoneInfo("Asia/Kathmandu"), instant) == "UTC+05:45"


def test_zone_abbreviations_name_both_offsets_as_the_when_filter_does():
    from portal.timezones import zone_abbreviations

    around = datetime(2026, 12, 5, tzinfo=UTC)
    assert zone_abbreviations(zoneinfo.ZoneInfo("Pacific/Auckland"), around) == {780: "NZDT", 720: "NZST"}
    assert zone_abbreviations(zoneinfo.ZoneInfo("Asia/Kolkata"), around) == {330: "IST"}
    assert zone_abbreviations(zoneinfo.ZoneInfo("America/Sao_Paulo"), around) == {-180: "UTC-03:00"}
    assert zone_abbreviations(zoneinfo.ZoneInfo("UTC"), around) == {0: "UTC"}
