"""Pages of the booths app. `/booths/<slug>/` is public for public booths (portal.public)
and private, for members only, for a self-organised one (booths/private_views.py)."""

from django.http import Http404

from booths import private_views
from booths.models import Booth


def detail(request, slug):
    kind = Booth.objects.filter(slug=slug).values_list("kind", flat=True).first()
    if kind == Booth.Kind.SELF_ORGANISED:
        return private_views.detail(request, slug)
    return public_detail(request, slug)


def public_detail(request, slug):
    raise Http404("There is no such booth.")
