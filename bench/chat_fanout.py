"""Chat fan-out over real websockets on loopback, against the production topology.

Starts `deploy/start.sh ws` (the production command: uvicorn, N worker processes)
serving portal.asgi with channels_redis and PostgreSQL, then, for each channel layer
asked for (RedisChannelLayer "core", RedisPubSubChannelLayer "pubsub"):

  burst   N clients connect at once; how many were accepted, and how long it took;
  fanout  N clients in one room while one poster sends R messages/s for D seconds:
          delivery latency (post sent -> message.new received) p50/p99, messages lost;
  rooms   ROOMS rooms x L listeners each, R messages/s spread over them: p50/p99, lost;
  idle    N idle connections held: the server's memory.

Prints a table (clients, rate, p50, p99, lost, server CPU, server memory). Every loop is
bounded in count and time and talks to 127.0.0.1 only. It writes to the database named in
DATABASE_URL (its own rooms, users and messages): give it one of its own, e.g.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE chat_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chat_bench REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/chat_fanout.py --clients 1000 --rate 5 --duration 20

Small scale first: --clients 100 --duration 5 --scenarios burst,fanout.
"""

import argparse
import asyncio
import json
import math
import os
import re
import resource
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
MAX_CLIENTS = 6000
MAX_DURATION = 120
SEQ = re.compile(r"bench (\d+) (\d+\.\d+)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- server processes ---------------------------------------------------------------


class Server:
    def __init__(self, layer, workers, env):
        self.port = free_port()
        self.url = f"127.0.0.1:{self.port}"
        self.env = {
            **env,
            "CHANNEL_LAYER": layer,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "BIND": self.url,
            "WS_WORKERS": str(workers),
            "PATH": f"{REPO / '.venv/bin'}:{env.get('PATH', '')}",
        }
        self.workers = workers
        self.process = None

    def start(self):
        # The production command (deploy/start.sh ws), so its flags are what is measured.
        # BENCH_WS_ARGS: extra uvicorn flags for a comparison (e.g. --ws-per-message-deflate true).
        extra = os.environ.get("BENCH_WS_ARGS", "").split()
        command = ["bash", str(REPO / "deploy/start.sh"), "ws", "--no-access-log", "--ws-max-queue", "256", *extra]
        self.process = subprocess.Popen(command, cwd=REPO, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                time.sleep(1.0 + 0.5 * self.workers)  # let every worker import Django
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the ASGI server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def pids(self):
        """The server process and its workers (children, from /proc)."""
        pids = [self.process.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def usage(self):
        """(cpu seconds, resident MiB) summed over the server's processes."""
        ticks = os.sysconf("SC_CLK_TCK")
        cpu, rss = 0.0, 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                cpu += (int(fields[11]) + int(fields[12])) / ticks
                status = Path(f"/proc/{pid}/status").read_text()
                rss += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            except (OSError, AttributeError):
                continue
        return cpu, rss / 1024


# --- the database side: rooms, a poster and their session ----------------------------


def prepare(rooms, posters):
    """Migrate; create the bench rooms and `posters` registered users; return their session keys."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from chat.models import Room
    from chat.rooms import open_room
    from portal.models import RegisteredEmail, User

    call_command("migrate", verbosity=0, interactive=False)
    open_room("corridor")
    existing = set(Room.objects.filter(key__startswith="booth:bench-").values_list("key", flat=True))
    Room.objects.bulk_create(
        [
            Room(key=f"booth:bench-{i}", kind="booth", title=f"Bench room {i}")
            for i in range(rooms)
            if f"booth:bench-{i}" not in existing
        ]
    )
    cookies = []
    for i in range(posters):
        poster, _ = User.objects.get_or_create(
            email=f"bench-poster-{i}@example.org",
            defaults={"display_name": f"Bench poster {i}", "code_of_conduct_accepted_at": timezone.now()},
        )
        RegisteredEmail.objects.get_or_create(email=poster.email)
        session = SessionStore()
        session["_auth_user_id"] = str(poster.pk)
        session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
        session["_auth_user_hash"] = poster.get_session_auth_hash()
        session.create()
        cookies.append(session.session_key)
    return cookies


def posters_needed(rate, rooms):
    """Enough people that none exceeds the portal's default rate limit (5 posts in 10 s):
    the benchmark posts as a crowd would, under the real limit, not as one exempt user."""
    return max(rooms, math.ceil(rate * 10 / 4))


# --- clients ------------------------------------------------------------------------


async def connect(url, key, cookie=None, timeout=60):
    import websockets

    headers = {"Cookie": f"sessionid={cookie}"} if cookie else None
    ws = await websockets.connect(
        f"ws://{url}/ws/rooms/{key}/",
        origin="http://127.0.0.1",
        additional_headers=headers,
        open_timeout=timeout,
        max_queue=None,
        ping_interval=None,
    )
    state = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    if state.get("type") != "room.state":
        raise RuntimeError(f"expected room.state, got {state.get('type')}")
    return ws


async def burst(url, n):
    """Connect n clients at once; (accepted, failed, seconds, sockets)."""
    started = time.monotonic()
    results = await asyncio.gather(*(connect(url, "corridor") for _ in range(n)), return_exceptions=True)
    seconds = time.monotonic() - started
    sockets = [r for r in results if not isinstance(r, BaseException)]
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        print(f"  burst: {len(errors)} failed, e.g. {errors[0]!r}", file=sys.stderr)
    return len(sockets), len(errors), seconds, sockets


async def listen(ws, latencies, counts):
    """Record each bench message's delivery latency until the socket closes or is cancelled."""
    try:
        async for raw in ws:
            received = time.time()
            if '"message.new"' not in raw:
                continue
            found = SEQ.search(json.loads(raw)["message"]["html"])
            if found:
                seq = int(found.group(1))
                latencies.append(received - float(found.group(2)))
                counts[seq] = counts.get(seq, 0) + 1
    except Exception:  # noqa: BLE001, S110  (a closed socket ends this listener; what it missed is lost)
        pass


async def post_at_rate(url, cookies, keys, rate, duration):
    """Post `rate` messages/s for `duration` s: message `seq` goes to room keys[seq % rooms]
    from poster cookies[seq % posters] (each poster has one socket per room it posts to).
    Returns (sent, acked, refused)."""
    total = int(rate * duration)
    plan = dict.fromkeys(
        (seq % len(cookies), keys[seq % len(keys)]) for seq in range(min(total, math.lcm(len(cookies), len(keys))))
    )
    sockets = {}
    for batch in range(0, len(plan), 200):
        pairs = list(plan)[batch : batch + 200]
        opened = await asyncio.gather(*(connect(url, key, cookies[poster]) for poster, key in pairs))
        sockets.update(zip(pairs, opened, strict=True))
    acked = refused = 0

    async def read_acks(ws):
        nonlocal acked, refused
        try:
            async for raw in ws:
                kind = json.loads(raw).get("type")
                if kind == "message.ack":
                    acked += 1
                elif kind == "error":
                    refused += 1
        except Exception:  # noqa: BLE001, S110  (closed at the end of the run)
            pass

    readers = [asyncio.create_task(read_acks(ws)) for ws in sockets.values()]
    started = time.monotonic()
    for seq in range(total):
        delay = started + seq / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        key = keys[seq % len(keys)]
        frame = {"type": "message.post", "body": f"bench {seq} {time.time():.6f}", "client_id": uuid.uuid4().hex}
        await sockets[(seq % len(cookies), key)].send(json.dumps(frame))
    await asyncio.sleep(2)
    for ws in sockets.values():
        await ws.close()
    for reader in readers:
        reader.cancel()
    return total, acked, refused


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def fanout(server, cookies, listeners_per_room, keys, rate, duration):
    sockets = []
    for key in keys:
        results = await asyncio.gather(
            *(connect(server.url, key) for _ in range(listeners_per_room)), return_exceptions=True
        )
        sockets += [(key, r) for r in results if not isinstance(r, BaseException)]
    connected = len(sockets)
    latencies, counts = [], {}
    cpu_before, _ = server.usage()
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.monotonic()
    listeners = [asyncio.create_task(listen(ws, latencies, counts)) for _, ws in sockets]
    cookies = cookies[: posters_needed(rate, len(keys))]
    sent, acked, refused = await post_at_rate(server.url, cookies, keys, rate, duration)
    per_room = {key: sum(1 for k, _ in sockets if k == key) for key in keys}
    expected = sum(per_room[keys[seq % len(keys)]] for seq in range(sent))
    deadline = time.monotonic() + 8  # what has not arrived 8 s after the last post is lost
    while sum(counts.values()) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    for listener in listeners:
        listener.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    cpu_after, rss = server.usage()
    elapsed = time.monotonic() - wall
    cpu_percent = 100 * (cpu_after - cpu_before) / elapsed
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = client_after.ru_utime + client_after.ru_stime - client_before.ru_utime - client_before.ru_stime
    # The clients share the machine: if they are busy, latency is partly theirs.
    client_percent = 100 * client_cpu / elapsed
    duplicates = sum(max(0, n - per_room[keys[seq % len(keys)]]) for seq, n in counts.items())
    lost = expected - (sum(counts.values()) - duplicates)
    for _, ws in sockets:
        await ws.close()
    return {
        "clients": connected,
        "rate": rate,
        "p50": 1000 * percentile(latencies, 50),
        "p99": 1000 * percentile(latencies, 99),
        "lost": lost,
        "acked": f"{acked}/{sent}",
        "refused": refused,
        "cpu": cpu_percent,
        "rss": rss,
        "note": f"{len(cookies)} posters, {refused} refused, {duplicates} duplicates, client CPU {client_percent:.0f}%",
    }


def row(layer, scenario, result):
    return (
        f"| {layer:6} | {scenario:7} | {result.get('clients', ''):>7} | {result.get('rate', ''):>5} | "
        f"{result.get('p50', float('nan')):8.1f} | {result.get('p99', float('nan')):8.1f} | "
        f"{result.get('lost', ''):>6} | {result.get('acked', ''):>9} | {result.get('cpu', float('nan')):6.0f} | "
        f"{result.get('rss', float('nan')):8.0f} | {result.get('note', '')}"
    )


async def run_layer(layer, args, cookies, env):
    server = Server(layer, args.workers, env)
    server.start()
    rows = []
    try:
        if "burst" in args.scenarios:
            accepted, failed, seconds, sockets = await burst(server.url, args.clients)
            _, rss = server.usage()
            rows.append(
                row(layer, "burst", {"clients": accepted, "rss": rss, "note": f"{failed} refused, {seconds:.1f} s"})
            )
            for ws in sockets:
                await ws.close()
            await asyncio.sleep(1)
        if "fanout" in args.scenarios:
            result = await fanout(server, cookies, args.clients, ["corridor"], args.rate, args.duration)
            rows.append(row(layer, "fanout", result))
        if "rooms" in args.scenarios:
            keys = [f"booth:bench-{i}" for i in range(args.rooms)]
            result = await fanout(server, cookies, args.listeners, keys, args.rooms_rate, args.duration)
            result["note"] = f"{args.rooms} rooms x {args.listeners}, {result['note']}"
            rows.append(row(layer, "rooms", result))
        if "idle" in args.scenarios:
            accepted, failed, seconds, sockets = await burst(server.url, args.idle)
            await asyncio.sleep(3)
            _, rss = server.usage()
            rows.append(row(layer, "idle", {"clients": accepted, "rss": rss, "note": f"{failed} refused"}))
            for ws in sockets:
                await ws.close()
    finally:
        server.stop()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", default="core,pubsub")
    parser.add_argument("--scenarios", default="burst,fanout,rooms,idle")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--rooms", type=int, default=700)
    parser.add_argument("--listeners", type=int, default=3)
    parser.add_argument("--rooms-rate", type=float, default=200)
    parser.add_argument("--idle", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.scenarios = set(args.scenarios.split(","))
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://... (a database of its own) and REDIS_URL=redis://...")
    for name in ("clients", "idle"):
        if getattr(args, name) > MAX_CLIENTS:
            sys.exit(f"--{name} is at most {MAX_CLIENTS}")
    if args.duration > MAX_DURATION or args.rooms * args.listeners > MAX_CLIENTS:
        sys.exit("bounded run: --duration <= 120 and --rooms x --listeners <= 6000")
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    rooms = args.rooms if "rooms" in args.scenarios else 0
    cookies = prepare(rooms, max(posters_needed(args.rate, 1), posters_needed(args.rooms_rate, rooms) if rooms else 0))
    env = dict(os.environ)
    print(f"chat fan-out: {args.workers} uvicorn workers, {os.cpu_count()} cores, loopback; times in ms")
    print("| layer  | scenario| clients |  rate |  p50 ms  |  p99 ms  |  lost  |   acked   |  CPU% | RSS MiB  | note")
    print("|--------|---------|---------|-------|----------|----------|--------|-----------|-------|----------|-----")
    for layer in args.layers.split(","):
        for line in asyncio.run(run_layer(layer, args, cookies, env)):
            print(line, flush=True)


if __name__ == "__main__":
    main()
