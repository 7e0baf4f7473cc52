"""A keynote's live Q&A over real websockets on loopback, against the production topology.

Starts `deploy/start.sh ws` (uvicorn, the production command and flags) serving
portal.asgi with channels_redis and PostgreSQL, opens WATCHERS sockets to one keynote's
Q&A (`/ws/keynotes/bench-qa/qa/`, anonymous, as most of a crowd is), then for DURATION
seconds asks QUESTIONS/s and casts VOTES/s from registered attendees' sockets (each
person votes once per question, askers stay under the real rate limit), and reports:

  - lost: clients whose final vote count of some question differs from the database's
    (after a settling pause): every client must end equal to the database;
  - p50/p99 from a vote (sent) to the coalesced `question.votes` frame that carries it,
    as seen by a sample of clients (at most one frame per question per 250 ms), which
    read in a process of their own: in one interpreter with the other 1,950 watchers, a
    timed client's frame waited behind theirs (a browser reads only its own socket);
  - frames: `question.votes` frames a client received, against votes cast;
  - the server's CPU and memory; the clients' CPU (they share the machine);
  - and, in-process after the run (every question asked on the page), the render rate of
    the keynote page against a paper page (Django only, no cache: nginx serves both from
    its cache alike).

It writes to the database named in DATABASE_URL: give it one of its own, e.g.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE keynote_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keynote_bench REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/keynote_qa.py --watchers 2000 --questions 2 --votes 100 --duration 60

Small scale first: --watchers 100 --duration 10.
"""

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from chat_fanout import Server, percentile  # noqa: E402  (a sibling script: the same server wrapper)

SLUG = "bench-qa"
MAX_WATCHERS = 6000
MAX_DURATION = 120
SAMPLE = 50  # clients whose every frame is timed (all clients are checked for losses)


def setup_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()


def prepare(voters, askers, seed_questions):
    """Migrate; the bench keynote open now, its first questions, the people and their sessions."""
    setup_django()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from keynotes.models import Keynote, Question, Speaker
    from portal.models import RegisteredEmail, User
    from schedule.models import Session

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    Keynote.objects.filter(slug=SLUG).delete()
    Session.objects.filter(uid="bench-qa").delete()
    qa = Session.objects.create(
        uid="bench-qa",
        kind=Session.Kind.KEYNOTE_QA,
        title="Bench Q&A",
        start=now - timedelta(minutes=5),
        end=now + timedelta(hours=2),
    )
    keynote = Keynote.objects.create(slug=SLUG, title="Benchmarking the Q&A", qa_session=qa)
    Speaker.objects.create(keynote=keynote, name="Bench Speaker")
    # Open now whatever the release rule says (an organiser's early release).
    from schedule.recordings.models import Recording

    Recording.objects.filter(subject_key=keynote.subject_key).update(release_override="early", released_at=now)

    def people(prefix, n):
        cookies = []
        for i in range(n):
            user, _ = User.objects.get_or_create(
                email=f"bench-{prefix}-{i}@example.org", defaults={"display_name": f"Bench {prefix} {i}"}
            )
            RegisteredEmail.objects.get_or_create(email=user.email)
            from allauth.account.models import EmailAddress

            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            session = SessionStore()
            session["_auth_user_id"] = str(user.pk)
            session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
            session["_auth_user_hash"] = user.get_session_auth_hash()
            session.create()
            cookies.append(session.session_key)
        return cookies

    voter_cookies, asker_cookies = people("voter", voters), people("asker", askers)
    author = User.objects.get_or_create(email="bench-seed@example.org", defaults={"display_name": "Bench seed"})[0]
    Question.objects.bulk_create(
        [
            Question(keynote=keynote, author=author, body=f"Seed question {i}?", created_at=now)
            for i in range(seed_questions)
        ]
    )
    # A paper page to compare with: a paper with two authors in a poster session.
    from posters.models import Author, Authorship, Paper, PosterSlot

    paper, created = Paper.objects.get_or_create(
        uid="bench-paper", defaults={"title": "A paper to compare with", "abstract": "We compare pages. " * 40}
    )
    if created:
        for position, name in enumerate(("Ada Bench", "Bob Bench")):
            author, _ = Author.objects.get_or_create(name=name, defaults={"slug": name.lower().replace(" ", "-")})
            Authorship.objects.create(paper=paper, author=author, position=position)
        poster = Session.objects.create(
            uid="bench-poster", kind=Session.Kind.POSTER, title="Bench posters", start=now, end=now + timedelta(hours=2)
        )
        PosterSlot.objects.create(paper=paper, session=poster, call_link="https://video.example.org/j/bench")
    return voter_cookies, asker_cookies


