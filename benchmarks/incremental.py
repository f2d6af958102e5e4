"""``make bench`` part: a first crawl of a 5,000-post sample site, then an incremental one;
then the same on real WordPress with the REST API blocked (1,000 posts, revisit policy).

The second run is what cron pays every few hours; its requests and time are reported as a
share of the first run, measured against the same server in the same run. On real WordPress
the requests are counted by the server (its request log), and an edit to the old post at the
back of the revisit queue is followed until a run finds it: at most ceil(1 / share) runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.table import Table

from benchmarks.run import REPO, console, serve


def crawl(base_url: str, db: str, spider: str = "lsr") -> dict:
    command = [sys.executable, "-m", "benchmarks.crawl_once", "--base-url", base_url, "--db", db]
    command += ["--spider", spider]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def realwp_revisits(posts: int, follow_edit: bool) -> dict | None:
    """First and unchanged runs on a REST-blocked WordPress of ``posts`` posts, counted by
    the server; then (``follow_edit``) the runs until an edit to the last-queued old post is
    in the corpus."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from corpus.db import get_engine
    from corpus.models import Post
    from crawler.extract.wordpress import canonicalize_url
    from crawler.revisit import DEFAULT_SHARE, RevisitPolicy
    from testing.realwp import Variant, WordPressSite, unavailable_reason
    from testing.realwp.bulk import add_posts, edit_post, log_requests, requests_served
    from testing.realwp.content import PUBLISHED_POSTS

    if reason := unavailable_reason():
        console.print(f"[yellow]real WordPress unavailable ({reason}): revisits not measured")
        return None
    result: dict = {"posts": posts, "share": DEFAULT_SHARE}
    with WordPressSite(Variant(rest="blocked")) as site, tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        bulk = add_posts(site, posts - PUBLISHED_POSTS, timedelta(days=1))
        result["fill_seconds"] = time.perf_counter() - started
        log_requests(site)
        db = f"sqlite:///{Path(tmp) / 'corpus.sqlite'}"

        def measured(label: str) -> dict:
            before = len(requests_served(site))
            run = crawl(site.base_url, db, spider="wordpress")
            run["served"] = len(requests_served(site)) - before
            result.setdefault("runs", {})[label] = run
            return run

        with console.status(f"real WordPress, REST blocked: first crawl of {posts} posts"):
            measured("first")
        with console.status("real WordPress: unchanged re-run"):
            measured("unchanged")
        if follow_edit:
            # The back of the queue: the newest post outside the recent window (every post
            # was verified by the first run at once; ties go to the oldest published).
            cutoff = datetime.now(UTC) - timedelta(days=14, hours=1)
            with get_engine(db).connect() as conn:
                stored = dict(conn.execute(select(Post.url, Post.verified_at)).all())
            old = [p for p in bulk if p.published < cutoff]
            newest_verified = max(stored[canonicalize_url(p.link)] for p in old)
            target = max(
                (p for p in old if stored[canonicalize_url(p.link)] == newest_verified),
                key=lambda p: p.published,
            )
            edit_post(site, target.id, "ແກ້ໄຂແລ້ວ")
            bound = RevisitPolicy().bound_runs
            for number in range(1, bound + 1):
                with console.status(f"real WordPress: run {number} after an old post's edit"):
                    measured(f"after edit {number}")
                with get_engine(db).connect() as conn:
                    title = conn.execute(
                        select(Post.title).where(Post.url == canonicalize_url(target.link))
                    ).scalar_one()
                if title == "ແກ້ໄຂແລ້ວ":
                    result["edit_found_in_run"] = number
                    break
            result["bound_runs"] = bound
    return result


def report_realwp(result: dict) -> None:
    runs = result["runs"]
    first, unchanged = runs["first"], runs["unchanged"]
    table = Table(title=f"Real WordPress 6.1, REST blocked, {result['posts']} posts")
    for column in ("run", "requests (server)", "seconds"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for label in ("first", "unchanged"):
        table.add_row(label, str(runs[label]["served"]), f"{runs[label]['seconds']:.1f}")
    console.print(table)
    console.print(
        f"unchanged / first: {unchanged['served'] / first['served']:.1%} of the requests, "
        f"{unchanged['seconds'] / first['seconds']:.1%} of the time "
        f"(fill: {result['fill_seconds']:.1f} s)"
    )
    if "bound_runs" in result:
        after = [r for label, r in runs.items() if label.startswith("after edit")]
        found = result.get("edit_found_in_run")
        console.print(
            f"edit to the last-queued old post: found in run {found or 'none'} of at most "
            f"{result['bound_runs']} (share {result['share']}); "
            f"{sum(r['served'] for r in after) / len(after):.0f} requests a run on average"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--realwp-posts", type=int, default=1000, help="0: skip real WordPress")
    parser.add_argument(
        "--no-edit-runs", action="store_true", help="skip following an edit (up to 50 runs)"
    )
    parser.add_argument("--only-realwp", action="store_true")
    args = parser.parse_args()
    results: dict = {}
    if args.realwp_posts:
        realwp = realwp_revisits(args.realwp_posts, follow_edit=not args.no_edit_runs)
        if realwp:
            report_realwp(realwp)
            results["realwp"] = realwp
    if not args.only_realwp:
        results.update(sample_site(args.posts))
    (REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "incremental.json").write_text(
        json.dumps(results, indent=1, default=str)
    )


def sample_site(posts: int) -> dict:
    """The sample site's first and incremental runs (REST sweep)."""
    server, base_url = serve(posts, 1)
    try:
        with tempfile.TemporaryDirectory(prefix="laocorpus-bench-") as tmp:
            db = f"sqlite:///{Path(tmp) / 'corpus.sqlite'}"
            with console.status(f"first crawl of {posts} posts"):
                first = crawl(base_url, db)
            with console.status("incremental crawl"):
                second = crawl(base_url, db)
    finally:
        server.terminate()
        server.wait(timeout=10)
    table = Table(title=f"First and incremental crawl of a {posts}-post sample site")
    for column in ("run", "requests", "seconds", "peak RSS MiB"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for label, r in (("first (full, archives)", first), ("incremental (REST sweep)", second)):
        table.add_row(label, str(r["requests"]), f"{r['seconds']:.1f}", f"{r['peak_rss_mib']:.0f}")
    console.print(table)
    console.print(
        f"incremental / first: {second['requests'] / first['requests']:.1%} of the requests, "
        f"{second['seconds'] / first['seconds']:.1%} of the time"
    )
    return {"first": first, "incremental": second}


if __name__ == "__main__":
    main()
