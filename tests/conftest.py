"""Shared fixtures: the sample site over real HTTP, its ground truth, and corpus databases.

PostgreSQL tests use a fresh database on the real server at 127.0.0.1:5432. When the server
is not reachable they skip on a developer machine but fail when ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.realwp_fixtures import realwp_ready, realwp_site  # noqa: F401  (fixtures)

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def site():
    from testing.samplesite.server import SampleSite

    return SampleSite(posts=120, seed=1)


@pytest.fixture(scope="session")
def truth(site) -> dict:
    from testing.samplesite.groundtruth import ground_truth

    return ground_truth(site)


@pytest.fixture
def server(site):
    """A fresh server per test, so one-shot traps (the transient 503) fire in every test."""
    from testing.samplesite.server import make_server

    with make_server(site) as running:
        running.start()
        yield running


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'corpus.sqlite'}"


def _postgres_or_skip():
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN_URL)
    try:
        return psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            dbname=url.database,
            password=url.password,
            autocommit=True,
            connect_timeout=5,
        ), url
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL not reachable at {url.host}:{url.port}: {exc}".splitlines()[0]
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    admin, url = _postgres_or_skip()
    name = f"lnc_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        from corpus.db import dispose_engines

        dispose_engines()
        # A new connection: a test may have restarted the server meanwhile.
        admin, _ = _postgres_or_skip()
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    """The real Redis at 127.0.0.1:6379; skipped when down, but a failure when ``CI=true``."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        message = f"Redis not reachable at {REDIS_URL}: {exc}".splitlines()[0]
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; every key under it is deleted afterwards."""
    import redis

    prefix = f"lnctest-{uuid.uuid4().hex[:12]}"
    yield prefix
    server = redis.Redis.from_url(redis_url)
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    """Run a test on both backends."""
    return request.getfixturevalue(f"{request.param}_url")


SEED_DIR = REPO.parent / "shared" / "seed"


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The one real article from lsr.com.la (shared/seed), or a faithful excerpt of it."""
    files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if files:
        return files[0].read_text(encoding="utf-8")
    return (REPO / "tests" / "data" / "seed_excerpt.txt").read_text(encoding="utf-8")
