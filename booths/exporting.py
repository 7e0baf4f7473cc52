"""Public booths, sponsors and workshops in the static export and the sitemap
(portal.public.register_public_paths), and workshops on the archive's front page
(portal/archive.py). Self-organised booths never: only `Booth.objects.public()` is read."""

from django.urls import reverse

from booths.models import Booth
from booths.sponsor_models import Sponsor
from booths.workshop_views import _workshops
from booths.workshops import workshop_code
from portal.archive import register_archive_section
from portal.public import register_public_paths


def booth_paths():
    yield reverse("booths:index")
    for slug in Booth.objects.public().order_by("slug").values_list("slug", flat=True).iterator():
        yield reverse("booths:detail", args=[slug])
    yield reverse("booths:sponsors")
    yield reverse("booths:jobs")
    for slug in Sponsor.objects.order_by("slug").values_list("slug", flat=True).iterator():
        yield reverse("booths:sponsor", args=[slug])
    yield reverse("booths:workshops")
    for workshop in _workshops().order_by("start", "uid").only("uid").iterator():
        yield reverse("booths:workshop", args=[workshop_code(workshop)])


def api_paths():
    """The public booths', sponsors', jobs' and workshops' JSON (no call link is in it)."""
    yield reverse("api-booths")
    for slug in Booth.objects.public().order_by("slug").values_list("slug", flat=True).iterator():
        yield reverse("api-booth", args=[slug])
    yield from (reverse("api-sponsors"), reverse("api-jobs"), reverse("api-workshops"))


def workshops(now):
    found = [(w, reverse("booths:workshop", args=[workshop_code(w)])) for w in _workshops().order_by("start", "title")]
    return {"workshops": found} if found else None


def register():
    register_archive_section("workshops", order=30, template="booths/_archive_workshops.html", build=workshops)
    register_public_paths("booths", booth_paths)
    register_public_paths("booths-api", api_paths, sitemap=False)
