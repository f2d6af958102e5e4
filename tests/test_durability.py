"""The corpus survives its database going away mid-crawl: nothing corrupted, nothing lost."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from corpus.db import dispose_engines, get_engine
from corpus.models import CrawlRun
from testing.samplesite.groundtruth import ground_truth
from testing.samplesite.server import SampleSite, make_server
from testing.verify import differences
from tests.corpus_check import wait_for_posts
from tests.test_scheduled import laocorpus_crawl

pytestmark = pytest.mark.e2e


def test_locked_sqlite_database_only_delays_the_crawl(tmp_path: Path, sqlite_url: str) -> None:
    site = SampleSite(posts=700)
    with make_server(site) as server:
        crawl = laocorpus_crawl(server.base_url, sqlite_url, tmp_path, wait=False)
        wait_for_posts(sqlite_url, crawl, 200)
        path = sqlite_url.removeprefix("sqlite:///")
        blocker = sqlite3.connect(path, isolation_level=None, timeout=30)
        blocker.execute("BEGIN EXCLUSIVE")  # another program holds the database
        time.sleep(4)
        blocker.execute("COMMIT")
        blocker.close()
        _, err = crawl.communicate(timeout=300)
        base = server.base_url
    assert crawl.returncode == 0, err[-3000:]
    assert differences(get_engine(sqlite_url), ground_truth(site), base) == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def postgres_cluster(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            action,
            *(["-m", "fast"] if action == "stop" else []),
        ],
        check=True,
        timeout=60,
    )


@pytest.mark.serial
def test_postgres_restart_mid_crawl_loses_nothing(tmp_path: Path, postgres_url: str) -> None:
    """Stops the real server for a few seconds: run alone (`pytest -m serial`)."""
    if not Path("/etc/postgresql").is_dir():
        pytest.skip("no local PostgreSQL cluster to restart")
    site = SampleSite(posts=700)
    with make_server(site) as server:
        crawl = laocorpus_crawl(server.base_url, postgres_url, tmp_path, wait=False)
        wait_for_posts(postgres_url, crawl, 200)
        dispose_engines()
        try:
            postgres_cluster("stop")
            # Longer than CORPUS_FLUSH_SECONDS (5 s), so a write always meets the outage.
            time.sleep(7)
        finally:
            postgres_cluster("start")
        _, err = crawl.communicate(timeout=300)
        base = server.base_url
    assert crawl.returncode == 0, err[-3000:]
    assert "corpus unavailable during write" in (tmp_path / "logs" / "crawl.log").read_text()
    engine = get_engine(postgres_url)
    assert differences(engine, ground_truth(site), base) == []
    with engine.connect() as conn:
        assert conn.execute(select(CrawlRun.status)).scalar_one() == "finished"
