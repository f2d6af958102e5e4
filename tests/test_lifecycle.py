"""One crawl lifecycle for every entry point (crawler/extensions/lifecycle.py): `scrapy crawl`
and `laocorpus crawl` take the same lock, write the same run record and summary, and exit
with the same statuses; an unreachable site fails naming its cause; Ctrl-C is "interrupted"."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_LOCKED
from corpus.db import get_engine
from corpus.lock import lock_path
from corpus.models import CrawlRun, Reject
from testing.samplesite.groundtruth import ground_truth
from testing.samplesite.server import SampleSite, make_server
from testing.verify import differences
from tests.corpus_check import REPO, run_crawl, wait_for_posts
from tests.test_scheduled import laocorpus_crawl

pytestmark = pytest.mark.e2e


def runs(db: str) -> list[CrawlRun]:
    with get_engine(db).connect() as conn:
        return list(conn.execute(select(CrawlRun).order_by(CrawlRun.id)).all())


def reject_count(db: str) -> int:
    with get_engine(db).connect() as conn:
        return conn.execute(select(func.count(Reject.id))).scalar_one()


def scrapy_crawl(base_url: str, db: str, tmp: Path, spider: str = "lsr"):
    """`scrapy crawl` with the same lock directory `laocorpus_crawl` uses."""
    return run_crawl(base_url, db, f"CORPUS_LOCK_DIR={tmp / 'locks'}", spider=spider)


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


def test_two_spellings_of_one_sqlite_file_are_one_lock(tmp_path: Path) -> None:
    absolute = tmp_path / "c.sqlite"
    relative = os.path.relpath(absolute)
    one = lock_path("lsr", f"sqlite:///{relative}", tmp_path)
    assert one == lock_path("lsr", f"sqlite:///{absolute}", tmp_path)
    assert one == lock_path("lsr", str(absolute), tmp_path)  # a plain path is SQLite too
    assert one != lock_path("lsr", f"sqlite:///{tmp_path / 'other.sqlite'}", tmp_path)
    assert one != lock_path("other", f"sqlite:///{absolute}", tmp_path)
    # PostgreSQL: the server and the database, whoever logs in and however the port is said
    pg = lock_path("lsr", "postgresql://alice:secret@DB.example:5432/corpus", tmp_path)
    assert pg == lock_path("lsr", "postgresql+psycopg://bob@db.example/corpus", tmp_path)
    assert pg != lock_path("lsr", "postgresql://db.example:5433/corpus", tmp_path)
    assert pg != lock_path("lsr", "postgresql://db.example/other", tmp_path)


def test_a_failed_run_is_the_same_from_both_entry_points(tmp_path: Path) -> None:
    """The theme change that empties the date fails the monitors: exit 1, the same run row
    and summary, whether cron runs `scrapy crawl lsr` or `laocorpus crawl lsr`."""
    scrapy_db = f"sqlite:///{tmp_path / 'scrapy.sqlite'}"
    cli_db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    with make_server(SampleSite(), redesign=True) as server:
        by_scrapy = scrapy_crawl(server.base_url, scrapy_db, tmp_path)
        by_cli = laocorpus_crawl(server.base_url, cli_db, tmp_path)
    assert by_scrapy.returncode == by_cli.returncode == EXIT_FAILED
    (scrapy_run,) = runs(scrapy_db)
    (cli_run,) = runs(cli_db)
    assert scrapy_run.status == cli_run.status == "failed"
    assert scrapy_run.finish_reason == cli_run.finish_reason == "finished"
    assert scrapy_run.failure == cli_run.failure
    assert scrapy_run.failure.startswith("Field coverage: ")
    assert "coverage below 99%: published_at 0.0%" in scrapy_run.failure
    for column in ("posts_new", "posts_duplicate", "rejected", "discovery", "mode"):
        assert getattr(scrapy_run, column) == getattr(cli_run, column), column
    assert last_line(by_scrapy.stderr) == f"scrapy: error: crawl run 1 failed: {cli_run.failure}"
    assert last_line(by_cli.stderr) == f"laocorpus: error: crawl run 1 failed: {cli_run.failure}"
    # the lifecycle's summary, in `scrapy crawl`'s output and in `laocorpus crawl`'s log
    log = (tmp_path / "logs" / "crawl.log").read_text()
    for output, db in ((by_scrapy.stderr, scrapy_db), (log, cli_db)):
        assert f"crawl run 1 of lsr into {db}: failed (finish reason finished)" in output
        assert f"  failure: {cli_run.failure}" in output
    assert "Traceback" not in by_cli.stderr  # spidermon's details stay in the log file


def test_a_second_concurrent_run_is_locked_then_ctrl_c_then_resume(tmp_path: Path) -> None:
    """While `laocorpus crawl` runs, a second run of the site into the same file — spelled
    differently, from either entry point — exits 75 and opens no run. SIGINT then ends the
    first as "interrupted" with 130, and the next run completes the corpus."""
    db_file = tmp_path / "corpus.sqlite"
    relative = f"sqlite:///{os.path.relpath(db_file, REPO)}"  # the crawls run in REPO
    site = SampleSite(posts=1500)
    truth = ground_truth(site)
    with make_server(site) as server:
        first = laocorpus_crawl(server.base_url, relative, tmp_path, wait=False)
        wait_for_posts(f"sqlite:///{db_file}", first, 60)
        by_scrapy = scrapy_crawl(server.base_url, f"sqlite:///{db_file}", tmp_path)
        by_cli = laocorpus_crawl(server.base_url, str(db_file), tmp_path)
        assert first.poll() is None, "the first crawl ended before the lock was tried"
        first.send_signal(signal.SIGINT)
        _out, first_err = first.communicate(timeout=120)
        after = runs(f"sqlite:///{db_file}")
        rerun = laocorpus_crawl(server.base_url, str(db_file), tmp_path)
        base = server.base_url
    assert by_scrapy.returncode == by_cli.returncode == EXIT_LOCKED
    lock = lock_path("lsr", str(db_file), tmp_path / "locks")  # the one lock of all three
    held = f"another crawl of lsr into sqlite:///{db_file} is running "
    held += f"(pid {first.pid}, lock {lock})"
    assert last_line(by_scrapy.stderr) == f"scrapy: error: {held}"
    assert last_line(by_cli.stderr) == f"laocorpus: {held}"
    assert "Traceback" not in by_scrapy.stderr + by_cli.stderr
    # Ctrl-C: one readable line, no unittest diff, status interrupted, exit 130
    assert first.returncode == EXIT_INTERRUPTED, first_err[-3000:]
    assert [run.status for run in after] == ["interrupted"]  # the locked runs opened none
    assert after[0].finish_reason == "shutdown"
    assert after[0].failure.startswith("Finish reason: interrupted (Ctrl-C or SIGTERM)")
    assert last_line(first_err) == "laocorpus: crawl run 1 interrupted: run it again to resume"
    assert "Traceback" not in first_err and "- shutdown" not in first_err
    # the next run resumes: every post of the site once, field by field
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert [run.status for run in runs(f"sqlite:///{db_file}")] == ["interrupted", "finished"]
    assert differences(get_engine(f"sqlite:///{db_file}"), truth, base) == []


def free_port() -> int:
    """A port nobody listens on: bound for a moment to find it, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("robots", [True, False], ids=["robots-obeyed", "robots-off"])
