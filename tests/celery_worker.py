"""A real `celery -A portal worker` for tests that need the broker path end to end."""

import contextlib
import os
import subprocess
import sys
import uuid

from tests.conftest import REPO


@contextlib.contextmanager
def running_worker(*args, env=None):
    """Start a solo worker (extra `args`, e.g. `--queues q`), stop it at the end.

    Its output is written to stdout afterwards, which pytest shows only when a test fails.
    """
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "--loglevel", "INFO"]
    command += ["--hostname", f"test-{uuid.uuid4().hex}@%h", "--without-mingle", "--without-gossip", *args]
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate(timeout=5)
        sys.stdout.write(output[-4000:])
