"""HTTP load for the benchmarks: `wrk` for saturation, a fixed-rate client for latency.

Shared by the bench scripts so they measure the same way:

- `saturation(base_url, targets, seconds)` runs `wrk` (closed loop: each of 16
  connections sends its next request when the last is answered) and returns requests/s
  and wrk's latency percentiles. wrk is C and costs the 2-core machine little; a Python
  client saturating the server was itself the limit (about 170 req/s on a trivial page).
- `fixed_rate(host, port, targets, seconds, rate)` is open loop: request i is due at
  i/rate and its latency counts from then, so a stall delays everything queued behind it
  and is counted (no coordinated omission). 200 req/s costs this client a few percent of
  a core, reported as `client_cpu`.

A target is a path, or (path, cookie header) to send a cookie with it.
"""

import asyncio
import gc
import multiprocessing
import os
import random
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

# Each line of BENCH_TARGETS is "path" or "path<TAB>cookie"; done() prints one parsable line.
WRK_SCRIPT = r"""
local targets = {}
for line in io.lines(os.getenv("BENCH_TARGETS")) do
  local path, cookie = line:match("^([^\t]*)\t?(.*)$")
  targets[#targets + 1] = {path = path, cookie = cookie}
end
request = function()
  local target = targets[math.random(#targets)]
  local headers = {}
  if target.cookie ~= "" then headers["Cookie"] = target.cookie end
  return wrk.format("GET", target.path, headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %.1f %.1f %.1f %.1f\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


@dataclass
class Result:
    """Throughput (req/s), latency percentiles (ms) and failures of one run."""

    rps: float
    p50: float
    p90: float
    p99: float
    max: float
    non_2xx: int = 0
    errors: int = 0
    load_average: float = 0.0  # 1-minute load average just before the run (others' work too)
    client_cpu: float = 0.0  # share of one core the client used (fixed rate only)


def _target(target):
    return (target, "") if isinstance(target, str) else target


def saturation(base_url, targets, seconds, connections=16, threads=1, timeout=None):
    """`wrk` against random targets for `seconds`; needs wrk on the PATH. wrk counts an
    answer slower than `timeout` seconds (its default: 2) as an error, not a latency."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as workdir:
        script = Path(workdir) / "targets.lua"
        script.write_text(WRK_SCRIPT)
        listing = Path(workdir) / "targets.txt"
        listing.write_text("".join(f"{path}\t{cookie}\n" for path, cookie in map(_target, targets)))
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                *([f"--timeout={timeout}s"] if timeout else []),
                "-s",
                str(script),
                base_url,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "BENCH_TARGETS": str(listing)},
            check=False,
        )
    if out.returncode:
        raise RuntimeError(f"wrk failed: {out.stderr or out.stdout}")
    line = next(line for line in out.stdout.splitlines() if line.startswith("BENCH "))
    requests, duration_us, non_2xx, errors, p50, p90, p99, longest = line.split()[1:]
    return Result(
        rps=int(requests) / (int(duration_us) / 1e6),
        p50=float(p50),
        p90=float(p90),
        p99=float(p99),
        max=float(longest),
        non_2xx=int(non_2xx),
        errors=int(errors),
        load_average=load_average,
    )


async def _get(host, port, path, cookie, timeout):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        extra = f"Cookie: {cookie}\r\n" if cookie else ""
        # Host with the port, as browsers and wrk send it (cached pages are keyed by host).
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}Connection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    return int(data[9:12]) if data.startswith(b"HTTP/1.") else 0


async def _fixed_rate(host, port, targets, seconds, rate, timeout):
    targets = [_target(t) for t in targets]
    latencies, failures = [], [0, 0]  # non-2xx, errors
    tasks = []

    async def one(due, path, cookie):
        try:
            status = await _get(host, port, path, cookie, timeout)
        except (OSError, TimeoutError):
            failures[1] += 1
            status = None
        latencies.append((time.perf_counter() - due) * 1000)
        if status is not None and not 200 <= status < 300:
            failures[0] += 1

    start = time.perf_counter()
    for i in range(int(seconds * rate)):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, *random.choice(targets))))
    await asyncio.gather(*tasks)
    return len(latencies) / (time.perf_counter() - start), sorted(latencies), failures


def percentile(values, p):
    """The p-th percentile of the values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else float("nan")


def _fixed_rate_child(host, port, targets, seconds, rate, timeout):
    # A fresh process without the bench's heap, and no garbage collector: a collection
    # pause in the client would be counted as the server's latency.
    gc.disable()
    cpu, wall = time.process_time(), time.perf_counter()
    achieved, latencies, failures = asyncio.run(_fixed_rate(host, port, targets, seconds, rate, timeout))
    return achieved, latencies, failures, (time.process_time() - cpu) / (time.perf_counter() - wall)


def fixed_rate(host, port, targets, seconds, rate, timeout=10.0):
    """Open loop at `rate` requests/s; latencies (ms) count from each request's due time.

    The client runs in a process of its own (spawned, so it carries none of the bench's
    state) with the garbage collector off."""
    load_average = os.getloadavg()[0]
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        achieved, latencies, (non_2xx, errors), client_cpu = pool.submit(
            _fixed_rate_child, host, port, list(targets), seconds, rate, timeout
        ).result()
    return Result(
        rps=achieved,
        p50=percentile(latencies, 50),
        p90=percentile(latencies, 90),
        p99=percentile(latencies, 99),
        max=latencies[-1] if latencies else float("nan"),
        non_2xx=non_2xx,
        errors=errors,
        load_average=load_average,
        client_cpu=client_cpu,
    )


def cpu_speed():
    """Milliseconds a fixed pure-Python loop takes here now (best of 5; lower is faster).
    The machine is shared and its speed drifts (seen: 5.4 and 9.9 ms an hour apart), so
    each bench prints it beside its figures."""
    import timeit

    return min(timeit.repeat("sum(i * i for i in range(100000))", number=20, repeat=5)) / 20 * 1000