def test_a_closed_port_fails_as_connection_refused(robots: bool, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    result = run_crawl(base, db, f"CORPUS_LOCK_DIR={tmp_path}", f"ROBOTSTXT_OBEY={robots}")
    why = f"site unreachable: connection refused by 127.0.0.1:{port}"
    assert result.returncode == EXIT_FAILED
    assert last_line(result.stderr) == f"scrapy: error: crawl run 1 failed: {why}"
    (run,) = runs(db)
    assert (run.status, run.finish_reason, run.failure) == ("failed", "site_unreachable", why)
    assert reject_count(db) == 0 and run.rejected == 0


def test_an_unresolvable_host_fails_as_dns_lookup_failed(tmp_path: Path) -> None:
    """`.invalid` never resolves (RFC 6761); the generic spider names the site after it."""
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    result = laocorpus_crawl("http://lsr.invalid", db, tmp_path, "--full")
    generic = laocorpus_crawl_wordpress("http://news.invalid", db, tmp_path)
    why = "site unreachable: DNS lookup failed for {}"
    assert result.returncode == generic.returncode == EXIT_FAILED
    assert last_line(result.stderr).endswith(f"crawl run 1 failed: {why.format('lsr.invalid')}")
    assert last_line(generic.stderr).endswith(f"crawl run 2 failed: {why.format('news.invalid')}")
    assert [(r.site, r.finish_reason, r.failure) for r in runs(db)] == [
        ("lsr", "site_unreachable", why.format("lsr.invalid")),
        ("news.invalid", "site_unreachable", why.format("news.invalid")),
    ]
    assert reject_count(db) == 0


def laocorpus_crawl_wordpress(base_url: str, db: str, tmp: Path):
    """`laocorpus crawl wordpress --base-url URL`: a site without a profile."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CORPUS_DATABASE_URL", None)
    command = [sys.executable, "-m", "cli.main", "crawl", "wordpress", "--base-url", base_url]
    command += ["--db", db, "--lock-dir", str(tmp / "locks")]
    command += ["--log-file", str(tmp / "logs" / "crawl.log"), "--warc-dir", str(tmp / "warc")]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
