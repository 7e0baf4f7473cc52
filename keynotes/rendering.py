"""The keynote page's question list, as HTML.

Written here rather than as a loop in the template: a live Q&A gathers a hundred questions
or more, and Django's template engine rendered each in about 0.3 ms (17 variables, the
date filter, escaping each value through lazy wrappers), so the page with 140 questions
rendered at 19/s against a paper page's 46/s (bench/keynote_qa.py's render rows; the spec
asks for at least as fast). Every value that is not a number or a constant goes through
`html.escape`, which is what Django's `escape` calls. The classes are the ones
static/js/keynotes.js gives a question when it redraws the list from its socket's state
(with a button in place of the form that works without JavaScript).
"""

from html import escape

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe

from portal.models import User

DAY_FORMAT = "D j M"  # then ", H:i": as the |when filter shows an instant


def questions_html(questions, *, on_air_id, is_open, vote_prefix, here, zone_abbr):
    """The `<li>` of each question (rows of keynotes.listing.page_questions), in the order
    given (escaped; safe to insert)."""
    vote_prefix, here, zone_abbr = escape(vote_prefix), escape(here), escape(zone_abbr)
    days = {}  # a local date's text, written once: most questions share a day
    items = []
    for question in questions:
        pk, votes, created = question.pk, question.votes, question.created_at
        local = timezone.localtime(created)
        day = days.get(local.date())
        if day is None:
            day = days[local.date()] = escape(date_format(local, DAY_FORMAT))
        iso = escape(created.isoformat())
        classes = "question" + (" answered" if question.answered_at else "") + (" on-air" if pk == on_air_id else "")
        vote_form = (
            f'<form method="get" action="{vote_prefix}{pk}/vote/" class="vote-form">'
            f'<input type="hidden" name="next" value="{here}">'
            f'<button type="submit" class="vote-button outline small" aria-pressed="false" data-vote="{pk}">'
            f'Vote<span class="visually-hidden"> for question {pk}</span></button></form>'
            if is_open
            else ""
        )
        body = escape(question.body.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")
        asker = (
            "Anonymous"
            if question.anonymous
            else escape(User.shown_name(question.author__display_name, question.author__email))
        )
        answered = ' <span class="badge answered-badge">Answered</span>' if question.answered_at else ""
        plural = "" if votes == 1 else "s"
        items.append(
            f'<li class="{classes}" id="question-{pk}" data-question="{pk}" data-votes="{votes}" data-created="{iso}">'
            f'<div class="question-votes"><span class="vote-count" aria-label="{votes} vote{plural}">'
            f"{votes}</span>{vote_form}</div>"
            f'<div class="question-body"><p class="question-text">{body}</p>'
            f'<p class="question-meta">{asker} · <time datetime="{iso}">{day}, {local:%H:%M}</time> {zone_abbr}'
            f' <span class="badge on-air-badge">On air now</span>{answered}</p></div></li>'
        )
    return mark_safe("".join(items))  # every value above is escaped or a number
