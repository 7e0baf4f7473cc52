"""The programme's version, and the agenda buttons of pages cached for everyone.

The programme's pages (the week, a day) are cached whole by portal.page_cache under
GENERATION_KEY, which `programme_changed` moves on whenever a session is saved or
deleted. Their agenda buttons are rendered for nobody (all "add", with portal's CSRF
placeholder); `mark_agenda`, a portal.page_cache personaliser, marks what is in this
visitor's agenda per request, so the page stays correct without JavaScript and its
per-user bits never reach the cache.
"""

import html
import re
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe

from schedule.agenda import agenda_keys

STATE_SECONDS = 60
GENERATION_KEY = "schedule:programme-generation"
ADD = "+ Add to my agenda"
IN = "✓ In my agenda"
IN_REMOVE = "✓ In my agenda · remove"
AGENDA_FORM = re.compile(r'<form class="agenda-toggle"[^>]*? data-key="([^"]*)".*?</form>', re.S)


def programme_state():
    """What identifies this version of the programme, and its span: one query, then the cache.

    Every page of the programme needs it, so it is kept under a generation that
    `programme_changed` moves on (after commit) whenever a session is saved or deleted: a
    reader that saw the new generation also sees the committed change. Writes that send
    no signal (a queryset update) show within STATE_SECONDS.
    """
    from schedule.models import Session

    generation = cache.get(GENERATION_KEY, 0)
    key = f"schedule:programme-state:{generation}"
    state = cache.get(key)
    if state is None:
        state = Session.objects.aggregate(
            count=Count("id"), changed=Max("updated_at"), first=Min("start"), last=Max("end")
        )
        cache.set(key, state, STATE_SECONDS)
    return state


def programme_changed(**kwargs):
    """Receiver of Session's post_save and post_delete: the next request reads the state afresh.

    Moved on now (this transaction's own next read) and again after commit: a reader in
    between may have cached the state without the change under the first new generation.
    """
    _next_generation()
    transaction.on_commit(_next_generation, robust=True)


def _next_generation():
    # A new generation each time, even when the cache was emptied (incr needs the key).
    cache.set(GENERATION_KEY, time.time_ns(), None)


def version_of(state, conference):
    changed = state["changed"].timestamp() if state["changed"] else 0
    return f"{state['count']}.{changed}.{conference.updated_at.timestamp()}"


def button(*, action_url, session_pk, subject_key, label, title, compact, in_agenda, csrf, next_url):
    """The add/remove form (the script upgrades it; without the script it posts).

    One escaped f-string rather than format_html: a day page has a hundred of these.
    """
    action_url, session_pk, subject_key, label, csrf, next_url, title = map(
        escape, (action_url, session_pk, subject_key, label, csrf, next_url, title)
    )
    state = (IN if compact else IN_REMOVE) if in_agenda else ADD
    return mark_safe(
        f'<form class="agenda-toggle" method="post" action="{action_url}" data-key="{session_pk}|{subject_key}"'
        f' data-session="{session_pk}" data-subject="{subject_key}" data-label="{label}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f'<input type="hidden" name="session" value="{session_pk}">'
        f'<input type="hidden" name="subject" value="{subject_key}">'
        f'<input type="hidden" name="label" value="{label}">'
        f'<input type="hidden" name="action" value="{"remove" if in_agenda else "add"}">'
        f'<input type="hidden" name="next" value="{next_url}">'
        f'<button type="submit" class="agenda-button{" compact" if compact else ""}"'
        f' aria-pressed="{"true" if in_agenda else "false"}"><span class="agenda-state">{state}</span>'
        f'<span class="visually-hidden">: {title}</span></button></form>'
    )


def request_agenda_keys(request):
    """The viewer's agenda keys ("<session id>|<subject key>"), read once per request."""
    if request is None:
        return set()
    keys = getattr(request, "_schedule_agenda_keys", None)
    if keys is None:
        keys = agenda_keys(request.user) if hasattr(request, "user") else set()
        request._schedule_agenda_keys = keys
    return keys


def _mark(form_html):
    compact = 'class="agenda-button compact"' in form_html
    return (
        form_html.replace('name="action" value="add"', 'name="action" value="remove"', 1)
        .replace('aria-pressed="false"', 'aria-pressed="true"', 1)
        .replace(
            f'<span class="agenda-state">{ADD}</span>',
            f'<span class="agenda-state">{IN if compact else IN_REMOVE}</span>',
            1,
        )
    )


def mark_agenda(request, page, data):
    """portal.page_cache personaliser "agenda": mark the buttons of what is in this visitor's agenda."""
    keys = request_agenda_keys(request)
    if not keys:
        return page
    return AGENDA_FORM.sub(lambda m: _mark(m.group(0)) if html.unescape(m.group(1)) in keys else m.group(0), page)
