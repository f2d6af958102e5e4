"""End to end: ``scrapy crawl lsr`` against the sample site over HTTP, checked field by field."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from corpus.db import get_engine
from corpus.models import CrawlRun, Post
from tests.corpus_check import (
    assert_corpus_matches_truth,
    posts_by_url,
    run_crawl,
    table_counts,
)

pytestmark = pytest.mark.e2e


def test_crawl_builds_the_ground_truth_corpus(server, truth, database_url) -> None:
    result = run_crawl(server.base_url, database_url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_corpus_matches_truth(database_url, truth, server.base_url)

    # the transient 503 was retried and its page's posts are present (checked above)
    statuses = [status for _, path, status in server.request_log if path == "/page/3/"]
    assert statuses[:2] == [503, 200]
    # robots.txt: the disallowed archive was never requested
    requested = [path for _, path, _ in server.request_log]
    for prefix in truth["disallowed_prefixes"]:
        assert not [p for p in requested if p.startswith(prefix)], prefix
    # each post page fetched once even though it is listed under several archives
    post_paths = [p for p in requested if p in {t["path"] for t in truth["posts"]}]
    assert len(post_paths) == len(set(post_paths))

    with get_engine(database_url).connect() as db:
        run = db.execute(select(CrawlRun)).one()
    assert run.status == "finished" and run.finish_reason == "finished"
    assert run.posts_new == len(truth["posts"])
    assert run.posts_duplicate == len(truth["reposts"])
    assert run.rejected == len(truth["rejects"])
    assert run.requests > len(truth["posts"])


def test_recrawl_adds_no_rows_and_changes_no_post(server, truth, sqlite_url) -> None:
    first = run_crawl(server.base_url, sqlite_url)
    assert first.returncode == 0, first.stderr[-3000:]
    before = posts_by_url(sqlite_url)
    counts = table_counts(sqlite_url)
    with get_engine(sqlite_url).connect() as db:
        ids_before = dict(db.execute(select(Post.url, Post.id)).all())

    second = run_crawl(server.base_url, sqlite_url)
    assert second.returncode == 0, second.stderr[-3000:]
    after = posts_by_url(sqlite_url)
    assert table_counts(sqlite_url) == {**counts, "runs": counts["runs"] + 1}
    with get_engine(sqlite_url).connect() as db:
        assert dict(db.execute(select(Post.url, Post.id)).all()) == ids_before
        run = db.execute(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
    assert (run.posts_new, run.posts_updated, run.posts_duplicate) == (0, 0, 0)
    assert run.posts_unchanged == len(truth["posts"])
    # only the sighting times move; every stored field is the same
    for url, record in before.items():
        assert {k: v for k, v in after[url].items() if k != "last_seen_at"} == {
            k: v for k, v in record.items() if k != "last_seen_at"
        }
        assert after[url]["last_seen_at"] >= record["last_seen_at"]


def test_database_password_never_reaches_logs_or_runs(server, postgres_url) -> None:
    """Trust auth ignores the password, so a real crawl can carry one."""
    url_with_password = postgres_url.replace("postgres@", "postgres:Sup3rSecret@")
    assert "Sup3rSecret" in url_with_password
    result = run_crawl(server.base_url, url_with_password, "CLOSESPIDER_ITEMCOUNT=5")
    # the budget ends the run early, so it fails (exit 1), and the summary names the corpus
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Sup3rSecret" not in result.stderr + result.stdout
    assert "postgres:***@" in result.stderr
    with get_engine(postgres_url).connect() as db:
        arguments = db.execute(select(CrawlRun.arguments)).scalar_one()
    assert "Sup3rSecret" not in str(arguments)
    assert arguments["database"].startswith("postgresql+psycopg://postgres:***@")
