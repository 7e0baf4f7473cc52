"""Bookmarks: a person's starred papers.

Logged-in people keep them here; anonymous visitors keep a list of UIDs in the browser
(static/js/papers.js) that is merged into their account the first time a papers page
loads after they log in.
"""

from django.db import transaction
from django.db.models import CharField, Value

from portal.visitor_input import check_text
from posters.models import Bookmark, Paper

MAX_MERGE = 2000  # a browser list longer than this is not a person's


def bookmarked_ids(user, papers):
    """The ids among `papers` that `user` starred (one query; none for anonymous)."""
    if not user.is_authenticated or not papers:
        return set()
    ids = [p.pk for p in papers]
    return set(Bookmark.objects.filter(user=user, paper_id__in=ids).values_list("paper_id", flat=True))


def toggle(user, paper):
    """Star or unstar; returns whether the paper is now bookmarked."""
    with transaction.atomic():
        deleted, _ = Bookmark.objects.filter(user=user, paper=paper).delete()
        if deleted:
            return False
        Bookmark.objects.get_or_create(user=user, paper=paper)
        return True


def set_bookmark(user, paper, on):
    if on:
        Bookmark.objects.get_or_create(user=user, paper=paper)
    else:
        Bookmark.objects.filter(user=user, paper=paper).delete()
    return on


def merge(user, uids):
    """Add the papers with `uids` (from the browser) to the user's bookmarks; unknown UIDs are
    ignored, one that is not text is refused (portal.visitor_input.BadInput)."""
    wanted = [u for u in dict.fromkeys(str(u)[:64] for u in uids if isinstance(u, str)) if u][:MAX_MERGE]
    for uid in wanted:
        check_text(uid, "A paper UID")  # BadInput: the database cannot even compare it
    ids = list(Paper.objects.filter(uid__in=wanted).values_list("id", flat=True))
    Bookmark.objects.bulk_create([Bookmark(user=user, paper_id=i) for i in ids], ignore_conflicts=True)
    return bookmarked_uids(user)


def bookmarked_uids(user):
    return list(Bookmark.objects.filter(user=user).order_by("-created_at", "-id").values_list("paper__uid", flat=True))


def star_rows(user):
    """The user's stars as rows ("star", <uid>, "") for a reader that asks for several
    kinds of a person's rows in one query (portal/state.py)."""
    return (
        Bookmark.objects.filter(user=user)
        .order_by()
        .annotate(kind=Value("star", CharField()), extra=Value("", CharField()))
        .values_list("kind", "paper__uid", "extra")
    )


def bookmarked_uid_set(user):
    """The UIDs this user starred (/me/state.json)."""
    return frozenset(Bookmark.objects.filter(user=user).values_list("paper__uid", flat=True))
