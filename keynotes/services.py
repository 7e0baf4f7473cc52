"""The Q&A's verbs: ask, vote, unvote, approve, hide, merge, answered, on air.

Each verb checks who may do it and when, stores, and then (only here, the Zulip habit)
emits its events through chat's one sender (`chat.services.events`), so tests capture
them. Two groups per keynote: everyone's (`public_group`: questions everyone may see,
anonymous askers without their name) and the moderators' (`moderator_group`: every
question with its asker, pending and hidden ones too); a moderator's socket is in the
second only. Vote counts are not sent per vote: `keynotes.votecounts` coalesces them.

A refusal is a `chat.services.errors.ChatError` (code forbidden / invalid / rate_limited,
a detail to show): the socket sends it as an error frame, a page as a message.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateformat import format as date_format

from chat.services import events
from chat.services.db import in_pool
from chat.services.errors import ChatError, Forbidden, Invalid, RateLimited
from keynotes import votecounts
from keynotes.models import QUESTION_MAX_CHARS, Keynote, Question, Vote
from keynotes.timing import window
from portal.timezones import zone_abbreviation
from portal.visitor_input import BadInput, check_text
from schedule.recordings.models import Recording

Status = Question.Status


def public_group(keynote):
    return f"keynote.qa.{keynote.slug}"


def moderator_group(keynote):
    return f"keynote.qa.{keynote.slug}.mod"


def local_time(instant):
    """'Mon 27 Apr, 14:00 JST (Asia/Tokyo)' in the active zone (the viewer's, set by the
    request's middleware or the socket)."""
    zone = timezone.get_current_timezone()
    return f"{date_format(instant.astimezone(zone), 'D j M, H:i')} {zone_abbreviation(zone, instant)} ({zone})"


# --- who may do what ------------------------------------------------------------------


def is_moderator(user, keynote):
    """Organisers, the Moderators group and the keynote's chairs."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_moderator:
        return True
    return keynote.chairs.filter(pk=user.pk).exists()


def recording_of(keynote):
    return Recording.objects.filter(subject_key=keynote.subject_key).first()


WINDOW_MEMO_SECONDS = 5
# keynote id → (when read, the Q&A session's times it was read for, its Q&A window), for
# the whole process.
_windows = {}


def _window_now(keynote, now):
    """The Q&A's window, remembered in the process for a few seconds: votes do not each
    read the recording (an organiser's early release shows within 5 s). Per process, not
    per keynote object: each socket has its own, and 300 voters voting every 3 s each read
    the recording on half their votes. A keynote whose Q&A session was moved since (a
    fresh object: a page, a new socket) is read afresh at once."""
    qa = keynote.qa_session
    times = (qa.start, qa.end) if qa is not None else None
    memo = _windows.get(keynote.pk)
    if memo is None or memo[1] != times or not (memo[0] <= now < memo[0] + timedelta(seconds=WINDOW_MEMO_SECONDS)):
        memo = _windows[keynote.pk] = (now, times, window(keynote, recording_of(keynote)))
    return memo[2]


def qa_window(keynote):
    return window(keynote, recording_of(keynote))


def check_participant(user, what):
    if user is None or not user.is_authenticated:
        raise Forbidden(f"Log in as a registered attendee to {what}.", reason="login")
    if not user.is_registered:
        raise Forbidden(
            f"Only registered attendees may {what}: none of your verified e-mail addresses is on the "
            "conference's registration list.",
            reason="not_registered",
        )


def check_open(keynote, now, what):
    qa = _window_now(keynote, now)
    if qa.opens_at is None:
        raise Forbidden(f"This keynote has no live Q&A, so you cannot {what}.", reason="no_session")
    if now < qa.opens_at:
        raise Forbidden(
            f"The Q&A opens at {local_time(qa.opens_at)}, when the talk is released; you cannot {what} yet.",
            reason="not_open",
        )
    if now >= qa.closes_at:
        raise Forbidden(
            f"The Q&A closed at {local_time(qa.closes_at)}, when the live session ended; it is read-only now.",
            reason="closed",
        )


def check_can_ask(user, keynote, now):
    check_participant(user, "ask a question")
    check_open(keynote, now, "ask a question")


def check_moderator(user, keynote):
    if not is_moderator(user, keynote):
        raise Forbidden("Only moderators, organisers and this keynote's chairs may do that.", reason="not_moderator")


def clean_body(body):
    """The question's text: plain text, 1 to 500 characters once trimmed (HTML is kept as
    text and shown escaped), or Invalid with the reason."""
    if not isinstance(body, str):
        raise Invalid("A question is text.")
    try:
        body = check_text(body, "The question")
    except BadInput as problem:
        raise Invalid(str(problem)) from None
    body = body.strip()
    if not body:
        raise Invalid("The question is empty: write what you want to ask.")
    if len(body) > QUESTION_MAX_CHARS:
        raise Invalid(f"A question is at most {QUESTION_MAX_CHARS} characters; this one has {len(body)}.")
    return body


def rate_limit():
    return settings.KEYNOTES_QUESTIONS_PER_WINDOW, settings.KEYNOTES_QUESTION_WINDOW_SECONDS


def check_rate(user, now):
    limit, seconds = rate_limit()
    recent = list(
        Question.objects.filter(author=user, created_at__gt=now - timedelta(seconds=seconds))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        retry_after = max(1, int((recent[-1] + timedelta(seconds=seconds) - now).total_seconds() + 0.999))
        raise RateLimited(
            f"Slow down: at most {limit} questions in {seconds} seconds; try again in {retry_after} s.",
            retry_after=retry_after,
        )


# --- frames ---------------------------------------------------------------------------


def question_json(question, *, for_moderators=False, on_air_id=None):
    """A question as the protocol and the API show it. The asker's name only when they
    did not ask anonymously, or to moderators."""
    author = question.author
    frame = {
        "id": question.pk,
        "body": question.body,
        "author": None if question.anonymous else author.name,
        "anonymous": question.anonymous,
        "votes": question.votes,
        "votes_version": question.votes_version,
        "status": question.status,
        "answered": question.answered_at is not None,
        "on_air": on_air_id is not None and question.pk == on_air_id,
        "created_at": question.created_at.isoformat().replace("+00:00", "Z"),
    }
    if for_moderators:
        frame["asker"] = {"id": author.pk, "name": author.name}
        frame["merged_into"] = question.merged_into_id
    return frame


def _question_frames(keynote, question, kind="question.updated"):
    """The events telling both groups about a question as it is now."""
    on_air = keynote.on_air_id
    frames = [
        (
            moderator_group(keynote),
            {"type": kind, "question": question_json(question, for_moderators=True, on_air_id=on_air)},
        )
    ]
    if question.status == Status.VISIBLE:
        frames.append((public_group(keynote), {"type": kind, "question": question_json(question, on_air_id=on_air)}))
    return frames


def _removed_frames(keynote, question):
    frame = {"type": "question.removed", "id": question.pk, "reason": question.status}
    if question.merged_into_id:
        frame["merged_into"] = question.merged_into_id
    return [
        (public_group(keynote), frame),
        (
            moderator_group(keynote),
            {
                "type": "question.updated",
                "question": question_json(question, for_moderators=True, on_air_id=keynote.on_air_id),
            },
        ),
    ]


def _on_air_frames(keynote):
    frame = {"type": "qa.on_air", "id": keynote.on_air_id}
    return [(public_group(keynote), frame), (moderator_group(keynote), frame)]


def _send(frames):
    for group, frame in frames:
        events.broadcast(group, frame)


async def _asend(frames):
    for group, frame in frames:
        await events.abroadcast(group, frame)


@dataclass
class Done:
    """What a verb stored and what it has to tell."""

    question: Question | None
    frames: list
    send_votes: bool  # this caller sends the keynote's moved counts after the window (votecounts.note)
    keynote: Keynote


def _finish(done):
    _send(done.frames)
    if done.send_votes:
        votecounts.send_later(done.keynote)
    return done.question


async def _afinish(done):
    await _asend(done.frames)
    if done.send_votes:
        votecounts.asend_later(done.keynote)
    return done.question


def _check_question_id(question_id):
    if isinstance(question_id, bool) or not isinstance(question_id, int):
        raise Invalid("Name the question by its id (a number).")


def _locked_question(question_id, keynote=None):
    _check_question_id(question_id)
    rows = Question.objects.select_for_update().select_related("author")
    if keynote is not None:
        rows = rows.filter(keynote=keynote)
    question = rows.filter(pk=question_id).first()
    if question is None:
        raise Invalid(f"There is no question {question_id} in this Q&A.")
    return question


# --- ask ------------------------------------------------------------------------------


def _store_question(keynote, user, body, anonymous, now):
    check_can_ask(user, keynote, now)
    body = clean_body(body)
    if not isinstance(anonymous, bool):
        raise Invalid("“anonymous” is true or false.")
    check_rate(user, now)
    with transaction.atomic():
        # One person's questions are counted and stored in turn (PostgreSQL: their user
        # row; SQLite has one writer at a time), so parallel asks store exactly the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        check_rate(user, now)
        question = Question.objects.create(
            keynote=keynote,
            author=user,
            body=body,
            anonymous=anonymous,
            status=Status.PENDING if keynote.pre_moderated else Status.VISIBLE,
            created_at=now,
        )
    return Done(question, _question_frames(keynote, question, "question.new"), False, keynote)


def ask(keynote, user, body, anonymous=False, now=None):
    return _finish(_store_question(keynote, user, body, anonymous, now or timezone.now()))


async def aask(keynote, user, body, anonymous=False, now=None):
    return await _afinish(await in_pool(_store_question)(keynote, user, body, anonymous, now or timezone.now()))


# --- votes ----------------------------------------------------------------------------


def _check_votable(question, keynote, now, what):
    if question.status == Status.HIDDEN:
        raise Forbidden(f"This question was hidden by a moderator; you cannot {what}.", reason="hidden")
    if question.status == Status.MERGED:
        raise Forbidden(
            f"This question was merged into question {question.merged_into_id}; {what} there instead.", reason="merged"
        )
    if question.status == Status.PENDING:
        raise Forbidden(
            f"This question is waiting for a moderator's approval; you cannot {what} yet.", reason="pending"
        )
    check_open(keynote, now, what)


def _store_vote(keynote, user, question_id, on, now):
    what = "vote" if on else "take a vote back"
    check_participant(user, what)
    if votecounts.in_one_statement() and _is_open(keynote, now):
        return _count_vote(keynote, user, question_id, on, now, what)
    with transaction.atomic():
        question = _locked_question(question_id, keynote)
        _check_votable(question, keynote, now, what)
        if on:
            # The question's row is locked: this person's other votes on it wait for us, so
            # looking first is enough (no savepoint); a second vote changes nothing.
            changed = not Vote.objects.filter(question=question, user=user).exists()
            if changed:
                Vote.objects.create(question=question, user=user)
        else:
            changed = Vote.objects.filter(question=question, user=user).delete()[0] > 0
        if changed:
            Question.objects.filter(pk=question.pk).update(
                votes=F("votes") + (1 if on else -1), votes_version=F("votes_version") + 1
            )
            question.votes += 1 if on else -1
            question.votes_version += 1
    # Claimed once the vote is committed, so the count sent after the window includes it.
    return Done(question, [], changed and votecounts.note(keynote.pk, [question.pk]), keynote)


def _is_open(keynote, now):
    """Whether votes are taken now; a refusal is left to the ORM path, which names the
    question's status first (as it always has)."""
    try:
        check_open(keynote, now, "vote")
    except ChatError:
        return False
    return True


def _count_vote(keynote, user, question_id, on, now, what):
    """PostgreSQL: the vote stored and counted in one statement (keynotes.votecounts.count_vote);
    nothing is stored on a question that is not visible."""
    _check_question_id(question_id)
    row = votecounts.count_vote(keynote.pk, question_id, user.pk, on, now)
    if row is None:
        raise Invalid(f"There is no question {question_id} in this Q&A.")
    status, merged_into_id, votes, votes_version, changed = row
    question = Question(
        pk=question_id,
        keynote=keynote,
        status=status,
        merged_into_id=merged_into_id,
        votes=votes,
        votes_version=votes_version,
    )
    _check_votable(question, keynote, now, what)
    # Noted once the vote is committed (the statement was), so the count sent after the window includes it.
    return Done(question, [], changed and votecounts.note(keynote.pk, [question.pk]), keynote)


def vote(keynote, user, question_id, now=None):
    return _finish(_store_vote(keynote, user, question_id, True, now or timezone.now()))


def unvote(keynote, user, question_id, now=None):
    return _finish(_store_vote(keynote, user, question_id, False, now or timezone.now()))


async def avote(keynote, user, question_id, on=True, now=None):
    return await _afinish(await in_pool(_store_vote)(keynote, user, question_id, on, now or timezone.now()))


# --- moderation -----------------------------------------------------------------------


def _store_approve(keynote, moderator, question_id):
    check_moderator(moderator, keynote)
    with transaction.atomic():
        question = _locked_question(question_id, keynote)
        if question.status != Status.PENDING:
            raise Invalid(
                f"Question {question.pk} is not waiting for approval (it is {question.get_status_display().lower()})."
            )
        question.status = Status.VISIBLE
        question.save(update_fields=["status"])
    return Done(question, _question_frames(keynote, question, "question.new"), False, keynote)


def _store_hide(keynote, moderator, question_id):
    check_moderator(moderator, keynote)
    with transaction.atomic():
        question = _locked_question(question_id, keynote)
        if question.status in (Status.HIDDEN, Status.MERGED):
            raise Invalid(f"Question {question.pk} is {question.get_status_display().lower()} already.")
        question.status = Status.HIDDEN
        question.save(update_fields=["status"])
        frames = _removed_frames(keynote, question)
        if keynote.on_air_id == question.pk:
            Keynote.objects.filter(pk=keynote.pk).update(on_air=None)
            keynote.on_air_id = None
            frames += _on_air_frames(keynote)
    return Done(question, frames, False, keynote)


def _store_merge(keynote, moderator, question_id, into_id):
    """Merge a duplicate into another question: the duplicate's voters count on the
    other one, each person once."""
    check_moderator(moderator, keynote)
    if question_id == into_id:
        raise Invalid("A question cannot be merged into itself.")
    with transaction.atomic():
        # Locked in id order, so two merges of the same pair cannot deadlock.
        first, second = sorted((question_id, into_id), key=lambda i: i if isinstance(i, int) else 0)
        locked = {q.pk: q for q in (_locked_question(first, keynote), _locked_question(second, keynote))}
        duplicate, target = locked[question_id], locked[into_id]
        for question in (duplicate, target):
            if question.status in (Status.HIDDEN, Status.MERGED):
                raise Invalid(
                    f"Question {question.pk} is {question.get_status_display().lower()}; it cannot be merged."
                )
        already = Vote.objects.filter(question=target).values("user_id")
        Vote.objects.filter(question=duplicate).exclude(user_id__in=already).update(question=target)
        Vote.objects.filter(question=duplicate).delete()
        target.votes = Vote.objects.filter(question=target).count()
        duplicate.votes = 0
        duplicate.status, duplicate.merged_into = Status.MERGED, target
        if duplicate.answered_at and not target.answered_at:
            target.answered_at = duplicate.answered_at
        target.votes_version += 1
        Question.objects.filter(pk=target.pk).update(
            votes=target.votes, votes_version=target.votes_version, answered_at=target.answered_at
        )
        duplicate.save(update_fields=["status", "merged_into", "votes"])
        frames = _removed_frames(keynote, duplicate)
        if keynote.on_air_id == duplicate.pk:
            Keynote.objects.filter(pk=keynote.pk).update(on_air=target)
            keynote.on_air_id = target.pk
            frames += _on_air_frames(keynote)
        frames += _question_frames(keynote, target)
    return Done(target, frames, False, keynote)


def _store_answered(keynote, moderator, question_id, answered, now):
    check_moderator(moderator, keynote)
    with transaction.atomic():
        question = _locked_question(question_id, keynote)
        if question.status in (Status.HIDDEN, Status.MERGED):
            raise Invalid(f"Question {question.pk} is {question.get_status_display().lower()}.")
        question.answered_at = (question.answered_at or now) if answered else None
        question.save(update_fields=["answered_at"])
        frames = _question_frames(keynote, question)
        if answered and keynote.on_air_id == question.pk:
            Keynote.objects.filter(pk=keynote.pk).update(on_air=None)
            keynote.on_air_id = None
            frames += _on_air_frames(keynote)
    return Done(question, frames, False, keynote)


def _store_on_air(keynote, moderator, question_id):
    """Mark one question "on air now" (None: none). The one before it is marked answered."""
    check_moderator(moderator, keynote)
    with transaction.atomic():
        locked = Keynote.objects.select_for_update().get(pk=keynote.pk)
        question = None
        frames = []
        if question_id is not None:
            question = _locked_question(question_id, keynote)
            if question.status != Status.VISIBLE:
                raise Invalid(
                    f"Question {question.pk} is {question.get_status_display().lower()}; "
                    "only a visible one goes on air."
                )
        previous = locked.on_air_id
        if previous and previous != question_id:
            before = Question.objects.select_related("author").get(pk=previous)
            if before.answered_at is None and before.status == Status.VISIBLE:
                before.answered_at = timezone.now()
                before.save(update_fields=["answered_at"])
            keynote.on_air_id = question.pk if question else None
            frames += _question_frames(keynote, before)
        Keynote.objects.filter(pk=keynote.pk).update(on_air=question)
        keynote.on_air_id = question.pk if question else None
        frames += _on_air_frames(keynote)
    return Done(question, frames, False, keynote)


def approve(keynote, moderator, question_id):
    return _finish(_store_approve(keynote, moderator, question_id))


def hide(keynote, moderator, question_id):
    return _finish(_store_hide(keynote, moderator, question_id))


def merge(keynote, moderator, question_id, into_id):
    return _finish(_store_merge(keynote, moderator, question_id, into_id))


def mark_answered(keynote, moderator, question_id, answered=True, now=None):
    return _finish(_store_answered(keynote, moderator, question_id, answered, now or timezone.now()))


def set_on_air(keynote, moderator, question_id):
    return _finish(_store_on_air(keynote, moderator, question_id))


def _store_next(keynote, moderator):
    """Put the top visible unanswered question (most votes, then oldest) on air."""
    check_moderator(moderator, keynote)
    keynote.refresh_from_db(fields=["on_air"])
    top = (
        Question.objects.filter(keynote=keynote, status=Status.VISIBLE, answered_at__isnull=True)
        .exclude(pk=keynote.on_air_id or 0)
        .order_by("-votes", "created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if top is None:
        raise Invalid("No unanswered question is waiting.")
    return _store_on_air(keynote, moderator, top)


def next_on_air(keynote, moderator):
    return _finish(_store_next(keynote, moderator))


MODERATION = {
    "approve": _store_approve,
    "hide": _store_hide,
    "merge": _store_merge,
    "answered": _store_answered,
    "on_air": _store_on_air,
    "next": _store_next,
}


async def amoderate(action, keynote, moderator, *args):
    return await _afinish(await in_pool(MODERATION[action])(keynote, moderator, *args))


__all__ = [
    "ChatError",
    "aask",
    "amoderate",
    "approve",
    "ask",
    "avote",
    "hide",
    "mark_answered",
    "merge",
    "next_on_air",
    "set_on_air",
    "unvote",
    "vote",
]
