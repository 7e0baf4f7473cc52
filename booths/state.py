"""The state part "booths" (portal/state_parts.py): for each booth a page shows, this
visitor's call link (booths.calls, under schedule/call_links.py's rule) and whether they
host it. Asked for with `data-state-part="booths" data-state-key="<slug>"`:

    "booths": {"<slug>": {"call": {"state": "open", "url": "https://…", "reason": ""}, "host": false}}

A self-organised booth answers only to its members; to anyone else it is not there.
"""

import re

from django.utils import timezone

from booths import calls
from booths.listing import public_booths
from booths.models import Booth, BoothMember, email_lines
from booths.workshops import uploader_state
from portal.models import verified_addresses
from portal.state_parts import BadKeys
from schedule.call_links import Viewer

SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,96}$")


def booth_calls(user, slugs, now=None):
    now = now or timezone.now()
    for slug in slugs:
        if not SLUG.match(slug):
            raise BadKeys(f"“{slug[:40]}” is not a booth's slug.")
    viewer = Viewer(user, now)
    found = {}
    hosted, member_of = set(), set()
    if user.is_authenticated:
        hosted = set(
            Booth.hosts.through.objects.filter(user=user, booth__slug__in=slugs).values_list("booth_id", flat=True)
        )
        member_of = set(BoothMember.objects.filter(user=user, booth__slug__in=slugs).values_list("booth_id", flat=True))
        hosted |= co_hosted(user, slugs)
    shown = public_booths().filter(slug__in=slugs)
    private = Booth.objects.private().filter(slug__in=slugs, pk__in=member_of, closed_at__isnull=True)
    for booth in [*shown, *private]:
        slots = getattr(booth, "slot_list", None)
        if slots is None:
            slots = []
        call = calls.booth_call(booth, slots, viewer, member=booth.pk in member_of)
        found[booth.slug] = {
            "call": {"state": call.state, "url": call.url or "", "reason": call.reason},
            "host": booth.pk in hosted,
        }
    return found


def co_hosted(user, slugs):
    """The booths among `slugs` that name one of `user`'s verified addresses as a co-host
    (booths.services.applications.is_host's rule, for many booths at once)."""
    named = dict(Booth.objects.filter(slug__in=slugs).exclude(host_emails="").values_list("pk", "host_emails"))
    if not named:
        return set()
    mine = set(verified_addresses(user))
    return {pk for pk, lines in named.items() if mine.intersection(email_lines(lines))}


def build(request, keys):
    return booth_calls(request.user, keys)


def talks(request, keys):
    """The state part "talks": the upload link of each workshop talk this visitor may upload
    for (booths/workshops.py `uploader_state`), asked for with `data-state-part="talks"
    data-state-key="<session id>"`; never in the shared HTML."""
    for key in keys:
        if not key.isdigit() or len(key) > 17:
            raise BadKeys(f"“{key[:40]}” is not a workshop talk's number.")
    return uploader_state(request.user, [int(key) for key in keys])
