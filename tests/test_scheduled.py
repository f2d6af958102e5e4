"""Scheduled crawls as cron runs them: incremental, revisions, gone posts, one at a time,
resumable after SIGKILL, and monitored."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from corpus.db import get_engine
from corpus.models import CrawlRun, Post, PostRevision
from publish.export import iter_posts
from testing.samplesite.groundtruth import ground_truth
from testing.samplesite.server import SampleSite, make_server
from testing.verify import differences
from tests.corpus_check import REPO, wait_for_posts

pytestmark = pytest.mark.e2e


def laocorpus_crawl(base_url: str, db: str, tmp: Path, *extra: str, wait: bool = True):
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160"}
    env.pop("CORPUS_DATABASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "crawl",
        "lsr",
        "--base-url",
        base_url,
        "--db",
        db,
        "--lock-dir",
        str(tmp / "locks"),
        "--log-file",
        str(tmp / "logs" / "crawl.log"),
        "--warc-dir",
        str(tmp / "archive"),
        *extra,
    ]
    if not wait:
        return subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def last_run(db: str):
    with get_engine(db).connect() as conn:
        return conn.execute(select(CrawlRun).order_by(CrawlRun.id.desc())).first()


def snapshot(db: str) -> dict[str, dict]:
    return {
        r["url"]: {k: v for k, v in r.items() if k != "last_seen_at"}
        for r in iter_posts(get_engine(db))
    }


def test_incremental_recrawl_then_epoch_2(tmp_path: Path, sqlite_url: str) -> None:
    first_site, second_site = SampleSite(epoch=1), SampleSite(epoch=2)
    with make_server(first_site) as server:
        base, port = server.base_url, server.port
        first = laocorpus_crawl(base, sqlite_url, tmp_path)
        assert first.returncode == 0, first.stderr[-3000:]
        full = last_run(sqlite_url)
        before = snapshot(sqlite_url)
        again = laocorpus_crawl(base, sqlite_url, tmp_path)
        assert again.returncode == 0, again.stderr[-3000:]
    incremental = last_run(sqlite_url)
    assert (full.mode, incremental.mode) == ("full", "incremental")
    archived = sorted(p.name for p in (tmp_path / "archive").glob("lsr-*.warc.gz"))
    assert [name.split("-run")[1][:1] for name in archived] == ["1", "2"]  # --warc-dir: here
    assert not (Path(sqlite_url.removeprefix("sqlite:///")).parent / "warc").exists()
    assert incremental.requests <= 0.05 * full.requests, (incremental.requests, full.requests)
    assert snapshot(sqlite_url) == before  # no row changed
    assert (incremental.posts_new, incremental.posts_updated, incremental.posts_gone) == (0, 0, 0)

    truth = ground_truth(second_site)
    with make_server(second_site, port):  # the same address, a later visit
        third = laocorpus_crawl(base, sqlite_url, tmp_path)
    assert third.returncode == 0, third.stderr[-3000:]
    run = last_run(sqlite_url)
    assert run.posts_new == len(truth["added_paths"])
    assert run.posts_updated == len(truth["edited_paths"])
    assert run.posts_gone == len(truth["removed_paths"]) == 1
    engine = get_engine(sqlite_url)
    with engine.connect() as conn:
        revised = conn.execute(
            select(Post.url, PostRevision.title).join(Post, Post.id == PostRevision.post_id)
        ).all()
        gone = conn.execute(select(Post.url).where(Post.gone_at.is_not(None))).scalars().all()
    assert sorted(url for url, _ in revised) == sorted(base + p for p in truth["edited_paths"])
    for url, old_title in revised:  # the revision keeps the epoch-1 version
        assert before[url]["title"] == old_title
    assert gone == [base + p for p in truth["removed_paths"]]
    problems = differences(engine, truth, base)
    assert problems == [f"unexpected post {base}{truth['removed_paths'][0]}"]  # kept, gone


def test_second_overlapping_crawl_exits_75(tmp_path: Path, sqlite_url: str) -> None:
    with make_server(SampleSite()) as server:
        first = laocorpus_crawl(server.base_url, sqlite_url, tmp_path, wait=False)
        deadline = time.monotonic() + 60
        while not list((tmp_path / "locks").glob("*.lock")) or not (
            next((tmp_path / "locks").glob("*.lock")).read_text().strip()
        ):
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGSTOP)  # the first crawl holds its lock, mid-crawl
        try:
            second = laocorpus_crawl(server.base_url, sqlite_url, tmp_path)
            assert first.poll() is None  # the first one is still there
        finally:
            os.kill(first.pid, signal.SIGCONT)
        _out, err = first.communicate(timeout=300)
    assert second.returncode == 75
    assert second.stderr.strip().count("\n") == 0
    assert "another crawl of lsr" in second.stderr and "is running" in second.stderr
    assert first.returncode == 0, err[-3000:]


@pytest.mark.parametrize(
    ("backend", "kill_after"), [("sqlite", 150), ("sqlite", 500), ("postgres", 300)]
)
def test_sigkill_mid_crawl_then_rerun_completes(backend, kill_after, tmp_path, request) -> None:
    db = request.getfixturevalue(f"{backend}_url")
    site = SampleSite(posts=1100)
    truth = ground_truth(site)
    with make_server(site) as server:
        crawl = laocorpus_crawl(server.base_url, db, tmp_path, wait=False)
        wait_for_posts(db, crawl, kill_after)
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait()
        rerun = laocorpus_crawl(server.base_url, db, tmp_path)
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        base = server.base_url
    engine = get_engine(db)
    # every post once, every field exact; the dead sidebar link was met before the kill
    assert differences(engine, truth, base) == []
    with engine.connect() as conn:
        ids = conn.execute(select(Post.post_id)).scalars().all()
        statuses = conn.execute(select(CrawlRun.status).order_by(CrawlRun.id)).scalars().all()
    assert len(ids) == len(set(ids)) == len(truth["posts"])
    assert statuses == ["killed", "finished"]
    if backend == "sqlite":
        path = db.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_theme_change_fails_the_run_through_monitors(tmp_path: Path, sqlite_url: str) -> None:
    with make_server(SampleSite(), redesign=True) as server:
        result = laocorpus_crawl(server.base_url, sqlite_url, tmp_path)
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("laocorpus: error: crawl run 1 failed: Field coverage")
    assert "published_at 0.8%" in last_line or "published_at 0.0%" in last_line
    run = last_run(sqlite_url)
    assert run.status == "failed" and "published_at" in run.failure
    assert "monitor failed: Field coverage" in (tmp_path / "logs" / "crawl.log").read_text()


def test_runs_lists_recent_runs(tmp_path: Path, sqlite_url: str) -> None:
    with make_server(SampleSite()) as server:
        assert laocorpus_crawl(server.base_url, sqlite_url, tmp_path).returncode == 0
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    listing = subprocess.run(
        [sys.executable, "-m", "cli.main", "runs", "--db", sqlite_url],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    today = datetime.now().strftime("%Y-%m-%d")
    assert "Recent crawl runs" in listing.stdout and today in listing.stdout
    assert "archive" in listing.stdout and "finished" in listing.stdout
