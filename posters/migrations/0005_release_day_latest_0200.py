"""Issue 14: a paper's release day is the latest New Zealand date whose 02:00 is at or
before its first poster session (no longer that session's own New Zealand date, which
released late-UTC sessions' videos after they began). Unreleased paper recordings move
to the day the rule gives now; `release_at` follows (the historical model has no save())."""

import zoneinfo

from django.conf import settings
from django.db import migrations
from django.db.models import Min

from schedule.recordings.release import release_day_for, release_instant


def forward(apps, schema_editor):
    Conference = apps.get_model("portal", "Conference")
    PosterSlot = apps.get_model("posters", "PosterSlot")
    Recording = apps.get_model("schedule", "Recording")
    row = Conference.objects.filter(pk=1).values_list("release_time_zone", "release_hour").first()
    zone_name, hour = row or (settings.PORTAL_RELEASE_TIME_ZONE, settings.PORTAL_RELEASE_HOUR)
    zone = zoneinfo.ZoneInfo(zone_name)
    firsts = PosterSlot.objects.values("paper__uid").annotate(first=Min("session__start"))
    day_by_key = {f"paper:{row['paper__uid']}": release_day_for(row["first"], zone, hour) for row in firsts}
    recordings = Recording.objects.filter(released_at__isnull=True, subject_key__startswith="paper:")
    for recording in recordings.only("pk", "subject_key", "release_day", "release_at"):
        day = day_by_key.get(recording.subject_key)
        if day is None:
            continue
        instant = release_instant(day, zone, hour)
        if (recording.release_day, recording.release_at) != (day, instant):
            Recording.objects.filter(pk=recording.pk).update(release_day=day, release_at=instant)


class Migration(migrations.Migration):
    dependencies = [
        ("posters", "0004_author_emails"),
        ("schedule", "0004_processing_heartbeat"),
        ("portal", "0003_display_name_controls"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
