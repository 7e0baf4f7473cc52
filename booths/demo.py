"""Demo booths for `seed_demo` (portal/demo.py): one or two of each public kind, with slots
at three hours of each conference day (so one is open for someone in most zones) and an
all-day social. Idempotent: keyed by slug; the demo owns the slots it made."""

from datetime import UTC, datetime, timedelta

from booths.models import Booth
from schedule.models import Session

DEMO_BOOTHS = [
    ("demo-acme-ai", Booth.Kind.SPONSOR, "Acme AI", "Meet Acme's research team and its recruiters.", False),
    ("demo-invited-open-problems", Booth.Kind.INVITED, "Open problems in learning", "A curated booth.", False),
    ("demo-workshop-climate", Booth.Kind.WORKSHOP, "Climate Change AI workshop", "The workshop goes on.", False),
    ("demo-affinity-queer-in-ai", Booth.Kind.AFFINITY, "Queer in AI", "Meet the affinity group.", False),
    ("demo-social-board-games", Booth.Kind.SOCIAL, "Board games social", "Bring a game.", False),
    ("demo-social-coffee", Booth.Kind.SOCIAL, "Coffee corner", "Drop in any time.", True),
]
HOURS = (2, 10, 17)


def seed_booths(first_day, days, host=None):
    """Create or update the demo booths; writes nothing when they are as wanted."""
    created = 0
    for slug, kind, name, description, all_day in DEMO_BOOTHS:
        values = {
            "kind": kind,
            "status": Booth.Status.APPROVED,
            "name": name,
            "description": description,
            "all_day": all_day,
            "call_link": f"https://meet.jit.si/demo-{slug}",
        }
        booth = Booth.objects.filter(slug=slug).first()
        if booth is None:
            booth = Booth.objects.create(slug=slug, **values)
            created += 1
        elif any(getattr(booth, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(booth, k, v)
            booth.save()
        if host is not None and not booth.hosts.filter(pk=host.pk).exists():
            booth.hosts.add(host)
        span = timedelta(hours=24) if all_day else timedelta(hours=1)
        wanted = {
            (start, start + span)
            for d in range(days)
            for h in ((0,) if all_day else HOURS)
            for start in [
                datetime.combine(first_day + timedelta(days=d), datetime.min.time(), UTC) + timedelta(hours=h)
            ]
        }
        # Slot n of a booth keeps its uid, so a later first day moves it (SEQUENCE goes up).
        spans = sorted(wanted)
        uids = [f"booth-demo:{slug}:{n}" for n in range(len(spans))]
        have = {session.uid: session for session in booth.slots.all()}
        stale = [session.pk for uid, session in have.items() if uid not in uids]
        if stale:
            booth.slots.filter(pk__in=stale).delete()
        for uid, (start, end) in zip(uids, spans, strict=True):
            session = have.get(uid)
            if session is None:
                session = Session.objects.create(
                    uid=uid,
                    kind=Session.Kind.BOOTH_SLOT,
                    title=f"{name} (booth)",
                    start=start,
                    end=end,
                    url=booth.get_absolute_url(),
                )
                booth.slots.add(session)
            elif (session.start, session.end) != (start, end):
                session.start, session.end = start, end
                session.save()
    return created
