"""Running the chat's database work from the websocket consumer: a small pool of threads.

Channels' `database_sync_to_async` defaults to one thread per process for all sync code,
so every post, edit and report on every socket of a process waits in one queue, and each
of a post's few queries waits for the event loop to hand back the GIL. Under 200 posts/s
that queue, not the database, was the limit (docs/benchmarks.md). The chat's verbs are
independent transactions (each takes its own connection, ordering comes from the
database's ids), so they run on `CHAT_DB_THREADS` threads instead, each keeping its own
persistent connection (CONN_MAX_AGE). One socket still handles its frames one at a time:
a person's posts are stored in the order they were sent.
"""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections

_executor = None
_size = 0


def executor():
    global _executor, _size
    if _executor is None:
        _size = getattr(settings, "CHAT_DB_THREADS", 4)
        _executor = ThreadPoolExecutor(max_workers=_size, thread_name_prefix="chat-db")
    return _executor


def in_pool(func):
    """`database_sync_to_async(func)` on the chat's thread pool (connections closed as usual)."""
    return database_sync_to_async(func, thread_sensitive=False, executor=executor())


def shutdown(timeout=10):
    """Close every pool thread's database connections and stop the threads (tests, exit).

    Each thread closes its own connections (Django's are per thread): one task per thread,
    held at a barrier so that no thread takes two. The next `in_pool` starts a new pool.
    """
    global _executor
    pool, _executor = _executor, None
    if pool is None:
        return
    size = _size
    barrier = threading.Barrier(size)

    def close():
        connections.close_all()
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout)

    for _ in range(size):
        pool.submit(close)
    pool.shutdown(wait=True)
