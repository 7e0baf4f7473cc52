"""Cached HTML for the programme's big lists, made personal per request.

The week and a day render the same for everyone in one zone with the same filters, so
their list is rendered once and cached under the programme's version. It holds nothing
per person: the agenda buttons carry a placeholder for the CSRF token and are all
"add"; `personalise` puts in this visitor's token and marks what is in their agenda,
so the page stays correct without JavaScript and its per-user bits never reach the cache.
"""

import hashlib
import html
import re
import time

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Min
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe

from schedule.agenda import agenda_keys

CSRF_PLACEHOLDER = "__schedule_csrf_token__"
CSRF_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
FRAGMENT_SECONDS = 300
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


def personalise(request, fragment, csrf=None):
    """The cached fragment with this visitor's CSRF token and their agenda marked."""
    fragment = fragment.replace(CSRF_PLACEHOLDER, csrf or get_token(request))
    keys = agenda_keys(request.user) if request.user.is_authenticated else set()
    request._schedule_agenda_keys = keys
    if keys:
        fragment = AGENDA_FORM.sub(
            lambda m: _mark(m.group(0)) if html.unescape(m.group(1)) in keys else m.group(0), fragment
        )
    return fragment


def cached_fragment(request, key, template_name, build_context, csrf=None):
    """The rendered template for this key; `build_context()` runs only on a miss."""
    fragment = cache.get(key)
    if fragment is None:
        fragment = render_to_string(template_name, {**build_context(), "cacheable_fragment": True})
        cache.set(key, fragment, FRAGMENT_SECONDS)
    return personalise(request, fragment, csrf)


def anonymous_page(request, key, canonical_query, render_page):
    """The whole page from the cache for an anonymous visitor on a canonical URL.

    `render_page(csrf)` renders it; for the cache it is called with the placeholder as
    the CSRF token, which each response then replaces with the visitor's own. Logged-in
    visitors, pages with a message to show and odd query strings are rendered afresh.
    """
    cacheable = (
        request.method == "GET"
        and not request.user.is_authenticated
        and request.META.get("QUERY_STRING", "") == canonical_query
        and not len(get_messages(request))
    )
    if not cacheable:
        return render_page(None)
    page_key = "schedule:page-bytes:" + ":".join(
        [
            key,
            str(request.viewer_zone_chosen),
            hashlib.blake2s((request.viewer_zone_problem or "").encode()).hexdigest(),
        ]
    )
    body = cache.get(page_key)
    if body is None:
        response = render_page(CSRF_PLACEHOLDER)
        if response.status_code != 200:
            return response
        body = response.content
        cache.set(page_key, body, FRAGMENT_SECONDS)
    # Kept as bytes: a day page is ~180 kB, and decoding and re-encoding it cost more than the rest.
    response = HttpResponse(body.replace(CSRF_PLACEHOLDER_BYTES, get_token(request).encode()))
    patch_vary_headers(response, ["Cookie"])
    return response
