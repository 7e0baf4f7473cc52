"""The "paper" subject kind (`paper:<uid>`): what the lower layers ask about a paper.

Registered once from PostersConfig.ready() (schedule/subjects.py). Recordings ask it who
may preview and upload a paper's talk and whom to remind, chat whether a paper's room may
open and who wears the "author" badge, the agenda what an item is called and where it
leads. Who the authors are is posters.uploads's answer, so all of them agree.
"""

from collections import defaultdict

from django.urls import reverse

from posters.models import AuthorEmail, Paper
from posters.uploads import PREFIX, authored_papers, recording_for_paper
from posters.uploads import is_author as is_paper_author
from schedule.subjects import RecordingTerms, Subject, register_subject_kind

KIND = PREFIX.rstrip(":")


def resolve(uids):
    """The papers with these UIDs, with their authors' e-mails, in one query."""
    titles, emails = {}, defaultdict(set)
    rows = (
        Paper.objects.filter(uid__in=uids)
        .order_by()
        .values_list("uid", "title", "authorships__author__email")
        # The addresses imports gave for the papers' authors (never public; for reminders), in the same query.
        .union(
            AuthorEmail.objects.filter(paper__uid__in=uids)
            .order_by()
            .values_list("paper__uid", "paper__title", "email"),
            all=True,
        )
    )
    for uid, title, email in rows:
        titles[uid] = title
        if email:
            emails[uid].add(email.lower())
    return [
        Subject(
            key=f"{PREFIX}{uid}",
            title=title,
            url=reverse("posters:paper_detail", args=[uid]),
            upload_url=reverse("posters:upload_recording", args=[uid]),
            author_emails=frozenset(emails[uid]),
        )
        for uid, title in titles.items()
    ]


def is_author(uid, user):
    return is_paper_author(f"{PREFIX}{uid}", user)


def authored_by(user):
    return authored_papers(user).values_list("uid", flat=True)


def recording(uid):
    """The paper's recording, on the day of its first poster session (None: no such paper)."""
    paper = Paper.objects.defer("search_vector").filter(uid=uid).first()
    return recording_for_paper(paper) if paper is not None else None


RECORDINGS = RecordingTerms(
    make=recording,
    release_basis="before its first poster session starts",
    release_pending="set when the paper is assigned to a poster session",
    who_uploads="the paper's authors",
    home=("My papers as an author", "posters:authored_papers"),
    page_label="Paper page",
)


def register():
    register_subject_kind(KIND, resolve, is_author=is_author, authored_by=authored_by, recordings=RECORDINGS)
