"""One measured task in its own process; prints a JSON line with its time and peak memory.

Why a process per task: peak RSS (``ru_maxrss``) only ever grows, so each size of each
benchmark needs a fresh interpreter for its memory figure to mean anything.

    python -m benchmarks.measure neardup --db sqlite:///x.sqlite [--threshold 0.5]
    python -m benchmarks.measure export --db sqlite:///x.sqlite --format parquet --output f
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def run(*args: str) -> dict[str, Any]:
    """Run one task in a child interpreter and return its JSON report."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark task {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB.

    ``VmHWM`` belongs to the address space ``exec`` created, while ``ru_maxrss`` survives
    ``execve`` and would report the parent's memory at ``fork`` when the parent is bigger.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _neardup(args: argparse.Namespace) -> dict[str, Any]:
    from analysis import neardup
    from corpus.db import init_db

    result = neardup.update(init_db(args.db), args.threshold, rebuild=args.rebuild)
    return asdict(result)


def _export(args: argparse.Namespace) -> dict[str, Any]:
    from corpus.db import init_db
    from publish.export import export

    count = export(init_db(args.db), Path(args.output), args.format)
    return {"posts": count, "bytes": Path(args.output).stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    tasks = parser.add_subparsers(dest="task", required=True)
    near = tasks.add_parser("neardup")
    near.add_argument("--db", required=True)
    near.add_argument("--threshold", type=float, default=0.5)
    near.add_argument("--rebuild", action="store_true")
    near.set_defaults(run=_neardup)
    out = tasks.add_parser("export")
    out.add_argument("--db", required=True)
    out.add_argument("--format", default="parquet")
    out.add_argument("--output", required=True)
    out.set_defaults(run=_export)
    args = parser.parse_args()
    started = time.perf_counter()
    report = args.run(args)
    report["seconds"] = time.perf_counter() - started
    report["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
