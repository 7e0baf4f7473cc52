"""Parts of the visitor's state that features add to `/me/state.json` (portal/state.py).

A public page carries nothing personal; what a feature needs to know about the visitor
on it (their votes on a keynote's questions, whether they host a booth, …) comes from
the one state request. The feature registers a part once, from its `AppConfig.ready`:

    register_state_part("qa", questions_state, limit=5)

and a page names the items it shows with `data-state-part="qa" data-state-key="<key>"`
(static/js/state.js sends them as `?qa=<key>,<key>`). `build(request, keys)` answers a
JSON-able dict for those keys; it is under `state["qa"]` in the answer (and in
`window.portalState`), `{}` when the page names none. It runs for anonymous visitors
too (`request.user.is_authenticated` is false): answer what they may see. A key that
is malformed raises `BadKeys` with a sentence naming it: the request answers 400.
"""

from dataclasses import dataclass


class BadKeys(ValueError):
    pass


@dataclass(frozen=True)
class StatePart:
    name: str
    build: object
    limit: int


_parts = {}
RESERVED = {"calls", "rooms", "user", "csrf", "zone", "stars", "agenda", "messages", "reminders_html"}


def register_state_part(name, build, *, limit=100):
    if name in RESERVED:
        raise ValueError(f"“{name}” is a state field of its own; choose another name")
    if name in _parts and _parts[name].build is not build:
        raise ValueError(f"the state part “{name}” is registered already")
    _parts[name] = StatePart(name, build, limit)


def state_parts():
    return list(_parts.values())
