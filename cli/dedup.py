"""``laocorpus dedup``: near-duplicate detection (analysis/neardup/) from the command line."""

from __future__ import annotations

import click

from cli.options import DB_OPTION, console, err_console
from cli.tables import print_counts
from corpus.db import open_existing, resolve_url


@click.command()
@DB_OPTION
@click.option(
    "--threshold",
    type=click.FloatRange(0.05, 1.0),
    default=0.5,
    show_default=True,
    help="Jaccard similarity of Lao syllable shingles from which two posts are near-duplicates.",
)
@click.option("--rebuild", is_flag=True, help="Forget stored signatures and pairs; start over.")
def dedup(database: str | None, threshold: float, rebuild: bool) -> None:
    """Find near-duplicate posts (reposts with small edits) and link them to their original.

    Incremental: only posts not yet indexed are hashed and compared against the index.
    """
    from analysis import neardup
    from cli.progress import counting_bar

    engine = open_existing(resolve_url(database), read_only=False)  # it stores what it finds
    with counting_bar(err_console) as progress:
        task = progress.add_task("hashing", total=None)

        def report(stage: str, done: int, total: int | None) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        result = neardup.update(engine, threshold, rebuild=rebuild, progress=report)
    rows = (
        ("signatures computed", result.signatures),
        ("posts compared", result.compared),
        ("band collisions", result.collisions),
        ("candidate pairs", result.candidates),
        ("similar pairs", result.similar),
        ("near-duplicates in corpus", result.near_duplicates),
        ("clusters in corpus", result.clusters),
        ("seconds", f"{result.seconds:.1f}"),
    )
    print_counts(console, "Near-duplicates", rows)


COMMANDS = (dedup,)
