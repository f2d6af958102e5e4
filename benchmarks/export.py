"""Export of a 100,000-post generated corpus: time and peak memory per format.

Each export runs in its own process (``benchmarks.measure``), so its peak memory is its own;
flat memory means the peak does not grow with the corpus, which the 25k figure shows.

    python -m benchmarks.export [--sizes 25000 100000] [--formats parquet jsonl csv]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import corpusgen
from benchmarks.measure import run

REPO = Path(__file__).resolve().parent.parent
console = Console(width=None if Console().is_terminal else 120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["parquet", "jsonl", "csv"])
    args = parser.parse_args()
    corpora = corpusgen.ensure_corpora(args.sizes, log=console.print)
    results = []
    with tempfile.TemporaryDirectory(prefix="laocorpus-export-") as tmp:
        for size in sorted(args.sizes):
            copy = Path(tmp) / f"export-{size}.sqlite"
            shutil.copyfile(corpora[size], copy)
            for fmt in args.formats:
                output = Path(tmp) / f"posts-{size}.{fmt}"
                with console.status(f"exporting {size:,} posts to {fmt}"):
                    database, target = f"sqlite:///{copy}", str(output)
                    report = run("export", "--db", database, "--format", fmt, "--output", target)
                results.append({"size": size, "format": fmt, **report})
                output.unlink()
            copy.unlink()
    table = Table(title="laocorpus export (each run in its own process)")
    for column in ("posts", "format", "seconds", "posts/s", "file MiB", "peak RSS MiB"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            f"{r['posts']:,}",
            r["format"],
            f"{r['seconds']:.1f}",
            f"{r['posts'] / r['seconds']:,.0f}",
            f"{r['bytes'] / 2**20:.0f}",
            f"{r['peak_rss_mib']:.0f}",
        )
    console.print(table)
    (REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "export.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
