"""``make bench`` part: the raw-page archive's cost, then ``laocorpus reparse``'s speed.

The full pipeline (clean, validate, dedup, store into SQLite) crawls the same sample site
with the WARC archive on and off, in alternating rounds, each crawl in its own process against
a fresh server process; the figure is the throughput ratio on/off (target: at least 0.90),
in posts per second and, because this machine is shared, in posts per CPU-second of the
crawler process (every thread, the WARC writer's included).
The archive's size per 1,000 posts is reported for a first crawl and for a re-crawl of the
unchanged site into the same archive (revisit records: headers only). Then one reparse of the
first corpus from its archive is timed.
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


def crawl_at(base_url: str, db: str, settings: list[str]) -> dict:
    """One measured crawl (benchmarks/crawl_once.py) in its own process."""
    command = [sys.executable, "-m", "benchmarks.crawl_once", "--base-url", base_url]
    command += ["--db", db]
    for setting in settings:
        command += ["--setting", setting]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def crawl(posts: int, seed: int, db: str, settings: list[str]) -> dict:
    """One measured crawl of a fresh sample-site process."""
    server, base_url = serve(posts, seed)
    try:
        return crawl_at(base_url, db, settings)
    finally:
        server.terminate()
        server.wait(timeout=10)


def recrawl_bytes(posts: int, seed: int, work: Path) -> tuple[int, int, int]:
    """(items, bytes of a first crawl, bytes a second crawl of the same server adds): a fresh
    server process listens on another port, so its pages (their links) are other bytes."""
    warc = work / "recrawl-warc"
    server, base_url = serve(posts, seed)
    try:
        first = crawl_at(
            base_url, f"sqlite:///{work / 'first.sqlite'}", [f"CORPUS_WARC_DIR={warc}"]
        )
        first_bytes = warc_bytes(warc)
        names = {path.name for path in warc.glob("*.warc.gz")}
        crawl_at(base_url, f"sqlite:///{work / 'second.sqlite'}", [f"CORPUS_WARC_DIR={warc}"])
        return first["items"], first_bytes, warc_bytes(warc, names)
    finally:
        server.terminate()
        server.wait(timeout=10)


def warc_bytes(directory: Path, names: set[str] | None = None) -> int:
    return sum(
        path.stat().st_size
        for path in directory.glob("*.warc.gz")
        if names is None or path.name not in names
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="Alternate runs; keep the best.")
    args = parser.parse_args()

    runs: dict[str, list[dict]] = {"archive off": [], "archive on": []}
    with tempfile.TemporaryDirectory(prefix="laocorpus-bench-archive-") as tmp:
        work = Path(tmp)
        for round_number in range(args.repeat):
            # the order alternates: the first crawl of a round tends to run slower
            for label in list(runs)[:: 1 if round_number % 2 == 0 else -1]:
                folder = work / f"{label.replace(' ', '-')}-{round_number}"
                folder.mkdir()
                db = f"sqlite:///{folder / 'corpus.sqlite'}"
                settings = [f"CORPUS_WARC_DIR={folder / 'warc'}"]
                if label == "archive off":
                    settings = ["CORPUS_WARC_ENABLED=False"]
                with console.status(f"{label}, round {round_number + 1}: {args.posts} posts"):
                    result = crawl(args.posts, args.seed, db, settings)
                result["warc_bytes"] = warc_bytes(folder / "warc") if label != "archive off" else 0
                runs[label].append(result)
        first = work / "archive-on-0"
        with console.status("two crawls of one unchanged site into one archive"):
            recrawled, first_bytes, revisit_bytes = recrawl_bytes(args.posts, args.seed, work)
        with console.status("reparse of the first corpus from its archive"):
            started = time.perf_counter()
            command = [sys.executable, "-m", "cli.main", "reparse"]
            command += ["--db", str(first / "corpus.sqlite"), "--warc-dir", str(first / "warc")]
            command += ["--lock-dir", str(work)]
            subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
            reparse_seconds = time.perf_counter() - started

    best = {
        label: max(results, key=lambda r: r["items_per_second"]) for label, results in runs.items()
    }
    table = Table(title=f"Full pipeline, {args.posts}-post sample site (best of {args.repeat})")
    for column in ("run", "items", "seconds", "posts/s", "CPU s", "peak RSS MiB", "WARC MB"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for label, r in best.items():
        table.add_row(
            label,
            str(r["items"]),
            f"{r['seconds']:.1f}",
            f"{r['items_per_second']:.1f}",
            f"{r['cpu_seconds']:.1f}",
            f"{r['peak_rss_mib']:.0f}",
            f"{r['warc_bytes'] / 1e6:.1f}",
        )
    console.print(table)
    ratio = best["archive on"]["items_per_second"] / best["archive off"]["items_per_second"]
    paired = sorted(
        on["items_per_second"] / off["items_per_second"]
        for off, on in zip(runs["archive off"], runs["archive on"], strict=True)
    )
    median = paired[len(paired) // 2]
    # Posts per CPU-second of the crawler process (all its threads): what the archive costs,
    # whatever else the machine runs; each run's best, and the median of the paired rounds.
    cpu = {
        label: min(r["cpu_seconds"] / r["items"] for r in results)
        for label, results in runs.items()
    }
    cpu_ratio = cpu["archive off"] / cpu["archive on"]
    cpu_paired = sorted(
        (off["cpu_seconds"] / off["items"]) / (on["cpu_seconds"] / on["items"])
        for off, on in zip(runs["archive off"], runs["archive on"], strict=True)
    )
    cpu_median = cpu_paired[len(cpu_paired) // 2]
    items = best["archive on"]["items"]
    per_thousand = first_bytes / recrawled * 1000 / 1e6
    revisit_per_thousand = revisit_bytes / recrawled * 1000 / 1e6
    console.print(
        f"archive on / off = [bold]{ratio:.2f}[/] best-of, {median:.2f} median of "
        f"{len(paired)} paired rounds (target ≥ 0.90)"
    )
    console.print(
        f"per CPU-second, on / off = [bold]{cpu_ratio:.2f}[/] best-of, {cpu_median:.2f} median"
    )
    console.print(f"archive: {per_thousand:.2f} MB per 1,000 posts, first crawl")
    console.print(f"archive: {revisit_per_thousand:.2f} MB per 1,000 posts, unchanged re-crawl")
    console.print(
        f"reparse of {items} posts: {reparse_seconds:.1f} s ({items / reparse_seconds:.0f} posts/s)"
    )
    Path(REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "archive.json").write_text(
        json.dumps(
            {
                "posts": args.posts,
                "best": best,
                "ratio": ratio,
                "median_ratio": median,
                "cpu_ratio": cpu_ratio,
                "cpu_median_ratio": cpu_median,
                "mb_per_1000_posts": per_thousand,
                "revisit_mb_per_1000_posts": revisit_per_thousand,
                "reparse_seconds": reparse_seconds,
                "all": runs,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
