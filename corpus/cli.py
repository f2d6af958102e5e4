"""``laocorpus``: the command-line tool for crawling, inspecting and exporting the corpus.

Misuse and environment problems print one line on stderr and exit non-zero; tracebacks are
for bugs only.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from corpus.db import CorpusError, init_db, mask_url, open_existing, resolve_url

console = Console()
err_console = Console(stderr=True)

DEMO_PORT = 8765

DB_OPTION = click.option(
    "--db",
    "database",
    metavar="URL",
    help="Corpus database URL (default: $CORPUS_DATABASE_URL, else sqlite:///data/corpus.sqlite).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lao-news-corpus")
def cli() -> None:
    """Lao News Corpus: crawl Lao news blogs into a clean SQL corpus and export it."""


# -- crawling -----------------------------------------------------------------------------


@cli.command()
@click.argument("site")
@DB_OPTION
@click.option("--base-url", metavar="URL", help="Crawl a mirror instead of the live site.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Append Scrapy's log here.")
def crawl(site: str, database: str | None, base_url: str | None, log_file: str | None) -> None:
    """Crawl SITE (a site profile name, e.g. lsr) into the corpus."""
    from crawler.sites import registry

    if site not in registry():
        raise click.BadParameter(
            f"unknown site {site!r} (known: {', '.join(sorted(registry()))})", param_hint="SITE"
        )
    url = resolve_url(database)
    init_db(url)
    args = {"base_url": base_url} if base_url else {}
    outcome = _crawl(site, url, args, log_file=log_file or "data/logs/crawl.log")
    if not outcome.ok:
        raise click.ClickException(f"crawl ended with reason {outcome.finish_reason!r}")


@cli.command()
@DB_OPTION
@click.option("--posts", default=120, show_default=True, type=click.IntRange(40, 50_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option(
    "--port",
    default=DEMO_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Sample-site port; a free one if taken (a fixed port keeps URLs stable across demos).",
)
def demo(database: str | None, posts: int, seed: int, port: int) -> None:
    """Serve the sample site, crawl it with the lsr spider, and summarize the corpus."""
    from samplesite.server import SampleSite, make_server

    url = resolve_url(database)
    init_db(url)
    site = SampleSite(posts=posts, seed=seed)
    try:
        server = make_server(site, port=port)
    except OSError:
        server = make_server(site, port=0)
    with server:
        console.print(
            f"Sample site with {posts} posts at [bold]{server.base_url}[/] (127.0.0.1 only)"
        )
        outcome = _crawl(
            "lsr",
            url,
            {"base_url": server.base_url},
            log_file="data/logs/demo.log",
            expected_posts=posts,
        )
    _print_summary(url, outcome.run_id)
    _check_ground_truth(url, site, server.base_url)
    console.print(f"Corpus: [bold]{mask_url(url)}[/]   Scrapy log: data/logs/demo.log")
    console.print("Next: laocorpus stats · laocorpus export --format jsonl --output posts.jsonl")
    if not outcome.ok:
        raise click.ClickException(f"crawl ended with reason {outcome.finish_reason!r}")


def _check_ground_truth(url: str, site, base_url: str) -> None:
    """Compare the corpus with what the sample site planted, field by field."""
    from corpus.verify import differences
    from samplesite.groundtruth import ground_truth

    truth = ground_truth(site)
    problems = differences(init_db(url), truth, base_url)
    if problems:
        for problem in problems[:10]:
            err_console.print(f"  {problem}")
        raise click.ClickException(
            f"the corpus differs from the sample site's ground truth in {len(problems)} places"
        )
    console.print(
        f"[green]✓[/] corpus equals the ground truth: {len(truth['posts'])} posts field by field "
        f"({len(truth['reposts'])} repost flagged), {len(truth['rejects'])} rejects with reasons"
    )


def _crawl(
    spider: str, url: str, args: dict[str, str], *, log_file: str, expected_posts: int | None = None
):
    from corpus.crawl import run_crawl

    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    return run_crawl(
        spider,
        database_url=url,
        spider_args=args,
        log_file=log_file,
        console=err_console,
        expected_posts=expected_posts,
    )


def _print_summary(url: str, run_id: int | None) -> None:
    from corpus.stats import corpus_stats

    stats = corpus_stats(init_db(url))
    run = next((r for r in stats.runs if r["id"] == run_id), None)
    table = Table(title="Crawl summary", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    if run:
        duration = (run["finished_at"] - run["started_at"]).total_seconds()
        for label, key in (
            ("requests", "requests"),
            ("new posts", "posts_new"),
            ("updated posts", "posts_updated"),
            ("unchanged posts", "posts_unchanged"),
            ("duplicates found", "posts_duplicate"),
            ("rejected", "rejected"),
            ("errors", "errors"),
        ):
            table.add_row(label, str(run[key]))
        table.add_row("finish reason", str(run["finish_reason"]))
        table.add_row("duration", f"{duration:.1f} s")
    table.add_section()
    table.add_row("posts in corpus", str(stats.posts))
    table.add_row("  of which exact reposts", str(stats.duplicates))
    table.add_row("rejects in corpus", str(stats.rejects))
    table.add_row("words", f"{stats.words:,}")
    console.print(table)


# -- inspecting -----------------------------------------------------------------------------


@cli.command()
@DB_OPTION
@click.option("--site", help="Only this site.")
def stats(database: str | None, site: str | None) -> None:
    """Counts by year, category and author; rejects; recent crawl runs."""
    from corpus.stats import corpus_stats

    result = corpus_stats(open_existing(resolve_url(database)), site=site)
    totals = Table(title="Corpus", show_header=False)
    totals.add_column()
    totals.add_column(justify="right")
    for label, value in (
        ("posts", result.posts),
        ("unique posts", result.unique_posts),
        ("exact reposts", result.duplicates),
        ("rejects", result.rejects),
        ("words", f"{result.words:,}"),
        ("characters", f"{result.characters:,}"),
    ):
        totals.add_row(label, str(value))
    console.print(totals)
    for title, rows in (
        ("Posts by year", result.by_year),
        ("Posts by category", result.by_category),
        ("Posts by author", result.by_author),
        ("Rejects by reason", result.rejects_by_reason),
    ):
        table = Table(title=title)
        table.add_column(title.split()[-1])
        table.add_column("posts" if "reason" not in title else "urls", justify="right")
        for name, count in rows:
            table.add_row(str(name), str(count))
        console.print(table)
    _print_runs(result.runs)


def _print_runs(runs: list[dict]) -> None:
    table = Table(title="Recent crawl runs")
    for column in (
        "run",
        "spider",
        "started (UTC)",
        "status",
        "reason",
        "requests",
        "new",
        "updated",
        "unchanged",
        "dup",
        "rejected",
        "errors",
    ):
        table.add_column(
            column, justify="right" if column not in ("spider", "status", "reason") else "left"
        )
    for run in runs:
        table.add_row(
            str(run["id"]),
            run["spider"],
            f"{run['started_at']:%Y-%m-%d %H:%M}",
            run["status"],
            str(run["finish_reason"] or ""),
            str(run["requests"]),
            str(run["posts_new"]),
            str(run["posts_updated"]),
            str(run["posts_unchanged"]),
            str(run["posts_duplicate"]),
            str(run["rejected"]),
            str(run["errors"]),
        )
    console.print(table)


# -- exporting ------------------------------------------------------------------------------


def _date_option(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date like 2016-11-25", param_hint=name
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo("Asia/Vientiane"))


@cli.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write ('-' for stdout).",
)
@click.option("--site", help="Only this site.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD, Vientiane time).")
@click.option("--until", help="Published before this date.")
@click.option("--dedup", is_flag=True, help="Leave out exact reposts.")
def export(
    database: str | None,
    fmt: str,
    output: Path,
    site: str | None,
    since: str | None,
    until: str | None,
    dedup: bool,
) -> None:
    """Export the corpus, one JSON object per post."""
    from corpus.export import PostFilter, export_jsonl, iter_posts, write_jsonl

    filters = PostFilter(
        site=site,
        since=_date_option(since, "--since"),
        until=_date_option(until, "--until"),
        exclude_duplicates=dedup,
    )
    if str(output) != "-" and not output.parent.exists():
        raise click.BadParameter(f"directory {output.parent} does not exist", param_hint="--output")
    engine = open_existing(resolve_url(database))
    if str(output) == "-":
        write_jsonl(iter_posts(engine, filters), sys.stdout)
        return
    count = export_jsonl(engine, output, filters)
    err_console.print(f"wrote {count} posts to {output}")


# -- the sample site -----------------------------------------------------------------------


@cli.group("sample-site")
def sample_site() -> None:
    """The local stand-in for a Lao WordPress news blog (tests, demo, benchmarks)."""


@sample_site.command("serve")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--posts", default=120, show_default=True, type=click.IntRange(40, 50_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option(
    "--ground-truth", type=click.Path(dir_okay=False), help="Also write the ground truth."
)
def sample_site_serve(port: int, posts: int, seed: int, ground_truth: str | None) -> None:
    """Serve the sample site on 127.0.0.1 until interrupted."""
    from samplesite.groundtruth import write_ground_truth
    from samplesite.server import SampleSite, make_server

    site = SampleSite(posts=posts, seed=seed)
    if ground_truth:
        write_ground_truth(site, ground_truth)
    try:
        server = make_server(site, port=port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    console.print(f"Serving {posts} posts at {server.base_url} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@sample_site.command("ground-truth")
@click.option("--posts", default=120, show_default=True, type=click.IntRange(40, 50_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
def sample_site_ground_truth(posts: int, seed: int, output: str) -> None:
    """Write the expected corpus of the sample site as JSON."""
    from samplesite.groundtruth import write_ground_truth
    from samplesite.server import SampleSite

    write_ground_truth(SampleSite(posts=posts, seed=seed), output)


# -- entry point -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every anticipated failure is one line on stderr, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="laocorpus", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("laocorpus: aborted", err=True)
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"laocorpus: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except CorpusError as exc:
        click.echo(f"laocorpus: error: {exc}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
