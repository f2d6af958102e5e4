"""Revisits on real WordPress with the REST API blocked: cheap unchanged runs, bounded staleness.

Debian's WordPress 6.1 serves feeds and post pages but no change times a crawler could use
(REST answers 401, core sitemaps are off or carry no lastmod, post pages ignore
If-Modified-Since). The ground truth is the site's own request log (testing/realwp/bulk.py)
and what WordPress says it changed (edit.php). The 1,000-post figures are in
``benchmarks.incremental``; here 200 extra posts keep the test near 40 s.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli.main import cli
from corpus.db import dispose_engines, get_engine
from corpus.models import CrawlRun, Post, PostRevision
from corpus.revisits import Candidate
from crawler.extract.wordpress import canonicalize_url
from crawler.revisit import RevisitPolicy
from testing.realwp import Variant, WordPressSite
from testing.realwp.bulk import add_posts, edit_post, log_requests, requests_served
from testing.samplesite.server import SampleSite, make_server
from tests.corpus_check import run_crawl

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("realwp-revisit")]

BULK = 200
SPACING = timedelta(days=3)  # posts 0, 3, ..., 12 days old are recent: 5 of them
T0 = datetime(2026, 1, 1, tzinfo=UTC)


# -- the policy on its own ---------------------------------------------------------------------


def test_policy_takes_recent_posts_and_the_least_recently_verified_share() -> None:
    now = T0 + timedelta(days=400)
    old = [
        Candidate(f"u{i}", T0 + timedelta(days=i), T0 + timedelta(hours=100 - i))
        for i in range(100)
    ]
    recent = [
        Candidate("new", now - timedelta(days=2), now),
        Candidate("edge", now - timedelta(days=14), now),
    ]
    chosen_recent, due, older = RevisitPolicy(14, 0.03).choose(old + recent, now)
    assert [c.url for c in chosen_recent] == ["new", "edge"]
    assert older == 100
    assert [c.url for c in due] == ["u99", "u98", "u97"]  # least recently verified first


@pytest.mark.parametrize(
    ("share", "bound"), [(0.02, 50), (0.25, 4), (0.3, 4), (1, 1), (0.001, 1000)]
)
def test_bound_is_ceil_one_over_share(share: float, bound: int) -> None:
    assert RevisitPolicy(14, share).bound_runs == bound


@pytest.mark.parametrize(("posts", "share"), [(1, 0.02), (37, 0.3), (235, 0.25), (1000, 0.02)])
def test_every_older_post_is_verified_within_the_bound(posts: int, share: float) -> None:
    """Simulated runs: each stamps what the policy chose; no post waits longer than the bound."""
    policy = RevisitPolicy(14, share)
    now = T0 + timedelta(days=1000)
    verified = {f"u{i}": T0 for i in range(posts)}
    last_run = dict.fromkeys(verified, 0)
    longest = 0
    for run in range(1, 3 * policy.bound_runs + 1):
        pool = [Candidate(url, T0, when) for url, when in verified.items()]
        _, due, _ = policy.choose(pool, now)
        for candidate in due:
            longest = max(longest, run - last_run[candidate.url])
            last_run[candidate.url] = run
            verified[candidate.url] = T0 + timedelta(minutes=run)
    assert longest <= policy.bound_runs
    assert all(run > 2 * policy.bound_runs for run in last_run.values())


# -- conditional requests only where the site proves it honours them -------------------------


def test_a_site_that_honours_if_modified_since_gets_conditional_revisits(tmp_path: Path) -> None:
    """The sample site answers 304 to "since now" and 200 to "since 2000": after that probe,
    this run's revisits are conditional and an unchanged post costs a 304."""
    site = SampleSite(posts=40, seed=3)
    db = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    with make_server(site) as server:
        args = ("discovery=feed", "site=sample")
        first = run_crawl(
            server.base_url, db, f"CORPUS_LOCK_DIR={tmp_path}", spider="wordpress", spider_args=args
        )
        assert first.returncode == 0, first.stderr[-3000:]
        before = len(server.request_log)
        again = run_crawl(
            server.base_url, db, f"CORPUS_LOCK_DIR={tmp_path}", "CORPUS_REVISIT_SHARE=0.25",
            spider="wordpress", spider_args=args,
        )  # fmt: skip
        assert again.returncode == 0, again.stderr[-3000:]
        served = server.request_log[before:]
    older = live_older(db)
    due = math.ceil(0.25 * older)
    posts = [(path, status) for _, path, status in served if path.strip("/").isdigit()]
    # the probe (304), its control (200), then the other due posts, each a 304
    assert sorted(status for _, status in posts) == [200] + [304] * due
    assert posts[0][0] == posts[1][0]
    assert "revisits: 127.0.0.1:" in again.stderr and "revisits are conditional" in again.stderr
    run = last_run(db)
    assert (run.posts_verified, run.posts_updated, run.posts_new) == (due, 0, 0)
    dispose_engines()