def database_counts():
    from keynotes.models import Question

    return dict(Question.objects.filter(keynote__slug=SLUG, status="visible").values_list("pk", "votes"))


def page_rates(n=100):
    """Renders per second of the keynote page and of a paper page (in-process, no cache)."""
    from django.test import Client

    from keynotes.models import Question
    from posters.models import Paper

    client = Client()
    paper = Paper.objects.filter(uid="bench-paper").first()
    questions = Question.objects.filter(keynote__slug=SLUG, status="visible").count()
    pages = {f"keynote page ({questions} questions)": f"/keynotes/{SLUG}/"}
    if paper is not None:
        pages["paper page"] = f"/papers/{paper.uid}/"
    for url in pages.values():
        client.get(url)
    # In turns, so that both see the same machine.
    spent = dict.fromkeys(pages, 0.0)
    for _ in range(5):
        for name, url in pages.items():
            started = time.perf_counter()
            for _ in range(n // 5):
                if client.get(url).status_code != 200:
                    raise RuntimeError(f"{url} did not answer 200")
            spent[name] += time.perf_counter() - started
    return {name: (n // 5 * 5) / seconds for name, seconds in spent.items()}


async def connect(url, cookie=None, timeout=120):
    import websockets

    headers = {"Cookie": f"sessionid={cookie}"} if cookie else None
    ws = await websockets.connect(
        f"ws://{url}/ws/keynotes/{SLUG}/qa/",
        origin="http://127.0.0.1",
        additional_headers=headers,
        open_timeout=timeout,
        max_queue=None,
        ping_interval=None,
    )
    state = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    if state.get("type") != "qa.state":
        raise RuntimeError(f"expected qa.state, got {state.get('type')}")
    return ws, state


class Watcher:
    def __init__(self, ws, state, timed):
        self.ws = ws
        self.counts = {q["id"]: q["votes"] for q in state["questions"]}
        self.versions = {q["id"]: q["votes_version"] for q in state["questions"]}
        self.timed = timed
        self.seen = []  # (question, count, time) for timed clients
        self.frames = 0

    async def listen(self):
        try:
            async for raw in self.ws:
                received = time.time()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "question.votes":
                    self.frames += 1
                    for key, count in frame["votes"].items():
                        version = frame["versions"][key]
                        if version >= self.versions.get(int(key), 0):  # frames may cross: keep the newest
                            self.counts[int(key)], self.versions[int(key)] = count, version
                        if self.timed:
                            self.seen.append((int(key), count, received))
                elif kind in ("question.new", "question.updated"):
                    question = frame["question"]
                    if question["votes_version"] >= self.versions.get(question["id"], 0):
                        self.counts[question["id"]] = question["votes"]
                        self.versions[question["id"]] = question["votes_version"]
        except Exception:  # noqa: BLE001, S110  (closed at the end)
            pass


async def open_many(url, n, cookies=None, batch=250):
    opened = []
    for start in range(0, n, batch):
        size = min(batch, n - start)
        results = await asyncio.gather(
            *(connect(url, cookies[start + i] if cookies else None) for i in range(size)), return_exceptions=True
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            print(f"  connect: {len(errors)} failed, e.g. {errors[0]!r}", file=sys.stderr)
        opened += [r for r in results if not isinstance(r, BaseException)]
    return opened


async def act(url, voter_cookies, asker_cookies, questions_rate, votes_rate, duration, seed_ids):
    """Ask and vote at the rates; returns (votes [(question, count after, sent time)], asked, refused)."""
    voters = await open_many(url, len(voter_cookies), voter_cookies)
    askers = await open_many(url, len(asker_cookies), asker_cookies)
    questions = list(seed_ids)
    voted = set()
    votes, pending, acks = [], {}, []
    refused = {"ask": 0, "vote": 0}
    asked = 0

    async def read(ws, index):
        nonlocal asked
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "question.ack":
                    if frame["action"] == "vote":
                        sent = pending.pop((index, frame["id"]), None)
                        if sent is not None:
                            votes.append((frame["id"], frame["votes"], sent))
                            acks.append(time.time() - sent)
                    elif frame["action"] == "ask":
                        asked += 1
                        questions.append(frame["id"])
                elif frame.get("type") == "error":
                    kind = "ask" if (frame.get("client_id") or "").startswith("ask") else "vote"
                    refused[kind] += 1
                    refused.setdefault("first", frame.get("detail"))
                elif frame.get("type") == "question.new" and frame["question"]["id"] not in questions:
                    questions.append(frame["question"]["id"])
        except Exception:  # noqa: BLE001, S110
            pass

    readers = [asyncio.create_task(read(ws, i)) for i, (ws, _) in enumerate(voters)]
    readers += [asyncio.create_task(read(ws, -1 - i)) for i, (ws, _) in enumerate(askers)]
    rng = random.Random(16)  # a reproducible plan
    asks = failed_sends = 0
    events = sorted(
        [(i / votes_rate, "vote") for i in range(int(votes_rate * duration))]
        + [(i / questions_rate, "ask") for i in range(int(questions_rate * duration))]
    )
    started = time.monotonic()
    for number, (at, kind) in enumerate(events):
        delay = started + at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if kind == "ask":
            ws = askers[asks % len(askers)][0]
            asks += 1
            try:
                await ws.send(
                    json.dumps(
                        {"type": "question.ask", "body": f"Bench question {number}?", "client_id": f"ask{number}"}
                    )
                )
            except Exception:  # noqa: BLE001  (closed by the server: counted, not fatal)
                failed_sends += 1
            continue
        for _ in range(20):
            index, question = rng.randrange(len(voters)), rng.choice(questions)
            if (index, question) not in voted:
                break
        else:
            continue
        voted.add((index, question))
        pending[(index, question)] = time.time()
        try:
            await voters[index][0].send(json.dumps({"type": "question.vote", "id": question}))
        except Exception:  # noqa: BLE001  (closed by the server: counted, not fatal)
            failed_sends += 1
            voted.discard((index, question))
            pending.pop((index, question), None)
    await asyncio.sleep(3)
    for ws, _ in voters + askers:
        await ws.close()
    for reader in readers:
        reader.cancel()
    refused["failed sends"] = failed_sends
    return votes, asked, refused, len(voted), acks


def watch(url, count, timed, conn):
    """A process of watchers (its own interpreter and event loop), driven over `conn`."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    asyncio.run(_watch(url, count, timed, conn))


async def _watch(url, count, timed, conn):
    opened = await open_many(url, count)
    watchers = [Watcher(ws, state, timed) for ws, state in opened]
    listeners = [asyncio.create_task(w.listen()) for w in watchers]
    conn.send((len(watchers), sorted(watchers[0].counts) if watchers else []))
    loop = asyncio.get_running_loop()
    while True:
        command, argument = await loop.run_in_executor(None, conn.recv)
        if command == "usage":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            conn.send(usage.ru_utime + usage.ru_stime)
        elif command == "lost":  # argument: the database's counts
            conn.send(sum(1 for w in watchers if any(w.counts.get(q, 0) != n for q, n in argument.items())))
        elif command == "stop":
            for listener in listeners:
                listener.cancel()
            conn.send(([w.seen for w in watchers], [w.frames for w in watchers]))
            for watcher in watchers:
                await watcher.ws.close()
            return


class Watchers:
    """The watchers, in processes of their own: the timed sample alone in one (so a timed
    client's frame is not read behind a thousand others' in the same interpreter, as no
    browser's is), the rest split over `processes` more."""

    def __init__(self, url, count, processes):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        sample = min(SAMPLE, count)
        rest = count - sample
        shares = [(sample, True)] + [
            (rest // processes + (1 if i < rest % processes else 0), False) for i in range(processes)
        ]
        self.pipes, self.processes = [], []
        for share, timed in shares:
            if share:
                ours, theirs = context.Pipe()
                process = context.Process(target=watch, args=(url, share, timed, theirs), daemon=True)
                process.start()
                self.pipes.append(ours)
                self.processes.append(process)

    def opened(self):
        """(watchers opened, the question ids in the first state frame)."""
        answers = [pipe.recv() for pipe in self.pipes]
        return sum(n for n, _ in answers), answers[0][1]

    def ask(self, command, argument=None):
        for pipe in self.pipes:
            pipe.send((command, argument))
        return [pipe.recv() for pipe in self.pipes]

    def stop(self):
        answers = self.ask("stop")
        for process in self.processes:
            process.join(30)
        seen = answers[0][0]  # the timed sample's process comes first
        frames = answers[0][1]
        return seen, frames


async def run(args, voter_cookies, asker_cookies, env):
    server = Server("pubsub", args.workers, env)
    server.start()
    watchers = None
    try:
        watchers = Watchers(server.url, args.watchers, args.client_processes)
        opened, seed_ids = await asyncio.to_thread(watchers.opened)
        cpu_before, _ = server.usage()
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        watchers_before = sum(await asyncio.to_thread(watchers.ask, "usage"))
        wall = time.monotonic()
        votes, asked, refused, cast, acks = await act(
            server.url, voter_cookies, asker_cookies, args.questions, args.votes, args.duration, seed_ids
        )
        elapsed = time.monotonic() - wall
        cpu_after, rss = server.usage()
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        watchers_after = sum(await asyncio.to_thread(watchers.ask, "usage"))
        # The last windows close and their frames arrive: wait for them, 10 s at most.
        settle = time.monotonic()
        while True:
            await asyncio.sleep(1)
            truth = await asyncio.to_thread(database_counts)
            lost = sum(await asyncio.to_thread(watchers.ask, "lost", truth))
            if not lost or time.monotonic() - settle > 10:
                break
        settled = time.monotonic() - settle
        seen, frames = await asyncio.to_thread(watchers.stop)
        watchers = None
        latencies = []
        for watched in seen:
            by_question = {}
            for question, count, received in watched:
                by_question.setdefault(question, []).append((count, received))
            for question, count, sent in votes:
                arrival = next((r for c, r in by_question.get(question, []) if c >= count and r >= sent), None)
                if arrival is not None:
                    latencies.append(arrival - sent)
        client_cpu = client_after.ru_utime + client_after.ru_stime - client_before.ru_utime - client_before.ru_stime
        client_cpu += watchers_after - watchers_before
        return {
            "watchers": opened,
            "asked": asked,
            "votes": len(votes),
            "cast": cast,
            "refused": refused,
            "lost": lost,
            "p50": 1000 * percentile(latencies, 50),
            "p99": 1000 * percentile(latencies, 99),
            "frames": sum(frames) / max(1, len(frames)),
            "cpu": 100 * (cpu_after - cpu_before) / elapsed,
            "client_cpu": 100 * client_cpu / elapsed,
            "rss": rss,
            "settled": settled,
            "ack_p50": 1000 * percentile(acks, 50),
            "ack_p99": 1000 * percentile(acks, 99),
        }
    finally:
        if watchers is not None:
            for process in watchers.processes:
                process.kill()
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--watchers", type=int, default=2000)
    parser.add_argument("--questions", type=float, default=2)
    parser.add_argument("--votes", type=float, default=100)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--seed-questions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--client-processes",
        type=int,
        default=2,
        help="processes for the untimed watchers (the timed sample has one of its own)",
    )
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://... (a database of its own) and REDIS_URL=redis://...")
    if args.watchers > MAX_WATCHERS or args.duration > MAX_DURATION:
        sys.exit(f"bounded run: --watchers <= {MAX_WATCHERS} and --duration <= {MAX_DURATION}")
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    # Askers stay under the real limit (3 questions a minute each).
    askers = max(1, int(args.questions * 60 / 3) + 2)
    voter_cookies, asker_cookies = prepare(args.voters, askers, args.seed_questions)
    result = asyncio.run(run(args, voter_cookies, asker_cookies, dict(os.environ)))
    rates = page_rates()  # after the run: the keynote page with every question asked
    print(
        f"keynote Q&A: {args.workers} uvicorn workers, {os.cpu_count()} cores, loopback, "
        f"{args.duration:.0f} s at {args.questions:g} questions/s and {args.votes:g} votes/s"
    )
    print("| watchers | asked | votes acked/cast | lost | p50 ms | p99 ms | frames/client | server CPU% | RSS MiB |")
    print("|---------:|------:|-----------------:|-----:|-------:|-------:|--------------:|------------:|--------:|")
    r = result
    print(
        f"| {r['watchers']} | {r['asked']} | {r['votes']}/{r['cast']} | {r['lost']} | {r['p50']:.0f} | "
        f"{r['p99']:.0f} | {r['frames']:.0f} | {r['cpu']:.0f} | {r['rss']:.0f} |"
    )
    print(f"vote to its ack (the voter's own answer): p50 {r['ack_p50']:.0f} ms, p99 {r['ack_p99']:.0f} ms")
    print(f"every client equal to the database {r['settled']:.1f} s after the last vote's ack window")
    print(f"refused: {r['refused']}; the clients' own CPU: {r['client_cpu']:.0f}% (they share the machine)")
    print("| page (Django render, no cache) | renders/s |")
    print("|---|---:|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:.0f} |")


if __name__ == "__main__":
    main()
