"""The private room two or three people get when they meet: a self-organised booth
(booths.services.private, issue 17) — members-only chat `booth:<slug>`, a call link shown
only to members, closed after 24 h. People never builds a room of its own."""

from django.urls import NoReverseMatch, reverse


def open_room_for(users, *, name, topic=""):
    """Open a private booth for `users` (the first is its creator); its room key."""
    from booths.services.private import start_private_booth

    creator, *others = users
    booth = start_private_booth(creator, others, name=name, topic=topic[:200])
    return f"booth:{booth.slug}"


def url_for(room_key):
    """The private booth's page (members only), or "" for a key that names none."""
    kind, _, slug = (room_key or "").partition(":")
    if kind != "booth" or not slug:
        return ""
    try:
        return reverse("booths:detail", args=[slug])
    except NoReverseMatch:
        return reverse("chat:room", args=[room_key])
