"""Demo content for meeting people (`manage.py seed_demo`, called from portal.demo): the
demo attendee and author share a profile, a few generated attendees too, and the stream
has a running order today. Safe to run twice."""

from datetime import UTC, datetime, time, timedelta

from people.models import Profile, StreamSegment
from portal.models import RegisteredEmail, User
from posters.models import Paper

DEMO_PEOPLE = (
    ("Bea Bayes", "Tübingen AI Centre", "probabilistic models, fairness", "Variational inference on a budget"),
    ("Carl Conv", "Lyon Robotics Lab", "robotics, reinforcement learning", "Sim-to-real transfer"),
    ("Dana Data", "Nairobi ML Group", "fairness, datasets, evaluation", "Building datasets people can trust"),
    ("Eli Embed", "Seoul NLP Institute", "language models, representation learning", "Tokenisers, honestly"),
)
DOMAIN = "people.demo.example.org"  # not the demo accounts' domain: these never log in
SEGMENT_TITLE_PREFIX = "Demo: "


def _share(user, interests, ask_me_about):
    if user.interests != interests:
        user.interests = interests
        user.save(update_fields=["interests"])
    values = {"public": True, "suggestible": True, "ask_me_about": ask_me_about}
    profile = Profile.objects.filter(user=user).first()
    if profile is None or any(getattr(profile, k) != v for k, v in values.items()):
        Profile.objects.update_or_create(user=user, defaults=values)


def seed_people(first_day, accounts_by_role):
    from allauth.account.models import EmailAddress

    attendee = accounts_by_role.get("attendee")
    if attendee is not None:
        _share(attendee, "fairness, optimisation", "Fair ranking and how to measure it")
    author = accounts_by_role.get("author")
    if author is not None:
        _share(author, "representation learning, robustness", "My poster: ask about the ablations")
    for number, (name, affiliation, interests, ask) in enumerate(DEMO_PEOPLE, start=1):
        email = f"person{number}@{DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, display_name=name, affiliation=affiliation)
            user.set_unusable_password()  # never logs in: someone to find and meet
            user.save()
        verified = {"verified": True, "primary": True}
        if not EmailAddress.objects.filter(user=user, email=email, **verified).exists():
            EmailAddress.objects.update_or_create(user=user, email=email, defaults=verified)
        RegisteredEmail.objects.get_or_create(email=email, defaults={"name": name, "source": "seed_demo"})
        _share(user, interests, ask)
    _running_order(first_day)


def _running_order(first_day):
    """Today's stream: a welcome, a poster spotlight of the first demo paper, a livestream segment."""
    from people.stream import fill_next_session

    paper = Paper.objects.filter(uid__startswith="demo-").order_by("uid").first()
    start = datetime.combine(first_day, time(0, 0), tzinfo=UTC)
    rows = [("livestream", "Welcome and what's on today", 0, 1, "", "The organisers walk through the day.")]
    if paper is not None:
        title = f"Spotlight: {paper.title}"[:280]
        rows.append(("spotlight", title, 1, 2, f"paper:{paper.uid}", "Two minutes on a poster."))
    rows.append(("livestream", "Highlights from the poster sessions", 2, 24, "", "Clips and conversations, all day."))
    wanted = []
    for kind, title, from_hour, to_hour, key, note in rows:
        segment = StreamSegment(
            kind=kind,
            title=f"{SEGMENT_TITLE_PREFIX}{title}"[:300],
            start=start + timedelta(hours=from_hour),
            end=start + timedelta(hours=to_hour),
            subject_key=key,
            note=note,
        )
        fill_next_session(segment)
        wanted.append(segment)
    fields = ("kind", "title", "start", "end", "subject_key", "note", "session_id")
    existing = list(StreamSegment.objects.filter(title__startswith=SEGMENT_TITLE_PREFIX).order_by("start"))
    if [tuple(getattr(s, f) for f in fields) for s in existing] != [
        tuple(getattr(s, f) for f in fields) for s in wanted
    ]:
        StreamSegment.objects.filter(pk__in=[s.pk for s in existing]).delete()
        StreamSegment.objects.bulk_create(wanted)
