"""A deterministic synthetic conference for `make demo`, tests and benchmarks.

Everything is generated from a seed (never the real ICLR data). Dates are relative to
the day it runs, so something is live or next whenever someone starts the demo: the
workshop day is yesterday (UTC) and the four poster days start today. Papers and poster
slots are written through the importer services, keyed by UID, so running it twice
changes nothing.
"""

import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from booths.demo import seed_booths, seed_sponsors
from booths.importers import sync_workshop_booths
from keynotes.models import Keynote, Question, Speaker
from people.demo import seed_people
from portal.models import MODERATORS_GROUP, Conference, RegisteredEmail, User
from posters.importers import PaperRecord, PosterSlotRecord, poster_session_uid, save_papers, save_poster_slots
from posters.models import Author, Authorship, Paper, PosterSlot
from schedule.models import Session

DEFAULT_SEED = 2020
DEMO_PAPER_PREFIX = "demo-"
DEMO_SESSION_PREFIX = "demo:"
POSTER_DAYS = 4
# Poster sessions are two hours, five a day, spread so every zone has some in daytime (as ICLR 2020).
POSTER_BLOCK_STARTS_UTC = (5, 8, 12, 17, 20)
POSTER_HOURS = 2

# Word lists read better as text than as one-word-a-line literals.
FIRST_NAMES = (  # noqa: SIM905
    "Aiko Alejandro Amara Ananya Anders Aryan Aylin Beatriz Bilal Bo Camila Chen Chidi Chloé Dana Dmitri Elif"
    " Emeka Emma Fatima Felipe Freya Gabriel Hana Hamid Hiroshi Ibrahim Ines Ivan Jae Jakob Jia Joaquín Kai "
    "Kalani Kavya Kenji Khadija Kofi Lars Layla Leila Liam Lina Lucía Malik Mariam Mateo Mei Mihai Mina Nadia"
    " Naveen Nia Nikolai Noor Olga Omar Oskar Priya Rafael Ravi Rin Rosa Ruslan Sakura Samir Sara Sebastián "
    "Seo-yeon Shira Siddharth Sina Sofia Soren Tamar Tariq Thabo Tomás Uma Valentina Wei Xin Yara Yusuf "
    "Zainab Zhao Zoe"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Abadi Achterberg Adeyemi Agarwal Alvarez Andersen Aoki Bakker Banerjee Barros Becker Bergstrom "
    "Chatterjee Chowdhury Costa Dubois Eriksen Farouk Fernandes Fischer Fujita Garcia Ghosh Haddad Hansen "
    "Hashemi Horvat Huang Ibrahim Ivanova Jansen Jeong Kaplan Kariuki Kato Kim Kowalski Kumar Larsen Lefebvre"
    " Lindqvist Mahmoud Makarov Martins Mbeki Mendoza Mensah Moreau Murata Nakamura Novak Nowak Nguyen Obi "
    "Okafor Olsen Ortiz Osei Park Patel Petrov Popescu Quispe Rahman Reyes Rossi Sato Schmidt Sharma Silva "
    "Singh Sokolov Suzuki Tanaka Takahashi Tran Vargas Varga Volkov Wang Watanabe Weber Wójcik Yamamoto "
    "Yilmaz Zhang Zhou"
).split()
AUTHOR_ZONES = (  # noqa: SIM905
    "America/Los_Angeles America/New_York America/Toronto America/Sao_Paulo Europe/London Europe/Paris "
    "Europe/Berlin Africa/Lagos Africa/Nairobi Asia/Kolkata Asia/Singapore Asia/Shanghai Asia/Seoul "
    "Asia/Tokyo Australia/Sydney Pacific/Auckland"
).split()
METHOD_HEADS = (  # noqa: SIM905
    "Meta Graph Neuro Hyper Sparse Quant Flow Cross Auto Latent Proto Dyna Spectra Tempo Lumen"
).split()
METHOD_TAILS = "Net Former Mix Prop Match Align Diff Tune Scope Lens Fuse Bench".split()  # noqa: SIM905
ADJECTIVES = (  # noqa: SIM905
    "Scalable Robust Efficient Provable Adaptive Sparse Equivariant Differentiable Calibrated Contrastive "
    "Hierarchical Implicit Stochastic Federated Causal Interpretable Compositional Uncertainty-Aware "
    "Data-Efficient Continual"
).split()
MODELS = (  # noqa: SIM905
    "Transformers, Graph Neural Networks, Normalizing Flows, Diffusion Models, Recurrent Networks, "
    "Variational Autoencoders, Energy-Based Models, Neural ODEs, Language Models, Gaussian Processes, "
    "Mixtures of Experts, Convolutional Networks, Policy Networks, World Models, Kernel Machines"
).split(", ")
TASKS = (  # noqa: SIM905
    "Few-Shot Classification, Offline Reinforcement Learning, Image Segmentation, Machine Translation, "
    "Protein Structure Prediction, Molecule Generation, Program Synthesis, Speech Recognition, Anomaly "
    "Detection, Domain Adaptation, Time-Series Forecasting, Combinatorial Optimization, Question Answering, "
    "3D Reconstruction, Multi-Agent Coordination, Active Learning, Causal Discovery, Video Prediction, Link "
    "Prediction, Neural Architecture Search"
).split(", ")
PROPERTIES = (  # noqa: SIM905
    "Generalization, Implicit Bias, Loss Landscape, Sample Complexity, Expressive Power, Robustness, "
    "Calibration, Optimization Dynamics, Memorization, Transferability"
).split(", ")
TECHNIQUES = (  # noqa: SIM905
    "Contrastive Pre-training, Knowledge Distillation, Data Augmentation, Gradient Clipping, Label Smoothing,"
    " Weight Averaging, Curriculum Learning, Spectral Normalization, Random Features, Mixup, Pruning, "
    "Quantization, Self-Supervision, Meta-Learning, Sparse Attention"
).split(", ")
KEYWORDS = (  # noqa: SIM905
    "deep learning, reinforcement learning, representation learning, generative models, graph neural "
    "networks, optimization, robustness, adversarial examples, meta-learning, transformers, self-supervised "
    "learning, federated learning, interpretability, fairness, causal inference, continual learning, few-shot"
    " learning, natural language processing, computer vision, learning theory, generalization, bayesian "
    "inference, uncertainty estimation, model compression, pruning, quantization, contrastive learning, "
    "variational inference, normalizing flows, diffusion models, program synthesis, neural architecture "
    "search, domain adaptation, imitation learning, multi-agent systems, speech, time series, kernel methods,"
    " sparsity, privacy"
).split(", ")
TITLE_PATTERNS = (
    "{method}: {adj} {model} for {task}",
    "Towards {adj} {task} with {model}",
    "On the {prop} of {model}",
    "{adj} {model} via {tech}",
    "{tech} Improves {task}",
    "When Does {tech} Help {model}?",
    "A Theory of {prop} in {model}",
    "{method}: {tech} at Scale",
    "Rethinking {prop} in {task}",
)
ABSTRACT_SENTENCES = (
    "{model} have become a standard tool for {task_l}, yet their {prop_l} is poorly understood.",
    "Recent work on {task_l} relies on {tech_l}, which is costly and brittle in practice.",
    "We propose {method}, a {adj_l} approach that combines {tech_l} with {model_l}.",
    "Our analysis shows that {prop_l} is governed by the interplay of depth, width and data diversity.",
    "On {n} benchmarks, {method} improves accuracy by {x:.1f}% over strong baselines while using {y}x less compute.",
    "We further prove a bound on the {prop_l} of {model_l} under mild assumptions.",
    "Ablations show that each component of {method} matters, and that {tech_l} alone is not enough.",
    "Code and trained models are released to support future work on {task_l}.",
)
WORKSHOPS = (
    "Trustworthy Machine Learning",
    "Machine Learning for Climate",
    "Tiny Machine Learning",
    "Learning from Limited Labels",
)
SOCIALS = (
    "Mentoring meet-up for first-time attendees",
    "Open-source maintainers' corner",
    "Machine learning in developing regions",
    "Board games and chat",
)
CODE_OF_CONDUCT = """\
The Demo Conference is dedicated to a harassment-free experience for everyone, regardless of gender, gender \
identity and expression, age, sexual orientation, disability, physical appearance, body size, race, ethnicity, \
religion (or lack thereof) or technology choices.

Be kind and respectful in chat, in poster sessions and in Q&A. Harassment and abusive language are not tolerated \
in any form, in any venue of the conference, including the chat and video calls.

If you experience or witness unacceptable behaviour, use the report button on any chat message or write to \
the organisers at conduct@demo.example.org. The moderators may hide messages and remove participants.
"""
DEMO_DOMAIN = "demo.example.org"
DEMO_PASSWORD_ITERATIONS = 1000
# Demo accounts: (role, e-mail, display name, password). Printed by seed_demo; never use in production.
ACCOUNTS = (
    ("organiser", f"organiser@{DEMO_DOMAIN}", "Olu Organiser", "demo-organiser"),
    ("attendee", f"attendee@{DEMO_DOMAIN}", "Ada Attendee", "demo-attendee"),
    ("author", f"author@{DEMO_DOMAIN}", "", "demo-author"),
    ("moderator", f"moderator@{DEMO_DOMAIN}", "Mo Moderator", "demo-moderator"),
)


