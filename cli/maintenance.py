"""``laocorpus rehash`` and ``laocorpus reparse``: bringing a stored corpus up to today's code.

``rehash`` re-applies the current Lao normalization (corpus/rehash.py) and refreshes the
near-duplicates; ``reparse`` re-extracts every archived page offline (jobs/reparse.py). Both are
idempotent.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from cli.errors import EXIT_LOCKED, writable_dir
from cli.options import (
    DB_OPTION,
    WARC_DIR_OPTION,
    console,
    date_option,
    err_console,
    lock_dir_option,
)
from cli.tables import SECTION, print_counts
from corpus.db import open_existing, resolve_url

if TYPE_CHECKING:
    from jobs.reparse import ReparseResult


@click.command("rehash")
@DB_OPTION
@click.option("--check", is_flag=True, help="Only count what would change; exit 1 if stale.")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
def rehash_command(database: str | None, check: bool, batch_size: int) -> None:
    """Re-apply the current Lao normalization to a stored corpus (texts, hashes, duplicates).

    Run it after upgrading laocorpus when the normalization rules changed; it is idempotent.
    """
    from analysis import neardup
    from cli.progress import counting_bar
    from corpus.rehash import rehash

    engine = open_existing(resolve_url(database), read_only=check)
    with counting_bar(err_console, "rehash") as bar:
        task = bar.add_task("rehash", total=None)
        result = rehash(
            engine,
            batch_size=batch_size,
            check=check,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if check:
        click.echo(
            f"rehash --check: {result.posts:,} posts, {result.texts_changed:,} texts and "
            f"{result.hashes_changed:,} hashes stale"
        )
        if result.stale:
            raise click.exceptions.Exit(1)
        return
    click.echo(result.summary())
    near_duplicates = neardup.refresh(engine)
    if near_duplicates is not None:
        click.echo(f"near-duplicates refreshed: {near_duplicates:,} in corpus")


@click.command("reparse")
@click.option("--site", help="Only this site (default: every site in the archive).")
@click.option(
    "--since",
    metavar="DATE",
    help="Only pages archived on or after this date (YYYY-MM-DD, Vientiane time).",
)
@DB_OPTION
@WARC_DIR_OPTION
@lock_dir_option("a site being crawled is not reparsed")
def reparse(
    site: str | None,
    since: str | None,
    database: str | None,
    warc_dir: Path | None,
    lock_dir: Path,
) -> None:
    """Re-extract the corpus from the archived pages with the current code, offline."""
    from corpus.lock import LockHeld
    from crawler.archive import archive_dir, read_archive
    from jobs.reparse import reparse_sites, settings_for

    since_at = date_option(since, "--since")
    url = resolve_url(database)
    settings = settings_for(url, warc_dir)
    directory = archive_dir(settings)
    if directory is None:
        raise click.ClickException("the archive is switched off (CORPUS_WARC_DIR): give --warc-dir")
    if not directory.is_dir():
        raise click.ClickException(f"no archive at {directory}: crawl with archiving on first")
    sites = read_archive(directory, site)
    if not sites:
        where = f" for site {site!r}" if site else ""
        raise click.ClickException(f"the archive at {directory} holds no pages{where}")
    writable_dir(lock_dir)
    try:
        for result in reparse_sites(sites, url, settings, since_at, lock_dir):
            _print_reparse(console, result)
    except LockHeld as exc:
        click.echo(f"laocorpus: {exc}", err=True)
        raise SystemExit(EXIT_LOCKED) from None


def _print_reparse(console: Console, result: ReparseResult) -> None:
    """What changed, per field, and the run's counters: a table that fits 80 columns."""
    fields = sorted(result.fields.items(), key=lambda item: (-item[1], item[0]))
    rows = [*(fields or [("(none)", 0)]), SECTION]
    rows += [
        ("archived pages replayed", result.replayed),
        ("posts re-extracted", result.posts),
        ("new posts", result.new),
        ("updated posts", result.updated),
        ("  title or text revised", result.revised),
        ("unchanged posts", result.unchanged),
        ("rejected", result.rejected),
        ("left as stored: a page not archived", result.incomplete),
        ("left as stored: unreadable page", result.unreadable),
        ("near-duplicates in the corpus", result.near_duplicates),
    ]
    title = f"Reparse of {result.site} (run {result.run_id})"
    print_counts(console, title, rows, headers=("field", "posts changed"))
    for problem in result.problems:
        console.print(f"unreadable: {problem}", markup=False, highlight=False)


COMMANDS = (rehash_command, reparse)
