"""The "booth" subject kind (`booth:<slug>`): what chat and the agenda ask about a booth.

An approved public booth is a public subject. A self-organised booth that is still open
is a *private* subject: its room is private and `may_enter` lets in its members only. A
proposed, declined or closed booth is no subject at all (no room opens for it).
"""

from django.db.models import Q
from django.utils import timezone

from booths.models import Booth, BoothMember
from schedule.subjects import Subject, register_subject_kind

KIND = "booth"


def _live(now):
    return Q(status=Booth.Status.APPROVED) & (
        ~Q(kind=Booth.Kind.SELF_ORGANISED) | Q(closed_at__isnull=True, closes_at__gt=now)
    )


def resolve(slugs):
    booths = Booth.objects.filter(_live(timezone.now()), slug__in=slugs).only("slug", "name", "kind")
    return [
        Subject(key=f"{KIND}:{b.slug}", title=b.name, url=b.get_absolute_url(), private=b.is_private) for b in booths
    ]


def may_enter(slug, user):
    return BoothMember.objects.filter(
        Q(booth__closed_at__isnull=True, booth__closes_at__gt=timezone.now()),
        booth__slug=slug,
        booth__kind=Booth.Kind.SELF_ORGANISED,
        user=user,
    ).exists()


def register():
    register_subject_kind(KIND, resolve, may_enter=may_enter)
