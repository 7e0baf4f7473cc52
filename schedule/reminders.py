"""Reminders of agenda items: an e-mail and an on-site notice a chosen number of minutes
before each item starts.

`send_due_reminders` runs every minute (Celery beat). It is idempotent: an item is
claimed by a conditional UPDATE of `reminded_at` inside the transaction that sends the
e-mail, so two workers never both send it, a failed send is retried next minute, and an
item whose session has started is never reminded.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.models import Conference
from portal.timezones import zone_or_none
from schedule.calendars import local_range_text
from schedule.models import AgendaItem, AgendaSettings

logger = logging.getLogger(__name__)

# The longest reminder anyone can choose; candidates are read within it.
LONGEST = timedelta(minutes=max(AgendaSettings.ReminderMinutes.values))


def default_minutes():
    return getattr(settings, "SCHEDULE_REMINDER_MINUTES", AgendaSettings.ReminderMinutes.FIFTEEN)


def base_url():
    return getattr(settings, "PORTAL_BASE_URL", "").rstrip("/") or "http://127.0.0.1:8000"


def recipient_zone(user, conference):
    """The zone a person's e-mails speak in: their profile's, else the conference's."""
    return zone_or_none(user.time_zone) or conference.zone


def due_items(now):
    """Items whose reminder time has come and whose session has not started, by user."""
    candidates = (
        AgendaItem.objects.filter(
            reminded_at__isnull=True,
            session__start__gt=now,
            session__start__lte=now + LONGEST,
        )
        .select_related("session", "user", "user__agenda_settings")
        .order_by("user_id", "session__start")
    )
    by_user = defaultdict(list)
    for item in candidates:
        preferences = getattr(item.user, "agenda_settings", None)
        minutes = preferences.reminder_minutes if preferences else default_minutes()
        if minutes and item.session.start - now <= timedelta(minutes=minutes) and item.user.is_active:
            by_user[item.user].append(item)
    return by_user


def _email(user, items, conference, now):
    zone = recipient_zone(user, conference)
    lines = [
        {
            "title": item.title,
            "session": item.session,
            "when": local_range_text(item.session, zone),
            "url": f"{base_url()}{item.session.get_absolute_url()}",
            "minutes": max(int((item.session.start - now).total_seconds() // 60), 0),
        }
        for item in items
    ]
    context = {
        "user": user,
        "lines": lines,
        "conference": conference,
        "zone": zone,
        "agenda_url": f"{base_url()}{reverse('schedule:my_agenda')}",
    }
    first = items[0]
    subject = (
        f"Starting soon: {first.title}" if len(items) == 1 else f"Starting soon: {len(items)} items in your agenda"
    )
    body = render_to_string("schedule/reminder_email.txt", context)
    return subject[:200], body


def send_due_reminders(now=None):
    """Send every due reminder once; the number of agenda items reminded."""
    now = now or timezone.now()
    conference = Conference.get()
    if conference.is_archived(now):
        return 0  # the archive reminds nobody of anything
    reminded = 0
    for user, items in due_items(now).items():
        preferences = getattr(user, "agenda_settings", None)
        with transaction.atomic():
            claimed = [
                item
                for item in items
                if AgendaItem.objects.filter(pk=item.pk, reminded_at__isnull=True, session__start__gt=now).update(
                    reminded_at=now
                )
            ]
            if not claimed:
                continue
            if (preferences is None or preferences.email_reminders) and user.email:
                subject, body = _email(user, claimed, conference, now)
                # A failure raises and rolls the claim back: the next run tries again.
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        reminded += len(claimed)
    if reminded:
        logger.info("Sent reminders for %d agenda items.", reminded)
    return reminded


def active_notices(user, now):
    """The on-site notices: reminded items not dismissed whose session has not ended."""
    if not user.is_authenticated:
        return []
    return list(
        AgendaItem.objects.filter(
            user=user, reminded_at__isnull=False, notice_dismissed_at__isnull=True, session__end__gt=now
        )
        .select_related("session")
        .order_by("session__start")
    )
