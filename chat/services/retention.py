"""Retention: each kind of room keeps its messages for a set time after the conference.

CHAT_RETENTION_DAYS maps a room kind to days after the conference's last day; None (or a
kind not listed) keeps messages for the archive. The Celery beat task runs it daily.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat.models import Message, ModerationAction
from portal.models import Conference

DEFAULT_RETENTION_DAYS = {"corridor": 14, "booth": 30, "paper": None, "keynote": None}


def retention_days():
    return getattr(settings, "CHAT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)


def apply_retention(now=None):
    """Delete the messages of every kind whose retention has run out; {kind: deleted}."""
    now = now or timezone.now()
    conference = Conference.get()
    # The conference's last day ends at midnight in its own zone.
    end = datetime.combine(conference.end_date + timedelta(days=1), time.min, tzinfo=conference.zone)
    deleted = {}
    for kind, days in sorted(retention_days().items()):
        if days is None or now < end + timedelta(days=days):
            continue
        with transaction.atomic():
            count, _ = Message.objects.filter(room__kind=kind, created_at__lt=end + timedelta(days=days)).delete()
            if count:
                ModerationAction.objects.create(
                    action=ModerationAction.Action.RETENTION, reason=f"{kind}: kept {days} days", detail={"kind": kind}
                )
        deleted[kind] = count
    return deleted
