"""The private room two or three people get when they meet: a self-organised booth
(booths.services.private, issue 17) — members-only chat `booth:<slug>`, a call link shown
only to members, closed after 24 h. People builds no room of its own."""

from django.urls import reverse

from booths.services.errors import BoothError
from booths.services.private import start_private_booth
from people.safety import MeetError


def open_room_for(users, *, name, topic=""):
    """Start a self-organised booth for `users` (the first is its creator); its room key.
    A refusal of the booths' (someone no longer registered) is a MeetError with its reason."""
    creator, *others = users
    try:
        booth = start_private_booth(creator, others, name=name[:200], topic=topic[:300])
    except BoothError as refusal:
        raise MeetError(refusal.detail, refusal.reason) from None
    return booth.room_key


def url_for(room_key):
    """The private booth's page (its members only), or "" for a key that names none."""
    kind, _, slug = (room_key or "").partition(":")
    if kind != "booth" or not slug:
        return ""
    return reverse("booths:detail", args=[slug])
