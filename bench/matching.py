"""“Meet someone now” under load: people joining, answering and leaving the queue.

Runs the matching service (people/matching.py) as the sockets do, from a pool of worker
threads with a database connection each, against the database in DATABASE_URL (give it
one of its own; the script migrates it and deletes its own people when done):

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE people_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/people_bench .venv/bin/python bench/matching.py

N people (500) arrive at random over D seconds (60). Each wants to meet one person (or,
one in ten, two), with two of ten interests. When offered a match, each answers after
0.3-3 s: accepts (85 %), skips (10 %) or never answers (5 %: the offer expires after
PEOPLE_MATCH_ANSWER_SECONDS, set to 5 s here, by an expiry loop each second as the sockets
do). One in ten leaves the queue after waiting 5-20 s. Who has met (accepted) leaves.

A watcher notices each new match (polling every 20 ms). A match's latency is from the
moment its last member became available (joined, or was returned to the queue by a
partner's skip or an expiry) to the moment the watcher saw it: the bound asked is 1 s,
p99 under 2 s. It then checks that no one was ever in two open offers or two accepted
matches (a booth each).

Prints one table. Every loop is bounded in count and time; nothing leaves the machine.
"""

import argparse
import contextlib
import itertools
import os
import queue
import random
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TOPICS = ["fairness", "robotics", "optimisation", "vision", "language", "theory", "graphs", "rl", "audio", "health"]
EMAIL_DOMAIN = "matching-bench.example.org"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.PEOPLE_MATCH_ANSWER_SECONDS = 5
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_people(count, rng):
    from allauth.account.models import EmailAddress

    from people.models import Profile
    from portal.models import RegisteredEmail, User

    cleanup()
    users = User.objects.bulk_create(
        User(email=f"p{i}@{EMAIL_DOMAIN}", display_name=f"Person {i}", interests=", ".join(rng.sample(TOPICS, 2)))
        for i in range(count)
    )
    EmailAddress.objects.bulk_create(EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users)
    RegisteredEmail.objects.bulk_create(RegisteredEmail(email=u.email) for u in users)
    Profile.objects.bulk_create(Profile(user=u, public=True, suggestible=True) for u in users)
    return users


def cleanup():
    from booths.models import Booth
    from people.models import Match
    from portal.models import RegisteredEmail, User

    Match.objects.filter(seats__user__email__endswith=EMAIL_DOMAIN).delete()
    Booth.objects.filter(memberships__user__email__endswith=EMAIL_DOMAIN).delete()
    User.objects.filter(email__endswith=EMAIL_DOMAIN).delete()
    RegisteredEmail.objects.filter(email__endswith=EMAIL_DOMAIN).delete()


class Run:
    def __init__(self, users, duration, workers, rng):
        self.rng = rng
        self.users = {u.pk: u for u in users}
        self.duration = duration
        self.jobs = queue.PriorityQueue()
        self.workers = workers
        self.lock = threading.Lock()
        self.joined_at = {}  # user id -> monotonic time of their (first) join
        self.seen = {}  # match id -> monotonic time the watcher saw it
        self.answered = set()
        self.errors = []
        self.start = None
        self.stop = threading.Event()
        self.sequence = 0

    def at(self, delay, action, *args):
        with self.lock:
            self.sequence += 1
            self.jobs.put((time.monotonic() + delay, self.sequence, action, args))

    # --- actions (run by workers) ------------------------------------------------------

    def join(self, user_id):
        from people import matching

        user = self.users[user_id]
        size = 3 if self.rng.random() < 0.1 else 2
        with self.lock:
            self.joined_at.setdefault(user_id, time.monotonic())
        matching.join_queue(user, topic=self.rng.choice(TOPICS), group_size=size)
        if self.rng.random() < 0.1:
            self.at(self.rng.uniform(5, 20), self.leave, user_id)

    def leave(self, user_id):
        from people import matching

        matching.leave_queue(self.users[user_id])

    def answer(self, user_id, match_id):
        from people import matching
        from people.safety import MeetError

        roll = self.rng.random()
        if roll < 0.05:
            return  # never answers: the offer expires
        with contextlib.suppress(MeetError):  # the match ended meanwhile (a skip, an expiry)
            matching.answer(self.users[user_id], match_id, accept=roll < 0.90)

    def expire(self):
        from people import matching

        matching.expire_due()

    # --- threads ---------------------------------------------------------------------

    def worker(self):
        from django.db import connection

        try:
            while not self.stop.is_set():
                try:
                    due, _, action, args = self.jobs.get(timeout=0.05)
                except queue.Empty:
                    continue
                wait = due - time.monotonic()
                if wait > 0:
                    self.jobs.put((due, _, action, args))
                    time.sleep(min(wait, 0.01))
                    continue
                try:
                    action(*args)
                except Exception as exc:  # noqa: BLE001  (counted and reported, the run goes on)
                    self.errors.append(f"{action.__name__}: {type(exc).__name__}: {exc}")
        finally:
            connection.close()

    def watcher(self):
        from django.db import connection

        from people.models import Seat

        last = 0
        try:
            while not self.stop.is_set():
                rows = list(
                    Seat.objects.filter(match_id__gt=last).order_by("match_id").values_list("match_id", "user_id")
                )
                now = time.monotonic()
                for match_id, user_id in rows:
                    if match_id not in self.seen:
                        self.seen[match_id] = now
                    if (match_id, user_id) not in self.answered:
                        self.answered.add((match_id, user_id))
                        self.at(self.rng.uniform(0.3, 3.0), self.answer, user_id, match_id)
                    last = max(last, match_id)
                time.sleep(0.02)
        finally:
            connection.close()

    def expirer(self):
        from django.db import connection

        try:
            while not self.stop.is_set():
                self.at(0, self.expire)
                time.sleep(1.0)
        finally:
            connection.close()

    def go(self):
        self.start = time.monotonic()
        for user_id in self.users:
            self.at(self.rng.uniform(0, self.duration), self.join, user_id)
        threads = [threading.Thread(target=self.worker) for _ in range(self.workers)]
        threads += [threading.Thread(target=self.watcher), threading.Thread(target=self.expirer)]
        for thread in threads:
            thread.start()
        # Arrivals over `duration`, then time for the last answers and expiries.
        time.sleep(self.duration + 12)
        self.stop.set()
        for thread in threads:
            thread.join(30)


