"""Seeds a bench database with N papers made from the ICLR 2020 texts (bench/read_path.py).

Titles, abstracts, keywords and author names come from ../shared/data (read at run time,
never copied), repeated with variations up to N; poster sessions, assignment and
discovery run as an import would run them, and a registered attendee
(bench@example.org, verified) gets bookmarks. Run by the benches in a child process whose
DATABASE_URL is the bench database:

    DATABASE_URL=postgres://.../read_path_bench_687 .venv/bin/python bench/seed_papers.py 687
"""

import json
import os
import random
import socket
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("PORTAL_SHARED_DATA", REPO.parent / "shared" / "data"))
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
sys.path.insert(0, str(REPO))


def log(message):
    print(message, file=sys.stderr, flush=True)


def seed(size):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from datetime import UTC, datetime, timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils.text import slugify

    from portal.models import Conference, RegisteredEmail, User
    from posters.assignment import assign_posters
    from posters.discovery import compute_discovery
    from posters.models import Author, Authorship, Bookmark, Keyword, Paper, PaperKeyword
    from schedule.models import Session

    call_command("migrate", verbosity=0)
    Conference.get()
    notes = json.loads((SHARED_DATA / "iclr2020/sitedata/papers.json").read_text())
    notes = list(notes.values()) if isinstance(notes, dict) else notes
    rng = random.Random(size)
    firsts = sorted({a.split()[0] for n in notes for a in n["content"]["authors"] if a.split()})
    lasts = sorted({a.split()[-1] for n in notes for a in n["content"]["authors"] if a.split()})
    started = time.perf_counter()
    authors, keywords, papers, links, tags = {}, {}, [], [], []
    for i in range(size):
        base, other = notes[i % len(notes)]["content"], rng.choice(notes)["content"]
        sentences = base.get("abstract", "").split(". ") + other.get("abstract", "").split(". ")[:2]
        title = base["title"] if i < len(notes) else f"{base['title']} ({rng.choice(other['title'].split())})"
        papers.append(
            Paper(uid=f"bench{i:06d}", title=title[:500], abstract=". ".join(sentences), tldr=base.get("TL;DR", ""))
        )
        names = (
            base["authors"]
            if i < len(notes)
            else [f"{rng.choice(firsts)} {rng.choice(lasts)}" for _ in range(rng.randint(1, 6))]
        )
        links.append(list(dict.fromkeys(n[:300] for n in names)))
        tags.append(list(dict.fromkeys(k[:200] for k in (base.get("keywords") or [])[:6])))
        for name in links[-1]:
            authors.setdefault(name, None)
        for name in tags[-1]:
            keywords.setdefault(name, None)
    used = set()

    def unique_slug(name):
        slug = slugify(name, allow_unicode=True)[:280] or "x"
        candidate, n = slug, 1
        while candidate in used:
            n += 1
            candidate = f"{slug}-{n}"
        used.add(candidate)
        return candidate

    Author.objects.bulk_create([Author(name=n, slug=unique_slug(n)) for n in authors], batch_size=5000)
    used.clear()
    Keyword.objects.bulk_create([Keyword(name=n, slug=unique_slug(n)) for n in keywords], batch_size=5000)
    Paper.objects.bulk_create(papers, batch_size=2000)
    author_ids = dict(Author.objects.values_list("name", "id"))
    keyword_ids = dict(Keyword.objects.values_list("name", "id"))
    paper_ids = dict(Paper.objects.values_list("uid", "id"))
    Authorship.objects.bulk_create(
        [
            Authorship(paper_id=paper_ids[p.uid], author_id=author_ids[name], position=pos)
            for p, names in zip(papers, links, strict=True)
            for pos, name in enumerate(names)
        ],
        batch_size=5000,
    )
    PaperKeyword.objects.bulk_create(
        [
            PaperKeyword(paper_id=paper_ids[p.uid], keyword_id=keyword_ids[name], position=pos)
            for p, names in zip(papers, tags, strict=True)
            for pos, name in enumerate(names)
        ],
        batch_size=5000,
    )
    monday = datetime(2020, 4, 27, tzinfo=UTC)
    for day in range(4):
        for n, hour in enumerate((5, 8, 12, 17, 20)):
            start = monday + timedelta(days=day, hours=hour)
            Session.objects.create(
                uid=f"bench-poster-{day}-{n}",
                kind=Session.Kind.POSTER,
                title=f"Day {day + 1} session {n + 1}",
                start=start,
                end=start + timedelta(hours=2),
            )
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    assign_posters()
    assigned = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("UPDATE posters_posterslot SET call_link = 'https://video.example.org/j/' || id")
        cursor.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    run = compute_discovery()
    discovery = time.perf_counter() - started
    user = User.objects.create_user("bench@example.org", "bench-password", display_name="Bench")
    # A registered attendee: their address on the list, and verified (portal.models.verified_addresses).
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    RegisteredEmail.objects.create(email=user.email)
    Bookmark.objects.bulk_create([Bookmark(user=user, paper_id=pid) for pid in list(paper_ids.values())[:40]])
    _report(
        user,
        {
            "seed_s": round(seeded, 1),
            "assign_s": round(assigned, 1),
            "discovery_s": round(discovery, 1),
            "discovery_method": run.method,
        },
    )


def _report(user, timings):
    """Print the bench's facts as one JSON line: a session cookie for `user`, the UIDs."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from posters.models import Paper, PosterSlot

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sample = list(Paper.objects.order_by("?").values_list("uid", flat=True)[:200])
    every = list(Paper.objects.order_by("uid").values_list("uid", flat=True))
    print(
        json.dumps(
            {
                "papers": Paper.objects.count(),
                "slots": PosterSlot.objects.count(),
                **timings,
                "cookie": f"sessionid={session.session_key}",
                "uids": sample,
                "all_uids": every,
            }
        )
    )


# --- Load ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_exists(name):
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    connection.close()
    return found


def recreate_database(name):
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return f"{POSTGRES}/{name}"


if __name__ == "__main__":
    seed(int(sys.argv[1]))