# --- Papers ----------------------------------------------------------------------------


def _author_pool(rng, size):
    """`size` distinct person names, each with a home time zone."""
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    initials = "ABCDEFGHJKLMNPRSTVW"
    names = []
    for index in range(size):
        first, last = pairs[index % len(pairs)]
        round_ = index // len(pairs)
        # Past the plain first/last pairs, middle initials keep the names distinct.
        middle = ""
        if round_:
            middle = f" {initials[(round_ - 1) % len(initials)]}." + (str(round_) if round_ > len(initials) else "")
        names.append(f"{first}{middle} {last}")
    return [(name, AUTHOR_ZONES[rng.randrange(len(AUTHOR_ZONES))]) for name in names]


def _title(rng, words):
    return rng.choice(TITLE_PATTERNS).format(**words)


def generate_papers(count, seed=DEFAULT_SEED):
    """`count` plausible, deterministic PaperRecords with UIDs demo-00001, demo-00002, …"""
    rng = random.Random(f"{seed}:papers")  # noqa: S311 -- reproducible demo data, not secrets
    pool = _author_pool(rng, max(50, count * 3 // 2))
    records = []
    for number in range(1, count + 1):
        uid = f"{DEMO_PAPER_PREFIX}{number:05d}"
        words = {
            "method": rng.choice(METHOD_HEADS) + rng.choice(METHOD_TAILS),
            "adj": rng.choice(ADJECTIVES),
            "model": rng.choice(MODELS),
            "task": rng.choice(TASKS),
            "prop": rng.choice(PROPERTIES),
            "tech": rng.choice(TECHNIQUES),
            "n": rng.randint(3, 12),
            "x": rng.uniform(0.5, 9.5),
            "y": rng.randint(2, 10),
        }
        words |= {f"{k}_l": words[k].lower() for k in ("adj", "model", "task", "prop", "tech")}
        picked_sentences = sorted(rng.sample(range(1, len(ABSTRACT_SENTENCES)), rng.randint(3, 5)))
        sentences = [ABSTRACT_SENTENCES[0], *(ABSTRACT_SENTENCES[i] for i in picked_sentences)]
        # Few authors are prolific: skew picks towards the front of the pool.
        size = rng.choices(range(1, 9), weights=(5, 15, 25, 25, 15, 8, 4, 3))[0]
        picked = []
        while len(picked) < size:
            author = pool[int(len(pool) * rng.random() ** 1.7)]
            if author not in picked:
                picked.append(author)
        records.append(
            PaperRecord(
                uid=uid,
                title=_title(rng, words),
                authors=[name for name, _zone in picked],
                author_time_zones=[zone for _name, zone in picked],
                abstract=" ".join(s.format(**words) for s in sentences),
                keywords=rng.sample(KEYWORDS, rng.randint(2, 5)),
                tldr=f"{words['method']} makes {words['task_l']} {words['adj_l']} through {words['tech_l']}."
                if rng.random() < 0.8
                else "",
                forum_url="",
                pdf_url="",
                code_url=f"https://code.example.org/demo/{uid}" if rng.random() < 0.5 else "",
                extra={},
                where=f"demo paper {uid}",
            )
        )
    return records


# --- Programme -------------------------------------------------------------------------


def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def poster_sessions(first_day):
    """[(name, start, end, block)] of the 20 poster sessions: five a day for four days."""
    sessions = []
    for day_index in range(POSTER_DAYS):
        day = first_day + timedelta(days=day_index)
        for block, hour in enumerate(POSTER_BLOCK_STARTS_UTC):
            start = _at(day, hour)
            sessions.append(
                (f"Day {day_index + 1} Session {block + 1}", start, start + timedelta(hours=POSTER_HOURS), block)
            )
    return sessions


def generate_poster_slots(paper_uids, first_day, seed=DEFAULT_SEED):
    """PosterSlotRecords: every paper in two sessions at different times of day, sessions balanced."""
    rng = random.Random(f"{seed}:slots")  # noqa: S311 -- reproducible demo data, not secrets
    sessions = poster_sessions(first_day)
    load = [0] * len(sessions)
    uids = list(paper_uids)
    rng.shuffle(uids)
    records = []
    for index, uid in enumerate(uids):
        first = index % len(sessions)
        # The second session is in another block, so authors in other zones can attend one of them.
        others = [i for i, s in enumerate(sessions) if s[3] != sessions[first][3]]
        second = min(others, key=lambda i: (load[i], rng.random()))
        for chosen in sorted((first, second)):
            load[chosen] += 1
            name, start, end, _block = sessions[chosen]
            records.append(
                PosterSlotRecord(
                    paper_uid=uid,
                    session_name=name,
                    start=start,
                    end=end,
                    call_link=f"https://video.example.org/j/{uid}-{slugify(name)}",
                    where=f"demo slot {uid} in {name}",
                )
            )
    return records


def programme(first_day, seed=DEFAULT_SEED):
    """The non-poster sessions as dicts (uid, kind, title, description, start, end, parent)."""
    rng = random.Random(f"{seed}:programme")  # noqa: S311 -- reproducible demo data, not secrets
    speakers = [name for name, _zone in _author_pool(rng, 40)[-12:]]
    workshop_day = first_day - timedelta(days=1)
    rows = []

    def add(uid, kind, title, start, end, description="", parent=None, call=False):
        rows.append(
            {
                "uid": DEMO_SESSION_PREFIX + uid,
                "kind": kind,
                "title": title,
                "description": description,
                "start": start,
                "end": end,
                "parent": parent and DEMO_SESSION_PREFIX + parent,
                "call_link": f"https://video.example.org/j/demo-{uid}" if call else "",
            }
        )

    # Workshops are spread over the day so every zone has one in its daytime.
    for number, (name, hour) in enumerate(zip(WORKSHOPS, (1, 7, 13, 18), strict=True), start=1):
        start = _at(workshop_day, hour)
        add(
            f"workshop-{number}",
            Session.Kind.WORKSHOP,
            f"Workshop: {name}",
            start,
            start + timedelta(hours=4),
            f"A half-day workshop on {name.lower()}: invited talks, contributed talks and a panel.",
            call=True,
        )
        for talk in range(3):
            talk_start = start + timedelta(minutes=15 + 75 * talk)
            add(
                f"workshop-{number}-talk-{talk + 1}",
                Session.Kind.WORKSHOP_TALK,
                f"{_title(rng, _words(rng))} ({speakers[(number * 3 + talk) % len(speakers)]})",
                talk_start,
                talk_start + timedelta(minutes=45),
                parent=f"workshop-{number}",
            )
    add(
        "opening",
        Session.Kind.OPENING,
        "Opening remarks",
        _at(first_day, 4),
        _at(first_day, 4, 45),
        "Welcome from the general chairs, how the virtual conference works, and the code of conduct.",
    )
    number = 0
    for day_index in range(POSTER_DAYS):
        day = first_day + timedelta(days=day_index)
        for hour in (10, 15):
            number += 1
            speaker = speakers[number - 1]
            start = _at(day, hour)
            add(
                f"keynote-{number}",
                Session.Kind.KEYNOTE,
                f"Keynote: {_title(rng, _words(rng))} ({speaker})",
                start,
                start + timedelta(minutes=40),
                f"A pre-recorded keynote by {speaker}, followed by a live Q&A.",
            )
            add(
                f"keynote-{number}-qa",
                Session.Kind.KEYNOTE_QA,
                f"Live Q&A with {speaker}",
                start + timedelta(minutes=45),
                start + timedelta(minutes=90),
                "Ask and vote on questions; a moderator picks them for the speaker.",
                parent=f"keynote-{number}",
            )
        add(
            f"social-{day_index + 1}",
            Session.Kind.SOCIAL,
            f"Social: {SOCIALS[day_index % len(SOCIALS)]}",
            _at(day, 22, 15),
            _at(day, 23, 30),
            "An informal video call; everyone is welcome.",
            call=True,
        )
    return rows


def _words(rng):
    return {
        "method": rng.choice(METHOD_HEADS) + rng.choice(METHOD_TAILS),
        "adj": rng.choice(ADJECTIVES),
        "model": rng.choice(MODELS),
        "task": rng.choice(TASKS),
        "prop": rng.choice(PROPERTIES),
        "tech": rng.choice(TECHNIQUES),
    }


def _save_sessions(rows):
    """Create or update the sessions by uid (the sequence goes up when one moves); drop stale demo ones."""
    existing = {s.uid: s for s in Session.objects.filter(uid__startswith=DEMO_SESSION_PREFIX)}
    saved = {}
    created = updated = 0
    for row in rows:
        session = existing.get(row["uid"])
        values = {k: v for k, v in row.items() if k not in ("uid", "parent")}
        values["parent"] = saved[row["parent"]] if row["parent"] else None
        if session is None:
            session = Session.objects.create(uid=row["uid"], **values)
            created += 1
        elif any(getattr(session, k) != v for k, v in values.items()):
            # Session.save() raises the iCalendar sequence itself when the times move.
            for k, v in values.items():
                setattr(session, k, v)
            session.save()
            updated += 1
        saved[row["uid"]] = session
    stale = [s.pk for uid, s in existing.items() if uid not in saved]
    Session.objects.filter(pk__in=stale).delete()
    return created, updated


# --- People and the conference ---------------------------------------------------------


@dataclass
class DemoAccount:
    role: str
    email: str
    password: str
    created: bool


@dataclass
class DemoResult:
    first_day: date
    papers: object  # PaperImportResult
    slots: object  # PosterSlotImportResult
    sessions_created: int
    sessions_updated: int
    accounts: list


def _ensure_account(role, email, display_name, password):
    user = User.objects.filter(email=email).first()
    created = user is None
    if created:
        user = User(email=email, display_name=display_name)
        hasher = get_hasher()
        if isinstance(hasher, PBKDF2PasswordHasher):
            # These passwords are printed for all to see, so the full hashing cost (0.7 s each)
            # buys nothing; Django re-hashes with the full cost at the first login.
            user.password = hasher.encode(password, hasher.salt(), iterations=DEMO_PASSWORD_ITERATIONS)
        else:
            user.set_password(password)
    values = {"display_name": display_name, "is_staff": role == "organiser", "is_superuser": role == "organiser"}
    if created or any(getattr(user, k) != v for k, v in values.items()) or not user.is_active:
        for k, v in values.items():
            setattr(user, k, v)
        user.is_active = True
        user.save()
    # Roles that come from an address need it verified (portal.models.verified_addresses);
    # the demo's addresses are printed, not mailed, so they are created verified.
    verified = {"verified": True, "primary": True}
    if not EmailAddress.objects.filter(user=user, email=email, **verified).exists():
        EmailAddress.objects.update_or_create(user=user, email=email, defaults=verified)
    return user, DemoAccount(role, email, password, created)


def _set_up_accounts(first_paper_uid):
    accounts = []
    first_author = (
        Authorship.objects.filter(paper__uid=first_paper_uid, position=0).select_related("author").first().author
    )
    for role, email, display_name, password in ACCOUNTS:
        user, account = _ensure_account(role, email, display_name or first_author.name, password)
        accounts.append(account)
        if role in ("attendee", "author", "moderator"):
            RegisteredEmail.objects.get_or_create(email=email, defaults={"name": user.name, "source": "seed_demo"})
        if role == "moderator" and not user.groups.filter(name=MODERATORS_GROUP).exists():
            user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
        if role == "author":
            others = list(Author.objects.filter(email=email).exclude(pk=first_author.pk).values_list("pk", flat=True))
            if others:
                Author.objects.filter(pk__in=others).update(email="")
            if first_author.email != email:
                first_author.email = email
                first_author.save(update_fields=["email"])
    return accounts


KEYNOTE_TITLE = re.compile(r"^Keynote: (?P<title>.+) \((?P<speaker>[^()]+)\)$")
DEMO_QUESTIONS = (
    "How would your approach change with ten times less data?",
    "Which result surprised you most while preparing this talk?",
    "What should a first-year PhD student read to get started?",
)


def _save_keynotes():
    """A Keynote for each demo keynote session, its live Q&A the session's child; a few
    questions from the demo attendee on the first one, so the Q&A has something to show."""
    made = []
    for talk in Session.objects.filter(uid__startswith=DEMO_SESSION_PREFIX, kind=Session.Kind.KEYNOTE).order_by(
        "start"
    ):
        match = KEYNOTE_TITLE.match(talk.title)
        if match is None:
            continue
        qa = talk.children.filter(kind=Session.Kind.KEYNOTE_QA).first()
        values = {"title": match["title"], "abstract": talk.description, "talk_session": talk, "qa_session": qa}
        keynote = Keynote.objects.filter(import_key=talk.uid).first()
        if keynote is None:
            slug = slugify(match["speaker"])[:70] or "keynote"
            if Keynote.objects.filter(slug=slug).exists():
                slug = f"{slug}-{talk.pk}"
            keynote = Keynote.objects.create(import_key=talk.uid, slug=slug, **values)
            Speaker.objects.create(
                keynote=keynote,
                name=match["speaker"],
                affiliation="Demo University",
                bio=f"{match['speaker']} works on the things this conference is about.",
            )
        elif any(getattr(keynote, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(keynote, k, v)
            keynote.save()
        made.append(keynote)
    attendee = User.objects.filter(email=ACCOUNTS[1][1]).first()
    if made and attendee is not None and not made[0].questions.exists():
        for number, body in enumerate(DEMO_QUESTIONS):
            Question.objects.create(
                keynote=made[0],
                author=attendee,
                body=body,
                anonymous=number == 2,
                created_at=made[0].qa_session.start - timedelta(hours=3 - number)
                if made[0].qa_session
                else timezone.now(),
            )
    return made


def _update_conference(first_day):
    conference = Conference.get()
    values = {
        "name": "Demo Conference",
        "short_name": "DemoConf",
        "start_date": first_day - timedelta(days=1),
        "end_date": first_day + timedelta(days=POSTER_DAYS - 1),
        "time_zone": "UTC",
        "release_time_zone": "Pacific/Auckland",
        "release_hour": 2,
        "code_of_conduct": CODE_OF_CONDUCT,
    }
    if any(getattr(conference, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(conference, k, v)
        conference.save()


def seed_demo(papers=700, seed=DEFAULT_SEED, first_day=None):
    """Create or update the demo conference; the first poster day is `first_day` (default: today, UTC)."""
    first_day = first_day or timezone.now().date()
    records = generate_papers(papers, seed)
    uids = [r.uid for r in records]
    with transaction.atomic():
        wanted = set(uids)
        stale = [
            pk
            for pk, uid in Paper.objects.filter(uid__startswith=DEMO_PAPER_PREFIX).values_list("pk", "uid")
            if uid not in wanted
        ]
        for start in range(0, len(stale), 900):
            Paper.objects.filter(pk__in=stale[start : start + 900]).delete()
        paper_result = save_papers(records)
        slots = generate_poster_slots(uids, first_day, seed)
        slot_result = save_poster_slots(slots)
        # The importer leaves alone the sessions a run does not name; the demo owns all its slots.
        wanted_slots = {(s.paper_uid, poster_session_uid(s.session_name)) for s in slots}
        stale = [
            pk
            for pk, paper_uid, session_uid in PosterSlot.objects.filter(
                paper__uid__startswith=DEMO_PAPER_PREFIX
            ).values_list("pk", "paper__uid", "session__uid")
            if (paper_uid, session_uid) not in wanted_slots
        ]
        if stale:
            PosterSlot.objects.filter(pk__in=stale).delete()
            slot_result.deleted += len(stale)
        created, updated = _save_sessions(programme(first_day, seed))
        accounts = _set_up_accounts(uids[0]) if uids else []
        _update_conference(first_day)
        _save_keynotes()
        host = User.objects.filter(email=f"attendee@{DEMO_DOMAIN}").first()
        seed_booths(first_day, POSTER_DAYS, host=host)
        seed_sponsors(first_day, recruiter=User.objects.filter(email=f"organiser@{DEMO_DOMAIN}").first())
        sync_workshop_booths()
        by_role = {a.role: User.objects.get(email=a.email) for a in accounts}
        seed_people(first_day, by_role)
    return DemoResult(first_day, paper_result, slot_result, created, updated, accounts)