# -- on real WordPress -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blocked_site(realwp_ready) -> WordPressSite:
    with WordPressSite(Variant(rest="blocked", permalinks="postname")) as site:
        site.bulk = add_posts(site, BULK, SPACING)  # type: ignore[attr-defined]
        log_requests(site)
        yield site


def crawl(site: WordPressSite, database_url: str, tmp: Path, *settings: str) -> list[str]:
    """One `scrapy crawl wordpress` run; the requests the server answered for it."""
    before = len(requests_served(site))
    started = time.monotonic()
    result = run_crawl(
        site.base_url, database_url, f"CORPUS_LOCK_DIR={tmp}", *settings, spider="wordpress"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    served = requests_served(site)[before:]
    print(
        f"crawl {' '.join(settings)}: {len(served)} requests in {time.monotonic() - started:.1f} s"
    )
    return served


def last_run(database_url: str) -> CrawlRun:
    with get_engine(database_url).connect() as db:
        return db.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).one()


def titles(database_url: str) -> dict[str, str]:
    with get_engine(database_url).connect() as db:
        return dict(db.execute(select(Post.url, Post.title)).all())


def live_older(database_url: str, days: float = 14) -> int:
    """Live posts published before the recent window: the revisit queue's length."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    with get_engine(database_url).connect() as db:
        rows = db.execute(select(Post.published_at).where(Post.gone_at.is_(None))).scalars()
        return sum(1 for published in rows if published < cutoff)


def post_requests(site: WordPressSite, served: list[str], known: set[str]) -> list[str]:
    """The canonical URLs of the known posts among the requests served ("200 GET /path")."""
    urls = [canonicalize_url(site.base_url + line.split(" ", 2)[2]) for line in served]
    return [url for url in urls if url in known]


def test_revisits_on_wordpress_without_rest(blocked_site: WordPressSite, tmp_path: Path) -> None:
    site = blocked_site
    db = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    bulk = {canonicalize_url(p.link): p for p in site.bulk}  # type: ignore[attr-defined]
    try:
        # 1. The first run reads every post.
        first = crawl(site, db, tmp_path)
        stored = titles(db)
        assert set(bulk) <= set(stored)
        recent = sum(
            1 for p in bulk.values() if p.published >= datetime.now(UTC) - timedelta(days=14)
        )
        assert recent == 5
        older = live_older(db)

        # 2. Unchanged: one feed page, the recent posts and 2% of the older ones.
        second = crawl(site, db, tmp_path)
        due = math.ceil(0.02 * older)
        assert len(post_requests(site, second, set(stored))) == recent + due
        assert len(second) <= 0.10 * len(first), (len(second), len(first))
        run = last_run(db)
        assert (run.posts_new, run.posts_updated, run.posts_verified) == (0, 0, recent + due)
        assert run.verified_oldest_at is not None

        # 3. New posts are stored in the run that first lists them.
        new = add_posts(site, 3, timedelta(hours=1), seed=8)
        third = crawl(site, db, tmp_path)
        assert last_run(db).posts_new == 3
        assert {canonicalize_url(p.link) for p in new} <= set(titles(db))

        # 4. An edit to the old post verified last (run 3's newest old revisit: the back of
        # the queue) is found within ceil(1 / share) runs: at run floor((older-1) / k) + 1
        # for k = ceil(share x older) posts a run, and without re-reading everything.
        share = 0.34
        bound = RevisitPolicy(14, share).bound_runs
        cutoff = datetime.now(UTC) - timedelta(days=14)
        wordpress = {canonicalize_url(p.url): (p.id, p.published) for p in site.truth.posts}
        wordpress |= {url: (p.id, p.published) for url, p in bulk.items()}
        revisited = post_requests(site, third, set(stored))
        old = [url for url in revisited if wordpress[url][1] < cutoff]
        assert len(old) == math.ceil(0.02 * older)
        target = max(old, key=lambda url: wordpress[url][1])
        edit_post(site, wordpress[target][0], "ແກ້ໄຂແລ້ວ: ຫົວຂໍ້ໃໝ່")
        older = live_older(db)
        expected = (older - 1) // math.ceil(share * older) + 1
        found_in = None
        for number in range(1, bound + 1):
            served = crawl(site, db, tmp_path, f"CORPUS_REVISIT_SHARE={share}")
            assert len(served) < 0.5 * len(first)
            if titles(db)[target] == "ແກ້ໄຂແລ້ວ: ຫົວຂໍ້ໃໝ່":
                found_in = number
                break
        assert (found_in, bound) == (expected, 3)
        with get_engine(db).connect() as conn:
            kept = conn.execute(select(PostRevision.title)).scalars().all()
        assert kept == [stored[target]]

        # `laocorpus runs` shows what each run verified and how stale the oldest check is.
        shown = CliRunner().invoke(cli, ["runs", "--db", db, "--limit", "1"], terminal_width=200)
        assert shown.exit_code == 0, shown.output
        assert "verified" in shown.output and "oldest check" in shown.output
        assert f" {last_run(db).posts_verified} " in shown.output
    finally:
        dispose_engines()
