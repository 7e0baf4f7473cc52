"""The "paper" room kind (`paper:<uid>`): what chat needs to know about a paper's room.

Registered once from PostersConfig.ready(). Who the authors are is posters.uploads's
answer (the same people who upload the paper's talk), so the chat's "author" badge and
"questions waiting for you" agree with the upload pages.
"""

from django.urls import reverse

from chat.rooms import register_room_kind
from posters.models import Paper
from posters.uploads import PREFIX, author_emails, authored_papers

KIND = PREFIX.rstrip(":")


def title_for(uid):
    """The paper's title, or None when no paper has this UID (the room is then refused)."""
    return Paper.objects.filter(uid=uid).values_list("title", flat=True).first()


def authors_for(uid):
    return author_emails(f"{PREFIX}{uid}")


def authored_by(user):
    return list(authored_papers(user).values_list("uid", flat=True))


def url_for(uid):
    return reverse("posters:paper_detail", args=[uid])


def register():
    register_room_kind(KIND, title_for=title_for, authors_for=authors_for, authored_by=authored_by, url_for=url_for)
