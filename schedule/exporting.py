"""The programme's public URLs for the static export and the sitemap
(portal.public.register_public_paths): the week, each day (in UTC: the export is rendered
in UTC, the browser shows local times), each session and its calendar file, the whole
programme's feed, and the sessions' JSON."""

import zoneinfo

from django.urls import reverse

from portal.models import Conference
from portal.public import register_public_paths
from schedule.days import local_days, programme_span
from schedule.models import Session

UTC = zoneinfo.ZoneInfo("UTC")


def programme_paths():
    yield reverse("schedule:index")
    for day in local_days(programme_span(Conference.get()), UTC):
        yield reverse("schedule:day", args=[day.isoformat()])
    yield reverse("schedule:programme_calendar")
    for pk in Session.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000):
        yield reverse("schedule:session_detail", args=[pk])
        yield reverse("schedule:session_calendar", args=[pk])


def api_paths():
    yield reverse("api-sessions")
    for pk in Session.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000):
        yield reverse("api-session", args=[pk])


def register():
    register_public_paths("programme", programme_paths)
    register_public_paths("programme-api", api_paths, sitemap=False)
