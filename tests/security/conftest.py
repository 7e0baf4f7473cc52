"""Security and reliability checks (issue 13): what independent probes broke.

Checks that need the production topology start it with `production` (gunicorn,
uvicorn and nginx from deploy/, tests/production.py) against the test database and
Redis; they are marked `postgres` and `redis` and use `transactional_db`.
"""

import pytest

from tests.production import ProductionStack, collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    return collect_static(tmp_path_factory.mktemp("static"))


@pytest.fixture
def production(transactional_db, static_root, tmp_path, settings):
    """Start a production stack: `production(roles=(...), env={...})`; stopped after the test.
    Other keywords go to ProductionStack (e.g. web_port).

    The tests' MEDIA_ROOT is the stack's, so files a test stores are the ones nginx serves.
    """
    stacks = []

    def start(roles=("web", "ws", "nginx"), env=None, **options):
        stack = ProductionStack(
            tmp_path / f"stack{len(stacks)}",
            static_root=static_root,
            roles=roles,
            env=env,
            media_root=settings.MEDIA_ROOT,
            **options,
        )
        stacks.append(stack.__enter__())
        return stack

    yield start
    for stack in stacks:
        stack.__exit__(None, None, None)
