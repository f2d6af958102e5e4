"""What several ``laocorpus`` commands share: the corpus option, dates, URLs, consoles.

Why one module: ``--db``, ``--since`` and ``--site`` mean the same to every command, and an
unknown site or a bad date is the same one-line error wherever it is given.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console

from corpus.db import open_existing, resolve_url

console = Console()
err_console = Console(stderr=True)


def lock_dir_option(why: str):
    """``--lock-dir``: where the one-crawl-at-a-time locks live (data/locks)."""
    return click.option(
        "--lock-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("data/locks"),
        show_default=True,
        help=f"Where the crawl locks live: {why}.",
    )


WARC_DIR_OPTION = click.option(
    "--warc-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The raw-page archive (default: CORPUS_WARC_DIR, else warc/ beside a SQLite corpus, "
    "else data/warc).",
)


def crawl_settings(lock_dir: Path, warc_dir: Path | None) -> dict[str, str]:
    """The settings ``--lock-dir`` and ``--warc-dir`` give a crawl."""
    settings = {"CORPUS_LOCK_DIR": str(lock_dir)}
    if warc_dir is not None:
        settings["CORPUS_WARC_DIR"] = str(warc_dir)
    return settings


DB_OPTION = click.option(
    "--db",
    "database",
    metavar="URL",
    help="Corpus database URL (default: $CORPUS_DATABASE_URL, else sqlite:///data/corpus.sqlite).",
)


def open_corpus(database: str | None, site: str | None = None):
    """The corpus, read-only, with ``--site`` checked: an unknown site is the same error
    for every command (``check_site``), never an empty result."""
    from publish.export import FilterError, check_site

    engine = open_existing(resolve_url(database))
    if site is not None:
        try:
            check_site(engine, site)
        except FilterError as exc:
            raise click.BadParameter(str(exc), param_hint=exc.option) from None
    return engine


def date_option(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date like 2016-11-25", param_hint=name
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo("Asia/Vientiane"))


def http_url(value: str | None) -> str | None:
    """An http(s) URL with a host, or a usage error naming the option."""
    from urllib.parse import urlsplit

    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http(s) URL like https://example.la")
    return value


def check_project_settings() -> None:
    """The Scrapy settings a crawl will use, validated before it starts (one line if bad)."""
    import os

    from scrapy.utils.project import get_project_settings

    from crawler.settings_check import SettingsError, check_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    try:
        check_settings(get_project_settings())
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
