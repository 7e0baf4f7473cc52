"""The people part of `/me/state.json` (portal/state_parts.py).

A public page that shows people marks each with `data-state-part="people"
data-state-key="<user id>"` (and `"me"` where the visitor's own standing matters, as on
/people/meet/). The answer, under `state["people"]`:

    {"hidden": [ids with a block between them and the visitor, either way: the page removes them],
     "blocked": [ids the visitor blocked (also hidden)], "asked": [ids with an introduction waiting],
     "me": {"id", "public", "suggestible", "can_meet", "reason", "detail", "status"}}
"""

from people.models import Block, Introduction
from people.profiles import profile_of
from people.safety import refusal
from portal.state_parts import BadKeys, register_state_part


def _ids(keys):
    ids = []
    for key in keys:
        if key == "me":
            continue
        if not key.isdigit() or len(key) > 12:
            raise BadKeys(f"“{key[:40]}” is not a person's key (their id, or me).")
        ids.append(int(key))
    return ids


def people_state(request, keys):
    ids = _ids(keys)
    user = request.user
    if not user.is_authenticated:
        return {"hidden": [], "blocked": [], "asked": [], "me": None}
    state = {"hidden": [], "blocked": [], "asked": [], "me": None}
    if ids:
        for blocker, blocked in Block.objects.filter(
            blocker_id__in=[*ids, user.pk], blocked_id__in=[*ids, user.pk]
        ).values_list("blocker_id", "blocked_id"):
            if blocked == user.pk:
                state["hidden"].append(blocker)
            elif blocker == user.pk:
                state["blocked"].append(blocked)
                state["hidden"].append(blocked)
        state["asked"] = sorted(
            Introduction.objects.filter(
                requester=user, recipient_id__in=ids, status=Introduction.Status.PENDING
            ).values_list("recipient_id", flat=True)
        )
        state["hidden"] = sorted(set(state["hidden"]))
        state["blocked"].sort()
    if "me" in keys:
        from people.matching import queue_state  # the queue's own answer

        profile = profile_of(user)
        problem = refusal(user, profile=profile)
        state["me"] = {
            "id": user.pk,
            "public": profile.public,
            "suggestible": profile.suggestible,
            "can_meet": problem is None,
            "reason": problem.reason if problem else "",
            "detail": problem.detail if problem else "",
            "status": queue_state(user)["status"],
        }
    return state


def register():
    register_state_part("people", people_state, limit=200)
