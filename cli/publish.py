"""``laocorpus export``, ``card``, ``index`` and ``serve``: the corpus as researchers take it.

The work is publish/'s (streaming exports, the dataset card and its charts, the Lao search
index and Datasette); here: options checked into one-line errors, progress, and what was written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.errors import writing
from cli.options import DB_OPTION, console, date_option, err_console, open_corpus
from corpus.db import open_existing, resolve_url


@click.command()
@DB_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write ('-' for stdout, not for parquet); with --shard-rows, a directory.",
)
@click.option("--site", help="Only this site.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD, Vientiane time).")
@click.option("--until", help="Published before this date.")
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="NAME",
    help="Only posts in this category (repeat for any of several).",
)
@click.option(
    "--author", "authors", multiple=True, metavar="NAME", help="Only posts by this author."
)
@click.option("--fields", metavar="LIST", help="Comma-separated fields to write (default: all).")
@click.option("--dedup", is_flag=True, help="Leave out exact reposts and near-duplicates.")
@click.option("--exclude-gone", is_flag=True, help="Leave out posts since deleted on the site.")
@click.option(
    "--shard-rows",
    type=click.IntRange(min=1),
    metavar="N",
    help="Parquet shards of at most N rows, OUTPUT/<site>/train-00000-of-0000K.parquet "
    "(the layout of the corpus card's configs).",
)
def export(
    database: str | None,
    fmt: str,
    output: Path,
    site: str | None,
    since: str | None,
    until: str | None,
    categories: tuple[str, ...],
    authors: tuple[str, ...],
    fields: str | None,
    dedup: bool,
    exclude_gone: bool,
    shard_rows: int | None,
) -> None:
    """Export the corpus as JSON lines, CSV or Parquet, streaming in batches."""
    from cli.progress import counting_bar
    from publish.export import (
        FilterError,
        PostFilter,
        check_filter,
        count_posts,
        export_shards,
        iter_posts,
        parse_fields,
        write_csv,
        write_jsonl,
    )
    from publish.export import export as export_to

    to_stdout = str(output) == "-"
    if to_stdout and fmt == "parquet":
        raise click.BadParameter("parquet needs a file, not stdout", param_hint="--output")
    if shard_rows is not None and fmt != "parquet":
        raise click.BadParameter("needs --format parquet", param_hint="--shard-rows")
    if not to_stdout and not output.parent.exists():
        raise click.BadParameter(f"directory {output.parent} does not exist", param_hint="--output")
    if shard_rows is not None and output.exists() and not output.is_dir():
        raise click.BadParameter(f"{output} is a file, not a directory", param_hint="--output")
    if shard_rows is None and output.is_dir():
        raise click.BadParameter(f"{output} is a directory", param_hint="--output")
    filters = PostFilter(
        site=site,
        since=date_option(since, "--since"),
        until=date_option(until, "--until"),
        exclude_duplicates=dedup,
        exclude_gone=exclude_gone,
        categories=categories,
        authors=authors,
    )
    try:
        chosen = parse_fields(fields)
        engine = open_existing(resolve_url(database))
        check_filter(engine, filters)
    except FilterError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.option) from None
    if to_stdout:
        writer = write_csv if fmt == "csv" else write_jsonl
        with writing("to stdout"):
            writer(iter_posts(engine, filters), sys.stdout, chosen)
            sys.stdout.flush()
        return
    with counting_bar(err_console, "exporting") as progress:
        task = progress.add_task("export", total=count_posts(engine, filters))
        advance = lambda n: progress.advance(task, n)  # noqa: E731
        with writing(output):
            if shard_rows is None:
                count = export_to(engine, output, fmt, filters, chosen, advance)
            else:
                per_site = export_shards(engine, output, shard_rows, filters, chosen, advance)
                count = sum(per_site.values())
    if shard_rows is None:
        err_console.print(f"wrote {count} posts to {output}")
    else:
        shards = sum(-(-n // shard_rows) for n in per_site.values())
        err_console.print(
            f"wrote {count} posts to {output}: {shards} shards in {len(per_site)} site folders",
            soft_wrap=True,
        )


@click.command()
@DB_OPTION
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/card"),
    show_default=True,
    help="Directory for the card (README.md, a Hugging Face dataset card) and its charts.",
)
@click.option("--site", help="Only this site.")
@click.option(
    "--license",
    "license_id",
    default="other",
    show_default=True,
    metavar="ID",
    help="Licence id for the card's metadata (Hugging Face's, e.g. cc-by-4.0).",
)
def card(database: str | None, output: Path, site: str | None, license_id: str) -> None:
    """Write the corpus card: a Hugging Face dataset card with counts, charts and schema.

    Its configs point at OUTPUT/data/<site>/train-*.parquet: write those shards with
    `laocorpus export --format parquet --shard-rows N --output OUTPUT/data`.
    """
    import re
    import warnings

    from publish.card import DATA_DIR, write_card
    from publish.charts import ChartWarning
    from publish.export import PostFilter, count_posts

    if not output.parent.exists():
        raise click.BadParameter(f"directory {output.parent} does not exist", param_hint="--output")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.+-]*", license_id):
        raise click.BadParameter(
            f"{license_id!r} is not a licence id like cc-by-4.0", param_hint="--license"
        )
    engine = open_corpus(database, site)
    with writing(output), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ChartWarning)
        files = write_card(engine, output, site=site, license=license_id)
    for warning in caught:
        if not issubclass(warning.category, ChartWarning):
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )
            continue
        err_console.print(
            f"laocorpus: warning: {warning.message}", markup=False, highlight=False, soft_wrap=True
        )
    charts = ", ".join(f.name for f in files[1:]) or "no charts"
    err_console.print(f"wrote {files[0]} ({charts})", markup=False, highlight=False, soft_wrap=True)
    posts = count_posts(engine, PostFilter(site=site))
    if posts and not any((output / DATA_DIR).glob("*/train-*.parquet")):
        err_console.print(
            f"no shards in {output / DATA_DIR} yet: laocorpus export --format parquet "
            f"--shard-rows 100000 --output {output / DATA_DIR}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _index_lao_words(path: Path) -> None:
    from publish import serve as browsing

    with err_console.status("indexing Lao words") as status:
        refreshed = browsing.build_search_index(
            path, lambda done, total: status.update(f"indexing Lao words: {done:,}/{total:,}")
        )
    err_console.print(refreshed.summary())


@click.command()
@DB_OPTION
def index(database: str | None) -> None:
    """Build or refresh the Lao search index that `serve` uses, without serving.

    Incremental: only new, changed and deleted posts are indexed again. Run it before
    archiving a corpus to read-only storage, where `serve` cannot write the index.
    """
    from publish import serve as browsing

    url = resolve_url(database)
    path = browsing.sqlite_path(url)
    open_existing(url)
    if not browsing.writable(path):
        raise click.ClickException(f"cannot write {path}: the index is stored in the corpus")
    _index_lao_words(path)


@click.command()
@DB_OPTION
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
def serve(database: str | None, port: int) -> None:
    """Browse the SQLite corpus in Datasette on 127.0.0.1, read-only, with Lao search.

    The Lao word index (posts_fts) and the readable posts_browse table are refreshed first.
    """
    from publish import serve as browsing

    url = resolve_url(database)
    path = browsing.sqlite_path(url)
    open_existing(url)  # a corpus this code can read: current schema, tables all there
    if browsing.writable(path):
        _index_lao_words(path)
    elif browsing.has_search_index(path):
        err_console.print("read-only corpus: serving its search index as it is")
    else:
        err_console.print("read-only corpus without a search index: serving it without search")
    console.print(
        f"Serving {path} read-only at [bold]http://{browsing.HOST}:{port}/{path.stem}[/] "
        "(Ctrl-C to stop)"
    )
    try:
        browsing.serve(path, port)
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {browsing.HOST}:{port}: {exc}") from None


COMMANDS = (export, card, index, serve)
