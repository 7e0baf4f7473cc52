"""The keynotes in the static export and the sitemap (portal.public.register_public_paths)
and on the archive's front page (portal/archive.py)."""

from django.urls import reverse

from keynotes.models import Keynote
from portal.archive import register_archive_section
from portal.public import register_public_paths


def keynote_paths():
    yield reverse("keynotes:index")
    for slug in Keynote.objects.order_by("slug").values_list("slug", flat=True).iterator():
        yield reverse("keynotes:detail", args=[slug])


def api_paths():
    """The keynotes' public JSON: the list, each keynote and its questions (the API leaves
    out hidden questions and anonymous askers' names)."""
    yield reverse("api-keynotes")
    for slug in Keynote.objects.order_by("slug").values_list("slug", flat=True).iterator():
        yield reverse("api-keynote", args=[slug])
        yield reverse("api-keynote-questions", args=[slug])


def held(now):
    keynotes = list(Keynote.objects.order_by("title").prefetch_related("speakers"))
    return {"keynotes": keynotes} if keynotes else None


def register():
    register_archive_section("keynotes", order=10, template="keynotes/_archive_keynotes.html", build=held)
    register_public_paths("keynotes", keynote_paths)
    register_public_paths("keynotes-api", api_paths, sitemap=False)
