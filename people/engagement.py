"""Engagement the seed asks for: "policies to encourage authors to respond to a minimal
number of questions, as well as to ask questions on other papers".

- an attendee's questions on papers, and the authors' answers they received;
- an author's progress against the minimum-answer policy (ENGAGEMENT_MIN_ANSWERS_PER_PAPER:
  answer at least that many questions in each paper's room, or all of them when fewer
  were asked);
- per-paper and per-author figures for organisers (annotations used by people.admin).

A question is chat's (chat.models.Message.is_question: a top-level message by a
non-author in a room with authors), answered once an author replies (`answered_at`).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from chat import rooms
from chat.models import Message
from posters.models import Authorship

VISIBLE = Q(hidden_at__isnull=True, deleted_at__isnull=True)


def minimum():
    return settings.ENGAGEMENT_MIN_ANSWERS_PER_PAPER


def required_for(asked):
    return min(minimum(), asked)


def questions_asked(user, limit=50):
    """The person's questions on papers (newest first), each with `.answers`: the authors'
    visible replies to it. Two queries."""
    questions = list(
        Message.objects.filter(VISIBLE, author=user, is_question=True, room__kind="paper")
        .select_related("room")
        .order_by("-id")[:limit]
    )
    answers = {}
    for answer in (
        Message.objects.filter(VISIBLE, reply_to__in=[q.pk for q in questions], badge=Message.Badge.AUTHOR)
        .select_related("author")
        .order_by("id")
    ):
        answers.setdefault(answer.reply_to_id, []).append(answer)
    for question in questions:
        question.answers = answers.get(question.pk, [])
    return questions


def counts(user):
    """(questions asked on papers, answers received)."""
    asked = Message.objects.filter(VISIBLE, author=user, is_question=True, room__kind="paper")
    received = Message.objects.filter(VISIBLE, reply_to__in=asked.values("pk"), badge=Message.Badge.AUTHOR).count()
    return asked.count(), received


@dataclass
class Progress:
    key: str
    title: str
    url: str | None
    asked: int
    answered: int

    @property
    def required(self):
        return required_for(self.asked)

    @property
    def met(self):
        return self.answered >= self.required

    @property
    def percent(self):
        return 100 if not self.required else min(100, round(100 * self.answered / self.required))


def author_progress(user):
    """[Progress] for each paper `user` is an author of (one query for the figures)."""
    from schedule.subjects import subjects_by_key

    keys = [k for k in rooms.rooms_authored_by(user) if k.startswith("paper:")]
    if not keys:
        return []
    figures = {
        row["room__key"]: row
        for row in Message.objects.filter(VISIBLE, room__key__in=keys, is_question=True)
        .values("room__key")
        .annotate(asked=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    }
    subjects = subjects_by_key(keys)
    found = []
    for key in keys:
        row = figures.get(key, {"asked": 0, "answered": 0})
        subject = subjects.get(key)
        found.append(
            Progress(
                key, subject.title if subject else key, subject.url if subject else None, row["asked"], row["answered"]
            )
        )
    return sorted(found, key=lambda p: (p.met, p.title))


# --- figures for organisers (annotations on posters' papers and authors) ----------------------


def _count(questions):
    return Coalesce(
        Subquery(questions.order_by().values("is_question").annotate(n=Count("id")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def annotate_papers(papers):
    """Papers with `questions` and `answered` (one query for any number of papers)."""
    key = Concat(Value("paper:"), OuterRef("uid"))
    questions = Message.objects.filter(VISIBLE, is_question=True, room__key=key)
    return papers.annotate(questions=_count(questions), answered=_count(questions.filter(answered_at__isnull=False)))


def annotate_authors(authors):
    """Authors with `papers`, `questions` and `answered` across their papers."""
    keys = (
        Authorship.objects.filter(author=OuterRef(OuterRef("pk")))
        .annotate(key=Concat(Value("paper:"), "paper__uid"))
        .values("key")
    )
    questions = Message.objects.filter(VISIBLE, is_question=True, room__key__in=keys)
    return authors.annotate(
        paper_count=Count("authorships", distinct=True),
        questions=_count(questions),
        answered=_count(questions.filter(answered_at__isnull=False)),
    )
