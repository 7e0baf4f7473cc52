"""Who may meet whom: blocks, reports and the refusals every verb of this app shares.

A block works both ways for meeting (neither is matched with, introduced to or suggested
to the other) and hides the blocker's profile from the blocked person. A report goes to
the chat moderators' queue and audit log (chat.services.moderation.report_person).
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from chat.models import Sanction
from chat.services.messages import open_sanctions
from chat.services.moderation import report_person
from people.models import Block, Profile
from portal.models import Conference


class MeetError(Exception):
    """A refusal with a sentence to show and a reason code for clients."""

    def __init__(self, detail, reason="invalid"):
        super().__init__(detail)
        self.detail = detail
        self.reason = reason


def refusal(user, *, suggestible=True, profile=None):
    """Why `user` may not meet people now (a MeetError), or None.

    Meeting is for registered attendees who show a public profile (and, to be matched or
    suggested, opted in to suggestions), and not muted everywhere or banned."""
    if Conference.get().is_archived(timezone.now()):
        return MeetError("The conference is over: meeting people here has closed with it.", "archived")
    if user is None or not user.is_authenticated:
        return MeetError("Log in to meet people.", "login")
    if not user.is_registered:
        return MeetError(
            "Meeting people is for registered attendees: a verified e-mail of yours must be on the registration list.",
            "not_registered",
        )
    if profile is None or profile.pk is None:
        profile = Profile.objects.filter(user=user).only("public", "suggestible").first()
    if profile is None or not profile.public:
        return MeetError(
            "Turn on your public profile first (My people settings): others must see who you are.", "no_profile"
        )
    if suggestible and not profile.suggestible:
        return MeetError("Turn on “suggest me to others” in your people settings first.", "not_suggestible")
    for sanction in open_sanctions(user):
        if sanction.kind == Sanction.Kind.BAN:
            return MeetError("You are banned by the moderators, so you cannot meet people.", "banned")
        if sanction.room_id is None:
            return MeetError("You are muted by the moderators for now, so you cannot meet people.", "muted")
    return None


def check_may_meet(user, *, suggestible=True):
    problem = refusal(user, suggestible=suggestible)
    if problem is not None:
        raise problem


def blocked_pairs(user_ids):
    """{(a, b), (b, a)} for every block between any of these people (one query)."""
    pairs = set()
    rows = Block.objects.filter(Q(blocker_id__in=user_ids) | Q(blocked_id__in=user_ids)).values_list(
        "blocker_id", "blocked_id"
    )
    for a, b in rows:
        pairs.update({(a, b), (b, a)})
    return pairs


def is_blocked_between(a, b):
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def hidden_from(user):
    """Ids of the people whose profile `user` may not see (they blocked `user`)."""
    if not user.is_authenticated:
        return set()
    return set(Block.objects.filter(blocked=user).values_list("blocker_id", flat=True))


def blockers_among(author, user_ids):
    """The ids among `user_ids` who blocked `author` (chat asks before a mention)."""
    return Block.objects.filter(blocked=author, blocker_id__in=user_ids).values_list("blocker_id", flat=True)


def block(user, person):
    """`user` blocks `person`: also leaves any match between them and declines pending
    introductions either way."""
    from people import introductions, matching  # they read blocks; blocking ends what they hold

    if not user.is_authenticated:
        raise MeetError("Log in to block someone.", "login")
    if person.pk == user.pk:
        raise MeetError("You cannot block yourself.")
    try:
        with transaction.atomic():
            Block.objects.create(blocker=user, blocked=person)
    except IntegrityError:
        pass
    introductions.cancel_between(user, person)
    matching.end_matches_between(user, person)


def unblock(user, person):
    Block.objects.filter(blocker=user, blocked=person).delete()


def report(user, person, reason, detail=""):
    """Report `person` to the moderators (chat's queue; ChatError on bad input)."""
    return report_person(user=user, person=person, reason=reason, detail=detail)