def report(run, wall_clock_start):
    """Latency of each match from its last member's availability; the two-rooms check."""
    from people.models import Match, QueueEntry, Seat

    to_monotonic = run.start - wall_clock_start  # wall clock (DB) -> this process's monotonic clock
    seats = list(Seat.objects.filter(user_id__in=list(run.users)).select_related("match").order_by("match_id"))
    by_match = {}
    for seat in seats:
        by_match.setdefault(seat.match_id, []).append(seat)
    returned_at = {}  # user id -> [monotonic times they were put back in the queue]
    for seat in seats:
        match = seat.match
        returned = match.status == Match.Status.SKIPPED or (match.status == Match.Status.EXPIRED and seat.accepted_at)
        if returned and match.closed_at and not seat.skipped_at:
            returned_at.setdefault(seat.user_id, []).append(match.closed_at.timestamp() + to_monotonic)
    latencies = []
    for match_id, members in by_match.items():
        seen = run.seen.get(match_id)
        if seen is None:
            continue
        available = []
        for seat in members:
            times = [run.joined_at.get(seat.user_id, run.start)]
            times += [t for t in returned_at.get(seat.user_id, []) if t <= seen]
            available.append(max(times))
        latencies.append(seen - max(available))
    accepted = {}
    for seat in seats:
        if seat.match.status == Match.Status.ACCEPTED:
            accepted[seat.user_id] = accepted.get(seat.user_id, 0) + 1
    two_rooms = sum(1 for n in accepted.values() if n > 1)
    # Open offers overlapping for one person (the database forbids it; counted to prove it).
    overlaps = 0
    spans = {}
    for seat in seats:
        end = seat.match.closed_at or seat.match.answer_by
        spans.setdefault(seat.user_id, []).append((seat.match.created_at, end))
    for intervals in spans.values():
        intervals.sort()
        overlaps += sum(1 for (_, e1), (s2, _) in itertools.pairwise(intervals) if s2 < e1)
    statuses = {}
    for members in by_match.values():
        statuses[members[0].match.status] = statuses.get(members[0].match.status, 0) + 1
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")

    print()
    print(
        f"{'people':>7} {'matches':>8} {'accepted':>9} {'skipped':>8} {'expired':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'max ms':>8} {'> 1 s':>6} {'met twice':>10} {'overlaps':>9} {'left waiting':>13} {'errors':>7}"
    )
    print(
        f"{len(run.users):>7} {len(latencies):>8} {statuses.get('accepted', 0):>9} {statuses.get('skipped', 0):>8}"
        f" {statuses.get('expired', 0):>8} {pct(50):>8.0f} {pct(99):>8.0f} {max(latencies, default=0) * 1000:>8.0f}"
        f" {sum(1 for x in latencies if x > 1):>6} {two_rooms:>10} {overlaps:>9}"
        f" {QueueEntry.objects.filter(user_id__in=list(run.users)).count():>13} {len(run.errors):>7}"
    )
    for error in run.errors[:5]:
        print("  error:", error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--keep", action="store_true", help="leave the bench's people in the database")
    args = parser.parse_args()
    if not 2 <= args.people <= 5000 or not 1 <= args.duration <= 600 or not 1 <= args.workers <= 32:
        parser.error("2-5000 people, 1-600 s, 1-32 workers")
    setup_django()
    rng = random.Random(args.seed)
    users = make_people(args.people, rng)
    run = Run(users, args.duration, args.workers, rng)
    wall_clock_start = time.time()
    run.go()
    report(run, wall_clock_start)
    if not args.keep:
        cleanup()


if __name__ == "__main__":
    main()
