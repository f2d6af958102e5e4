"""``make bench`` part: ``laocorpus crawl --all`` over three sites against three separate runs.

The sites: the lsr profile on the sample site's lsr face, the newsbox face as a generic
``[[site]]`` (its sitemaps), and a real WordPress with the REST API blocked (its feed and
post pages), each crawled first one after another with ``laocorpus crawl NAME``, then all at
once. Reported: both wall times and their ratio, and whether the two corpora hold the same
posts. Servers run in their own processes, so their work does not share the crawler's GIL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from rich.table import Table

from benchmarks.run import REPO, console

LAOCORPUS = Path(sys.executable).with_name("laocorpus")


def face_server(posts: int, seed: int, theme: str, permalinks: str, rest: str, port: int):
    command = [sys.executable, "-m", "testing.samplesite", "--port", str(port)]
    command += ["--posts", str(posts)]
    command += ["--seed", str(seed), "--theme", theme, "--permalinks", permalinks, "--rest", rest]
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def laocorpus(*args: str, cwd: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CORPUS_DATABASE_URL", None)
    started = time.perf_counter()
    done = subprocess.run([str(LAOCORPUS), *args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"laocorpus {' '.join(args)} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def post_urls(database_url: str) -> set[tuple[str, str, str]]:
    from sqlalchemy import select

    from corpus.db import get_engine
    from corpus.models import Post

    with get_engine(database_url).connect() as db:
        return {tuple(row) for row in db.execute(select(Post.site, Post.url, Post.content_hash))}


def main() -> None:
    from testing.realwp import Variant, WordPressSite, unavailable_reason
    from testing.realwp.bulk import add_posts
    from testing.realwp.site import free_port

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1000, help="posts of each sample-site face")
    parser.add_argument("--wordpress-posts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2, help="alternations (noisy machine)")
    args = parser.parse_args()
    if reason := unavailable_reason():
        console.print(f"[yellow]real WordPress unavailable ({reason}): crawl --all not measured")
        return
    ports = (free_port(), free_port())
    with WordPressSite(Variant(rest="blocked")) as wordpress, tempfile.TemporaryDirectory() as tmp:
        add_posts(wordpress, args.wordpress_posts, timedelta(days=1))
        work = Path(tmp)
        times: dict[str, list[float]] = {"one after another": [], "--all": []}
        corpora: dict[str, set] = {}
        rounds = [label for _ in range(args.rounds) for label in times]
        for number, label in enumerate(rounds):
            servers = [
                face_server(args.posts, 1, "lsr", "pretty", "on", ports[0]),
                face_server(args.posts, 2, "newsbox", "plain", "off", ports[1]),
            ]
            try:
                (lsr_url, newsbox_url) = (url for _, url in servers)
                sites = work / "sites.toml"
                sites.write_text(
                    f'[profiles]\nlsr = {{ url = "{lsr_url}" }}\n'
                    "sample_newsbox = { enabled = false }\n\n"
                    f'[[site]]\nname = "newsbox-face"\nurl = "{newsbox_url}"\n\n'
                    f'[[site]]\nname = "realwp"\nurl = "{wordpress.base_url}"\n',
                    encoding="utf-8",
                )
                db = f"sqlite:///{work / f'{number}.sqlite'}"
                common = ("--sites", str(sites), "--db", db)
                with console.status(f"round {number // 2 + 1}: crawl {label}"):
                    if label == "--all":
                        seconds = laocorpus("crawl", "--all", *common, cwd=work)
                    else:
                        seconds = sum(
                            laocorpus("crawl", name, *common, cwd=work)
                            for name in ("lsr", "newsbox-face", "realwp")
                        )
                times[label].append(seconds)
                corpora[label] = post_urls(db)
            finally:
                for server, _ in servers:
                    server.terminate()
                    server.wait(timeout=10)
    same = corpora["one after another"] == corpora["--all"]
    table = Table(
        title=f"Three sites ({args.posts} + {args.posts} + {args.wordpress_posts + 40} posts)"
    )
    table.add_column("crawl")
    table.add_column("wall seconds, each round", justify="right")
    table.add_column("posts", justify="right")
    for label, seconds in times.items():
        table.add_row(label, " ".join(f"{s:.1f}" for s in seconds), str(len(corpora[label])))
    console.print(table)
    ratios = sorted(a / b for a, b in zip(times["--all"], times["one after another"], strict=True))
    console.print(
        f"--all / three runs one after another: {statistics.median(ratios):.2f} of the wall "
        f"time (median of {len(ratios)} rounds; best {ratios[0]:.2f}); "
        f"same posts: {'yes' if same else 'NO'}"
    )
    (REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "crawl_all.json").write_text(
        json.dumps({"seconds": times, "ratios": ratios, "same_posts": same}, indent=1)
    )
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
