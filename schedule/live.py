"""Sections features add to the livestream page `/live/` (booths open now, …).

    register_live_section("booths", render)   # from the feature's AppConfig.ready()

`render(request, now)` returns the section's HTML (safe, public: the same for everyone) and
reports the instants it changes at with `portal.public.changes_at`. Schedule never imports
the features; the page shows the sections in the order they were registered.
"""

from django.utils.safestring import mark_safe

_sections = {}


def register_live_section(name, render):
    _sections[name] = render


def live_sections(request, now):
    return [mark_safe(render(request, now)) for render in _sections.values()]
