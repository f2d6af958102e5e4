"""``make bench``: crawl a large sample site with and without the item pipelines.

The run without pipelines is the ceiling (download + extraction only); the full pipeline
(clean, validate, dedup, store into SQLite) is reported as a ratio of it, measured in the same
run on the same machine, because absolute rates on a shared 2-core machine mean little.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
console = Console()


def serve(posts: int, seed: int) -> tuple[subprocess.Popen, str]:
    """The sample site in its own process, so it does not share the crawler's GIL."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "testing.samplesite",
            "--port",
            "0",
            "--posts",
            str(posts),
            "--seed",
            str(seed),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def measure(
    posts: int,
    seed: int,
    no_pipelines: bool,
    workdir: Path,
    label: str,
    spider: str = "lsr",
    spider_args: tuple[str, ...] = (),
) -> dict:
    """One crawl of a fresh sample-site process, measured in its own crawler process."""
    server, base_url = serve(posts, seed)
    try:
        db = f"sqlite:///{workdir / (label + '.sqlite')}"
        command = [
            sys.executable,
            "-m",
            "benchmarks.crawl_once",
            "--base-url",
            base_url,
            "--db",
            db,
            "--spider",
            spider,
        ]
        for argument in spider_args:
            command += ["--spider-arg", argument]
        if no_pipelines:
            command.append("--no-pipelines")
        with console.status(f"{label}: crawling {posts} posts at {base_url}"):
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="Alternate runs; keep the best.")
    args = parser.parse_args()

    results: dict[str, list[dict]] = {"ceiling (no pipelines)": [], "full pipeline (SQLite)": []}
    with tempfile.TemporaryDirectory(prefix="laocorpus-bench-") as tmp:
        for round_number in range(args.repeat):
            for label, no_pipelines in (
                ("ceiling (no pipelines)", True),
                ("full pipeline (SQLite)", False),
            ):
                tag = f"{'ceiling' if no_pipelines else 'full'}-{round_number}"
                results[label].append(measure(args.posts, args.seed, no_pipelines, Path(tmp), tag))

    best = {
        label: max(runs, key=lambda r: r["items_per_second"]) for label, runs in results.items()
    }
    table = Table(title=f"Crawl of a {args.posts}-post sample site (best of {args.repeat})")
    for column in ("run", "items", "requests", "seconds", "posts/s", "peak RSS MiB"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for label, r in best.items():
        table.add_row(
            label,
            str(r["items"]),
            str(r["requests"]),
            f"{r['seconds']:.1f}",
            f"{r['items_per_second']:.1f}",
            f"{r['peak_rss_mib']:.0f}",
        )
    console.print(table)
    ceiling, full = best["ceiling (no pipelines)"], best["full pipeline (SQLite)"]
    ratio = full["items_per_second"] / ceiling["items_per_second"]
    rounds = sorted(
        f["items_per_second"] / c["items_per_second"]
        for c, f in zip(
            results["ceiling (no pipelines)"], results["full pipeline (SQLite)"], strict=True
        )
    )
    median = rounds[len(rounds) // 2]
    console.print(
        f"full pipeline / ceiling = [bold]{ratio:.2f}[/] best-of, {median:.2f} median of "
        f"{len(rounds)} paired rounds (target ≥ 0.80)"
    )
    Path(REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "crawl.json").write_text(
        json.dumps(
            {
                "posts": args.posts,
                "best": best,
                "ratio": ratio,
                "median_ratio": median,
                "all": results,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
