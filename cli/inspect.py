"""``laocorpus runs`` and ``laocorpus stats``: what the corpus holds and how it got there.

The figures are analysis/stats.py's (the corpus card repeats them); here they are laid out as
tables that stay readable at 80 columns (cli/tables.py).
"""

from __future__ import annotations

import click
from rich.table import Table

from cli.options import DB_OPTION, console, open_corpus
from schema import SUMMARY_COUNTERS


@click.command()
@DB_OPTION
@click.option("--site", help="Only this site.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
def runs(database: str | None, site: str | None, limit: int) -> None:
    """Recent crawl runs with their counters."""
    from analysis.stats import recent_runs

    print_runs(recent_runs(open_corpus(database, site), site=site, limit=limit))


@click.command()
@DB_OPTION
@click.option("--site", help="Only this site.")
def stats(database: str | None, site: str | None) -> None:
    """Counts by year, month, category and author; duplicates; rejects; coverage; crawl runs."""
    from analysis.stats import corpus_stats, local_day, utc_minute
    from cli.tables import print_counts, print_records

    result = corpus_stats(open_corpus(database, site), site=site)
    totals = (
        ("posts", result.posts),
        ("unique posts", result.unique_posts),
        ("exact reposts", result.duplicates),
        ("near-duplicates", result.near_duplicates),
        ("near-duplicate clusters", result.near_duplicate_clusters),
        ("posts without reposts", result.deduplicated),
        ("gone posts", result.gone),
        ("rejects", result.rejects),
        ("words", f"{result.words:,}"),
        ("characters", f"{result.characters:,}"),
        ("first published", local_day(result.first_published)),
        ("last published", local_day(result.last_published)),
    )
    print_counts(console, "Corpus", totals)
    print_records(
        console,
        "Sources",
        ("site", "address", "posts", "gone", "crawls", "first crawl (UTC)", "last crawl (UTC)"),
        [
            (
                source.site,
                ", ".join(source.hosts),
                str(source.posts),
                str(source.gone),
                str(source.crawls),
                utc_minute(source.first_crawl),
                utc_minute(source.last_crawl),
            )
            for source in result.sources
        ],
        right={"posts", "gone", "crawls"},
    )
    for title, rows in (
        ("Posts by year", result.by_year),
        ("Posts by month", result.by_month),
        ("Posts by category", result.by_category),
        ("Posts by author", result.by_author),
        ("Rejects by reason", result.rejects_by_reason),
    ):
        counted = "posts" if "reason" not in title else "urls"
        print_counts(console, title, rows, headers=(title.split()[-1], counted))
    coverage = Table(title="Field coverage")
    coverage.add_column("field")
    coverage.add_column("posts", justify="right")
    coverage.add_column("share", justify="right")
    for name, count in result.field_coverage:
        share = f"{100 * count / result.posts:.1f}%" if result.posts else "-"
        coverage.add_row(name, str(count), share)
    console.print(coverage)
    print_runs(result.runs)


def print_runs(runs: list[dict]) -> None:
    """The runs as a table when it fits, else one block per run (cli/tables.py)."""
    from cli.tables import print_records

    columns = {
        "run": "id", "started (UTC)": "started_at", "spider": "spider", "mode": "mode",
        "source": "discovery", "status": "status", "reason": "finish_reason",
        **{counter.short: counter.column for counter in SUMMARY_COUNTERS},
        "verified": "posts_verified",
        "oldest check": "verified_oldest_at", "failure": "failure",
    }  # fmt: skip
    text = {"started (UTC)", "spider", "mode", "source", "status", "reason", "failure"}
    numbers = set(columns) - text
    rows = [[_run_cell(run, key) for key in columns.values()] for run in runs]
    print_records(console, "Recent crawl runs", list(columns), rows, right=numbers, heading=2)


def _run_cell(run: dict, key: str) -> str:
    """One cell of ``laocorpus runs``; the oldest verification shows as an age in days."""
    value = run.get(key)
    if value is None:
        return ""
    if key == "started_at":
        return f"{value:%Y-%m-%d %H:%M}"
    if key == "verified_oldest_at":  # how stale the site's least recently verified post was
        age = (run.get("finished_at") or run["started_at"]) - value
        return f"{max(age.total_seconds(), 0) / 86_400:.1f} d"
    return str(value)


COMMANDS = (runs, stats)
