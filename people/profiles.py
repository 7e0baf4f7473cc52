"""Profiles people choose to share: the one answer to "may others see this person?".

Every page, list, search, state part and socket that shows a person reads
`public_profiles()` at the moment it renders, so turning the profile off removes the
person everywhere at once (public pages within their cache lifetime, 10 s).
"""

from collections import defaultdict
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from people.models import Profile
from portal.models import verified_address_rows
from posters.models import Authorship, Paper
from posters.uploads import authorships_of

MAX_LINKS = 5
MAX_QUERY = 100


class ProfileError(ValueError):
    pass


def public_profiles():
    return Profile.objects.filter(public=True, user__is_active=True).select_related("user")


def public_profile(user_id):
    """The public profile of this user id, or None (never opted in, opted out, unknown)."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    return public_profiles().filter(user_id=user_id).first()


def profile_of(user) -> Profile:
    """The person's own profile (unsaved, all off, when they never opened it)."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


def search(query):
    """Public profiles whose name, affiliation or interests hold every word of `query`."""
    profiles = public_profiles()
    for word in query.split()[:10]:
        profiles = profiles.filter(
            Q(user__display_name__icontains=word)
            | Q(user__affiliation__icontains=word)
            | Q(user__interests__icontains=word)
        )
    return profiles.order_by("user__display_name", "user_id")


def clean_links(text):
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(links) > MAX_LINKS:
        raise ValidationError(f"At most {MAX_LINKS} links, one a line (you gave {len(links)}).")
    for number, link in enumerate(links, start=1):
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 300:
            raise ValidationError(f"Link {number} (“{link[:60]}”) is not a web address starting with https://.")
    return "\n".join(links)


def save_profile(user, *, public, suggestible, ask_me_about="", links=""):
    """Save what `user` shares. Being suggested shows the profile, so it needs `public`;
    turning `public` off also turns off suggestions and leaves the queue and any match
    waiting for answers (people.matching)."""
    from people import matching  # the queue reads profiles; profiles call back to it on opt-out

    if public and not user.display_name.strip():
        raise ProfileError("A public profile needs a display name: set one on your profile page first.")
    if suggestible and not public:
        raise ProfileError("Being suggested to others shows your profile: make it public too, or leave both off.")
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        profile.public = bool(public)
        profile.suggestible = bool(suggestible)
        profile.ask_me_about = " ".join(ask_me_about.split())[:300]
        profile.links = clean_links(links)
        profile.save()
    if not profile.suggestible:
        matching.withdraw(user)
    return profile


def papers_by_user(user_ids):
    """{user_id: [Paper, …]} for these users: the papers naming one of their verified
    addresses as an author's. Three queries, whatever the number of users."""
    emails = defaultdict(set)
    for user_id, email in verified_address_rows().filter(user_id__in=user_ids).values_list("user_id", "email"):
        emails[email.lower()].add(user_id)
    if not emails:
        return {}
    found = defaultdict(dict)
    rows = (
        Authorship.objects.alias(address=Lower("author__email"))
        .filter(address__in=list(emails))
        .select_related("paper", "author")
        .only("author__email", "paper__uid", "paper__title")
        .order_by("paper__title")
    )
    for authorship in rows:
        for user_id in emails[authorship.author.email.lower()]:
            found[user_id][authorship.paper.uid] = authorship.paper
    return {user_id: list(papers.values()) for user_id, papers in found.items()}


def authors_profiles(paper):
    """The public profiles of `paper`'s authors. Every render of a paper page asks, and few
    authors have an account: their accounts are found first, by two small queries, and
    the profiles read only when there are any (one query of subqueries cost the ORM
    three times as much to build, a tenth of the page's render)."""
    emails = {email.lower() for email in Authorship.objects.filter(paper=paper).values_list("author__email", flat=True)}
    emails.discard("")
    users = list(verified_address_rows().filter(email__in=emails).values_list("user_id", flat=True)) if emails else []
    if not users:
        return []
    return list(public_profiles().filter(user_id__in=users).order_by("user__display_name", "user_id"))


def paper_uids_of(user):
    return set(Paper.objects.filter(pk__in=authorships_of(user).values("paper_id")).values_list("uid", flat=True))


def suggestions(user, limit=8):
    """People who opted in to being suggested and share an interest with `user` (most
    shared first), never across a block either way. Two queries."""
    from people.models import Block

    mine = {t.lower() for t in user.interest_list}
    if not mine:
        return []
    query = Q()
    for topic in sorted(mine)[:20]:
        query |= Q(user__interests__icontains=topic)
    blocked = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list("blocker_id", "blocked_id")
    hidden = {pk for pair in blocked for pk in pair}
    candidates = public_profiles().filter(query, suggestible=True).exclude(user=user).exclude(user_id__in=hidden)
    scored = []
    for profile in candidates[:500]:
        shared = mine & {t.lower() for t in profile.user.interest_list}
        if shared:
            scored.append((-len(shared), profile.user.display_name.lower(), profile, sorted(shared)))
    scored.sort(key=lambda row: row[:2])
    return [{"profile": p, "user": p.user, "shared": shared} for _, _, p, shared in scored[:limit]]
