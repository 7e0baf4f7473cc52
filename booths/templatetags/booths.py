"""Booths and sponsors on pages that gather everything (the home page):

{% load booths %}
{% booths_open_now %}     {# the public booths open now, busiest first #}
{% sponsor_logos %}       {# sponsors' logos by tier #}

Public: the same for everyone; the page's lifetime ends when a listed booth opens or closes.
"""

from django import template
from django.utils import timezone

from booths import listing
from booths.sponsor_models import Sponsor
from portal.public import changes_at

register = template.Library()


@register.inclusion_tag("booths/_open_now.html", takes_context=True)
def booths_open_now(context, limit=8):
    request = context.get("request")
    now = timezone.now()
    booths = listing.booth_list(listing.Filters(), now)
    changes_at(request, *listing.changes(booths, now))
    open_now = sorted((b for b in booths if b.is_open), key=lambda b: (-b.present, b.name.lower()))
    return {"booths": open_now[:limit], "more": max(0, len(open_now) - limit)}


@register.inclusion_tag("booths/_sponsor_logos.html")
def sponsor_logos():
    sponsors = list(Sponsor.objects.order_by("tier_rank", "name"))
    tiers = {}
    for sponsor in sponsors:
        tiers.setdefault(sponsor.tier, []).append(sponsor)
    return {"tiers": list(tiers.items())}
