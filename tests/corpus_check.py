"""Helpers for end-to-end tests: run a real crawl in a subprocess, read the corpus back."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from corpus.db import get_engine
from corpus.models import CrawlRun, Post, Reject
from publish.export import iter_posts
from testing.verify import differences

REPO = Path(__file__).resolve().parent.parent
# The raw-page archive of crawls into PostgreSQL would default to the checkout's data/warc/.
TEST_WARC = Path(tempfile.mkdtemp(prefix="lnc-test-warc-"))
atexit.register(shutil.rmtree, TEST_WARC, ignore_errors=True)


def run_crawl(
    base_url: str,
    database_url: str,
    *settings: str,
    spider: str = "lsr",
    spider_args: tuple[str, ...] = (),
    timeout: float = 300,
    memory_limit_mb: int | None = None,
) -> subprocess.CompletedProcess:
    """``scrapy crawl`` as a user runs it, in its own process (a reactor cannot restart).

    ``memory_limit_mb`` caps the crawl's address space (RLIMIT_AS): a regression that
    queues or reads without bound then fails with MemoryError instead of exhausting CI.
    """
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        spider,
        "-a",
        f"base_url={base_url}",
        "-s",
        f"CORPUS_DATABASE_URL={database_url}",
        "-s",
        "LOG_LEVEL=INFO",
    ]
    if not database_url.startswith("sqlite:///") and not any(
        s.startswith("CORPUS_WARC_") for s in settings
    ):
        command += ["-s", f"CORPUS_WARC_DIR={TEST_WARC}"]  # SQLite: warc/ beside the corpus
    for setting in settings:
        command += ["-s", setting]
    for argument in spider_args:
        command += ["-a", argument]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CORPUS_DATABASE_URL", None)
    return subprocess.run(
        command,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=_address_space_limit(memory_limit_mb) if memory_limit_mb else None,
    )


def _address_space_limit(megabytes: int):
    def limit() -> None:
        import resource

        size = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return limit


def posts_by_url(database_url: str) -> dict[str, dict]:
    return {record["url"]: record for record in iter_posts(get_engine(database_url))}


def rejects(database_url: str) -> dict[str, str]:
    with get_engine(database_url).connect() as db:
        return {url: reason for url, reason in db.execute(select(Reject.url, Reject.reason))}


def table_counts(database_url: str) -> dict[str, int]:
    with get_engine(database_url).connect() as db:
        return {
            "posts": db.execute(select(func.count(Post.id))).scalar_one(),
            "rejects": db.execute(select(func.count(Reject.id))).scalar_one(),
            "runs": db.execute(select(func.count(CrawlRun.id))).scalar_one(),
        }


def assert_corpus_matches_truth(database_url: str, truth: dict, base_url: str) -> None:
    """Every ground-truth post present once, every field exact, rejects with their reasons."""
    problems = differences(get_engine(database_url), truth, base_url)
    assert not problems, "\n".join(problems[:20])


def wait_for_posts(database_url: str, crawl: subprocess.Popen, count: int, timeout: float = 120):
    """Until a running crawl has stored ``count`` posts (then it can be disturbed)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        assert time.monotonic() < deadline, "the crawl stored too little"
        assert crawl.poll() is None, crawl.communicate()[1][-2000:]
        try:
            with get_engine(database_url).connect() as db:
                if db.execute(select(func.count(Post.id))).scalar_one() >= count:
                    return
        except Exception:  # the database file may not exist yet
            pass
        time.sleep(0.2)
