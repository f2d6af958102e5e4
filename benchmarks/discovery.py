"""``make bench`` part: the same 3,000-post site crawled through the REST API and through
the HTML archives by the generic ``wordpress`` spider, full pipeline, in one run."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from rich.table import Table

from benchmarks.run import REPO, console, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    results = {}
    with tempfile.TemporaryDirectory(prefix="laocorpus-bench-") as tmp:
        for source in ("rest", "sitemap", "archive"):
            results[source] = measure(
                args.posts,
                args.seed,
                False,
                Path(tmp),
                source,
                spider="wordpress",
                spider_args=(f"discovery={source}",),
            )
    table = Table(title=f"Discovery sources on a {args.posts}-post sample site (full pipeline)")
    for column in ("source", "posts", "requests", "seconds", "posts/s", "peak RSS MiB"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source, r in results.items():
        table.add_row(
            source,
            str(r["items"]),
            str(r["requests"]),
            f"{r['seconds']:.1f}",
            f"{r['items_per_second']:.1f}",
            f"{r['peak_rss_mib']:.0f}",
        )
    console.print(table)
    rest, html = results["rest"], results["archive"]
    console.print(
        f"REST vs HTML archives: {html['seconds'] / rest['seconds']:.1f}x faster, "
        f"{html['requests'] / rest['requests']:.0f}x fewer requests"
    )
    (REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "discovery.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
