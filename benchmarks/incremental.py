"""``make bench`` part: a first crawl of a 5,000-post sample site, then an incremental one.

The second run is what cron pays every few hours; its requests and time are reported as a
share of the first run, measured against the same server in the same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.table import Table

from benchmarks.run import REPO, console, serve


def crawl(base_url: str, db: str) -> dict:
    command = [sys.executable, "-m", "benchmarks.crawl_once", "--base-url", base_url, "--db", db]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=5000)
    args = parser.parse_args()
    server, base_url = serve(args.posts, 1)
    try:
        with tempfile.TemporaryDirectory(prefix="laocorpus-bench-") as tmp:
            db = f"sqlite:///{Path(tmp) / 'corpus.sqlite'}"
            with console.status(f"first crawl of {args.posts} posts"):
                first = crawl(base_url, db)
            with console.status("incremental crawl"):
                second = crawl(base_url, db)
    finally:
        server.terminate()
        server.wait(timeout=10)
    table = Table(title=f"First and incremental crawl of a {args.posts}-post sample site")
    for column in ("run", "requests", "seconds", "peak RSS MiB"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for label, r in (("first (full, archives)", first), ("incremental (REST sweep)", second)):
        table.add_row(label, str(r["requests"]), f"{r['seconds']:.1f}", f"{r['peak_rss_mib']:.0f}")
    console.print(table)
    console.print(
        f"incremental / first: {second['requests'] / first['requests']:.1%} of the requests, "
        f"{second['seconds'] / first['seconds']:.1%} of the time"
    )
    (REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "incremental.json").write_text(
        json.dumps({"first": first, "incremental": second}, indent=1)
    )


if __name__ == "__main__":
    main()
