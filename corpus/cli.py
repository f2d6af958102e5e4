"""``laocorpus``: the command-line tool for crawling, inspecting and exporting the corpus.

Misuse and environment problems print one line on stderr and exit non-zero; tracebacks are
for bugs only.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from corpus.cli_db import COMMANDS as DB_COMMANDS
from corpus.cli_distributed import COMMANDS as DISTRIBUTED_COMMANDS
from corpus.cli_distributed import redis_options
from corpus.cli_errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_IO,
    missing_extra,
    writable_dir,
    writable_file,
    writing,
)
from corpus.cli_extract import COMMANDS as EXTRACT_COMMANDS
from corpus.cli_maintainer import COMMANDS as MAINTAINER_COMMANDS
from corpus.db import CorpusError, init_db, mask_url, open_existing, resolve_url
from corpus.rehash import COMMANDS as REHASH_COMMANDS
from corpus.reparse import COMMANDS as REPARSE_COMMANDS
from schema import SUMMARY_COUNTERS

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


def _check_project_settings() -> None:
    """The Scrapy settings a crawl will use, validated before it starts (one line if bad)."""
    import os

    from scrapy.utils.project import get_project_settings

    from crawler.settings_check import SettingsError, check_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    try:
        check_settings(get_project_settings())
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _http_url(value: str | None) -> str | None:
    """An http(s) URL with a host, or a usage error naming the option."""
    from urllib.parse import urlsplit

    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http(s) URL like https://example.la")
    return value


@cli.command()
@click.argument("site", required=False)
@DB_OPTION
@click.option(
    "--all",
    "all_sites",
    is_flag=True,
    help="Crawl every site profile and every site of the sites file, in one process.",
)
@click.option(
    "--sites",
    "sites_path",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The sites file (default: ./sites.toml, else data/sites.toml, if one exists).",
)
@click.option("--full", is_flag=True, help="Walk everything, not only what changed (weekly).")
@click.option(
    "--base-url",
    metavar="URL",
    callback=lambda _ctx, _param, value: _http_url(value),
    help="Crawl a mirror instead of the live site.",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    default="data/logs/crawl.log",
    show_default=True,
    help="Scrapy's log, rotated at 10 MB (5 kept).",
)
@click.option(
    "--lock-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/locks"),
    show_default=True,
    help="Where the one-crawl-at-a-time lock lives.",
)
@redis_options
def crawl(
    site: str | None,
    database: str | None,
    all_sites: bool,
    sites_path: Path | None,
    full: bool,
    base_url: str | None,
    log_file: str,
    lock_dir: Path,
    **distributed: Any,
) -> None:
    """Crawl SITE (a site profile, e.g. lsr) into the corpus: the command cron runs.

    Incremental when the corpus already holds the site (only new, changed and removed posts),
    complete with --full. `crawl wordpress --base-url URL` crawls a site without a profile,
    named after its host. Exit status: 0 done, 1 crawl or monitors failed, 2 misuse, 74 log
    or lock not writable, 75 another crawl of the site is running, 130 interrupted (README:
    Exit statuses); `scrapy crawl` exits the same (crawler/extensions/lifecycle.py).
    With --redis, one worker of the distributed crawl `laocorpus seed` opened: start as many
    as you like, on any machines. --all crawls every profile and every [[site]] of the sites
    file at once, each with its own run, lock and summary line; SITE may also name a
    [[site]] of that file.
    """
    if all_sites or site is None:
        _crawl_all_check(site, all_sites, base_url, distributed["redis_url"])
    sites = _sites_file(sites_path)
    if all_sites:
        _crawl_all(sites, database, full, log_file, lock_dir)
        return
    assert site is not None
    listed = sites.find(site)  # a [[site]] of the sites file: the generic spider, named
    if listed is not None:
        site, base_url = listed.spider, base_url or listed.url
    if distributed["redis_url"]:
        from corpus.cli_distributed import crawl_worker

        crawl_worker(site, resolve_url(database), base_url, log_file, **distributed)
        return
    from crawler.sites import registry

    if site == "wordpress" and not base_url:
        raise click.BadParameter("the generic wordpress spider needs it", param_hint="--base-url")
    if site not in registry() and site != "wordpress":
        listed_names = [entry.name for entry in sites.sites]
        known = ", ".join(sorted([*registry(), *listed_names, "wordpress (with --base-url)"]))
        raise click.BadParameter(f"unknown site {site!r} (known: {known})", param_hint="SITE")
    url = resolve_url(database)
    _check_project_settings()
    writable_file(log_file)  # before anything else: the cron log must say it, not a traceback
    writable_dir(lock_dir)
    init_db(url)
    args = {"mode": "full" if full else "auto"}
    if listed is not None:
        args.update(listed.spider_args())
    elif site in (sites.profile_urls or {}) and not base_url:
        base_url = (sites.profile_urls or {})[site]  # the sites file's mirror of the profile
    if base_url:
        args["base_url"] = base_url
    # The lock, killed runs and near-duplicates are the crawl's (crawler/extensions/lifecycle.py).
    lock = {"CORPUS_LOCK_DIR": str(lock_dir)}
    outcome = _crawl(site, url, args, log_file=log_file, settings=lock)
    if outcome.status in ("locked", "refused"):
        click.echo(f"laocorpus: {outcome.message}", err=True)
        sys.exit(outcome.exit_code)
    stale = outcome.stats.get("corpus/runs_marked_killed")
    if stale:
        err_console.print(f"marked {stale} interrupted earlier run(s) as killed")
    _print_summary(url, outcome.run_id)
    if "corpus/near_duplicates" in outcome.stats:
        console.print(f"near-duplicates: {outcome.stats['corpus/near_duplicates']} posts")
    if outcome.status == "interrupted":
        click.echo(f"laocorpus: {outcome.message}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if not outcome.ok:
        raise click.ClickException(outcome.message)


def _crawl_all_check(site: str | None, all_sites: bool, base_url: str | None, redis) -> None:
    """--all takes no SITE, mirror or Redis; without --all, SITE is needed."""
    if not all_sites:
        raise click.UsageError("give a SITE to crawl (e.g. lsr), or --all")
    if site is not None:
        raise click.BadParameter("give SITE or --all, not both", param_hint="SITE")
    if base_url:
        raise click.BadParameter("--all crawls each site's own URL", param_hint="--base-url")
    if redis:
        raise click.BadParameter("distributed workers crawl one site", param_hint="--redis")


def _sites_file(path: Path | None):
    """The sites file (crawler/sitesfile.py), checked: a mistake is one line, status 2."""
    from crawler.sites import registry
    from crawler.sitesfile import SitesFileError, default_path, load

    try:
        return load(path or default_path(), registry())
    except SitesFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--sites") from None


def _crawl_all(sites, database: str | None, full: bool, log_file: str, lock_dir: Path) -> None:
    """Every site at once in one process; a summary line each; exit 0 only if all finished."""
    from corpus.crawl import CrawlJob, run_crawls
    from crawler.sites import registry

    entries = sites.everything(registry())
    if not entries:
        raise click.UsageError("--all: no site profile is enabled and the sites file lists none")
    url = resolve_url(database)
    _check_project_settings()
    writable_file(log_file)
    writable_dir(lock_dir)
    init_db(url)
    mode = {"mode": "full" if full else "auto"}
    jobs = [CrawlJob(e.spider, {**mode, **e.spider_args()}, e.name) for e in entries]
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    outcomes = run_crawls(
        jobs,
        database_url=url,
        settings={"CORPUS_LOCK_DIR": str(lock_dir)},
        log_file=log_file,
        console=err_console,
    )
    for entry, outcome in zip(entries, outcomes, strict=True):
        console.print(_site_line(entry.name, outcome), soft_wrap=True, highlight=False)
    failed = [o for o in outcomes if not o.ok]
    console.print(
        f"{len(outcomes) - len(failed)} of {len(outcomes)} sites crawled"
        + (f", {len(failed)} failed: see {log_file}" if failed else ""),
        highlight=False,
    )
    if failed:
        sys.exit(_all_exit_code(failed))


def _site_line(name: str, outcome) -> str:
    """One site's result in one line of at most 80 columns."""
    stats = outcome.stats
    if outcome.status in ("locked", "refused"):
        return f"{name}: {outcome.status}: {outcome.message}"[:80]
    run = f" run {outcome.run_id}" if outcome.run_id is not None else ""
    why = f" · {outcome.failure or outcome.finish_reason}" if not outcome.ok else ""
    counts = " ".join(
        f"{int(stats.get(key, 0))} {label}"
        for label, key in (
            ("req", "downloader/request_count"),
            ("new", "corpus/posts_new"),
            ("upd", "corpus/posts_updated"),
            ("rej", "corpus/rejected"),
        )
    )
    return f"{name[:24]}: {outcome.status}{run} · {counts}{why}"[:80]


def _all_exit_code(failed: list) -> int:
    """130 if interrupted; 75 when every failure is a held lock (cron retries); else 1."""
    from corpus.cli_errors import EXIT_LOCKED

    if any(o.status == "interrupted" for o in failed):
        return EXIT_INTERRUPTED
    if all(o.status == "locked" for o in failed):
        return EXIT_LOCKED
    return EXIT_FAILED


@cli.command()
@DB_OPTION
@click.option("--site", help="Only this site.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
def runs(database: str | None, site: str | None, limit: int) -> None:
    """Recent crawl runs with their counters."""
    from corpus.stats import recent_runs

    _print_runs(recent_runs(_open_corpus(database, site), site=site, limit=limit))


def _open_corpus(database: str | None, site: str | None = None):
    """The corpus, read-only, with ``--site`` checked: an unknown site is the same error
    for every command (``check_site``), never an empty result."""
    from corpus.export import FilterError, check_site

    engine = open_existing(resolve_url(database))
    if site is not None:
        try:
            check_site(engine, site)
        except FilterError as exc:
            raise click.BadParameter(str(exc), param_hint=exc.option) from None
    return engine


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
    _check_near_duplicates(url, site, server.base_url)
    console.print(f"Corpus: [bold]{mask_url(url)}[/]   Scrapy log: data/logs/demo.log")
    console.print(
        "Next: laocorpus stats · laocorpus export --format parquet --output posts.parquet · "
        "laocorpus card · laocorpus serve"
    )
    if not outcome.ok:
        raise click.ClickException(f"crawl ended with reason {outcome.finish_reason!r}")


def _check_ground_truth(url: str, site, base_url: str) -> None:
    """Compare the corpus with what the sample site planted, field by field."""
    from samplesite.groundtruth import ground_truth
    from testing.verify import differences

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


def _check_near_duplicates(url: str, site, base_url: str) -> None:
    """Find near-duplicates and compare them with the reposts the sample site planted."""
    from corpus import neardup
    from samplesite.groundtruth import ground_truth

    engine = init_db(url)
    result = neardup.update(engine)
    truth = ground_truth(site)
    planted = {
        (base_url + pair["path"], base_url + pair["original_path"])
        for pair in truth["near_duplicates"]
    }
    found = {(p.url, p.original_url) for p in neardup.near_duplicate_pairs(engine, "lsr")}
    if found != planted:
        for missed in sorted(planted - found):
            err_console.print(f"  missed near-duplicate {missed[0]} of {missed[1]}")
        for extra in sorted(found - planted):
            err_console.print(f"  unexpected near-duplicate {extra[0]} of {extra[1]}")
        raise click.ClickException("near-duplicates differ from the planted reposts")
    console.print(
        f"[green]✓[/] near-duplicates equal the planted reposts: {len(found)} of {len(planted)} "
        f"found, none unrelated ({result.seconds:.1f} s)"
    )


def _crawl(
    spider: str,
    url: str,
    args: dict[str, str],
    *,
    log_file: str,
    expected_posts: int | None = None,
    settings: dict[str, Any] | None = None,
):
    from corpus.crawl import run_crawl

    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    return run_crawl(
        spider,
        database_url=url,
        spider_args=args,
        settings=settings,
        log_file=log_file,
        console=err_console,
        expected_posts=expected_posts,
    )


def _run_rejects(engine, run_id: int) -> list[tuple[str, int]]:
    """This run's rejects by reason (timeouts grouped): the tally of what could not be kept."""
    from sqlalchemy import select

    from corpus.models import Reject

    with engine.connect() as db:
        reasons = db.execute(select(Reject.reason).where(Reject.last_run_id == run_id)).scalars()
        tally: dict[str, int] = {}
        for reason in reasons:
            key = reason.split(":", 1)[0] if reason.startswith("TimeoutError") else reason
            tally[key] = tally.get(key, 0) + 1
    return sorted(tally.items(), key=lambda item: (-item[1], item[0]))


def _print_summary(url: str, run_id: int | None) -> dict | None:
    """The crawl run's counters and the corpus totals; returns the run row."""
    from corpus.stats import corpus_stats, recent_runs

    engine = init_db(url)
    stats = corpus_stats(engine)
    run = next((r for r in recent_runs(engine, limit=50) if r["id"] == run_id), None)
    table = Table(title="Crawl summary", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    if run:
        duration = (run["finished_at"] - run["started_at"]).total_seconds()
        table.add_row("mode · source", f"{run['mode']} · {run['discovery']}")
        for counter in SUMMARY_COUNTERS:
            table.add_row(counter.label, str(run[counter.column]))
        table.add_row("finish reason", str(run["finish_reason"]))
        table.add_row("status", str(run["status"]))
        table.add_row("duration", f"{duration:.1f} s")
    if run:
        for reason, count in _run_rejects(engine, run["id"]):
            table.add_row(f"  rejected: {reason}", str(count))
    table.add_section()
    table.add_row("posts in corpus", str(stats.posts))
    table.add_row("  of which exact reposts", str(stats.duplicates))
    table.add_row("rejects in corpus", str(stats.rejects))
    table.add_row("words", f"{stats.words:,}")
    console.print(table)
    if run and run.get("failure"):
        err_console.print(f"[red]monitors failed:[/] {run['failure']}", soft_wrap=True)
    return run


# -- inspecting -----------------------------------------------------------------------------


@cli.command()
@DB_OPTION
@click.option("--site", help="Only this site.")
def stats(database: str | None, site: str | None) -> None:
    """Counts by year, month, category and author; duplicates; rejects; coverage; crawl runs."""
    from corpus.stats import corpus_stats, local_day, utc_minute
    from corpus.tables import print_records

    result = corpus_stats(_open_corpus(database, site), site=site)
    totals = Table(title="Corpus", show_header=False)
    totals.add_column()
    totals.add_column(justify="right")
    for label, value in (
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
    ):
        totals.add_row(label, str(value))
    console.print(totals)
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
        table = Table(title=title)
        table.add_column(title.split()[-1])
        table.add_column("posts" if "reason" not in title else "urls", justify="right")
        for name, count in rows:
            table.add_row(str(name), str(count))
        console.print(table)
    coverage = Table(title="Field coverage")
    coverage.add_column("field")
    coverage.add_column("posts", justify="right")
    coverage.add_column("share", justify="right")
    for name, count in result.field_coverage:
        share = f"{100 * count / result.posts:.1f}%" if result.posts else "-"
        coverage.add_row(name, str(count), share)
    console.print(coverage)
    _print_runs(result.runs)


def _print_runs(runs: list[dict]) -> None:
    """The runs as a table when it fits, else one block per run (corpus/tables.py)."""
    from corpus.tables import print_records

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
    from corpus.export import (
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
    from corpus.export import export as export_to
    from corpus.progress import counting_bar

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
        since=_date_option(since, "--since"),
        until=_date_option(until, "--until"),
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


# -- near-duplicates, corpus card, browsing --------------------------------------------------


@cli.command()
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
    from corpus import neardup
    from corpus.progress import counting_bar

    engine = open_existing(resolve_url(database), read_only=False)  # it stores what it finds
    with counting_bar(err_console) as progress:
        task = progress.add_task("hashing", total=None)

        def report(stage: str, done: int, total: int | None) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        result = neardup.update(engine, threshold, rebuild=rebuild, progress=report)
    table = Table(title="Near-duplicates", show_header=False)
    table.add_column()
    table.add_column(justify="right")
    for label, value in (
        ("signatures computed", result.signatures),
        ("posts compared", result.compared),
        ("band collisions", result.collisions),
        ("candidate pairs", result.candidates),
        ("similar pairs", result.similar),
        ("near-duplicates in corpus", result.near_duplicates),
        ("clusters in corpus", result.clusters),
        ("seconds", f"{result.seconds:.1f}"),
    ):
        table.add_row(label, str(value))
    console.print(table)


@cli.command()
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

    from corpus.card import DATA_DIR, write_card
    from corpus.charts import ChartWarning
    from corpus.export import PostFilter, count_posts

    if not output.parent.exists():
        raise click.BadParameter(f"directory {output.parent} does not exist", param_hint="--output")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.+-]*", license_id):
        raise click.BadParameter(
            f"{license_id!r} is not a licence id like cc-by-4.0", param_hint="--license"
        )
    engine = _open_corpus(database, site)
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
    from corpus import serve as browsing

    with err_console.status("indexing Lao words") as status:
        refreshed = browsing.build_search_index(
            path, lambda done, total: status.update(f"indexing Lao words: {done:,}/{total:,}")
        )
    err_console.print(refreshed.summary())


@cli.command()
@DB_OPTION
def index(database: str | None) -> None:
    """Build or refresh the Lao search index that `serve` uses, without serving.

    Incremental: only new, changed and deleted posts are indexed again. Run it before
    archiving a corpus to read-only storage, where `serve` cannot write the index.
    """
    from corpus import serve as browsing

    url = resolve_url(database)
    path = browsing.sqlite_path(url)
    open_existing(url)
    if not browsing.writable(path):
        raise click.ClickException(f"cannot write {path}: the index is stored in the corpus")
    _index_lao_words(path)


@cli.command()
@DB_OPTION
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
def serve(database: str | None, port: int) -> None:
    """Browse the SQLite corpus in Datasette on 127.0.0.1, read-only, with Lao search.

    The Lao word index (posts_fts) and the readable posts_browse table are refreshed first.
    """
    from corpus import serve as browsing

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


# -- maintainer commands (sample site, site profiles, fixtures) ----------------------------

for _command in (
    *MAINTAINER_COMMANDS,
    *DB_COMMANDS,
    *DISTRIBUTED_COMMANDS,
    *EXTRACT_COMMANDS,
    *REHASH_COMMANDS,
    *REPARSE_COMMANDS,
):
    cli.add_command(_command)


# -- entry point -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every anticipated failure is one line on stderr, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="laocorpus", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("laocorpus: aborted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(2)
    except click.ClickException as exc:
        if exc.exit_code == EXIT_IO:
            _silence_stdout()  # stdout may be the file that is full
        click.echo(f"laocorpus: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except CorpusError as exc:
        click.echo(f"laocorpus: error: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    except ImportError as exc:  # a crawl-only install asked for analysis or publishing
        advice = missing_extra(exc)
        if advice is None:
            raise
        click.echo(f"laocorpus: error: {advice}", err=True)
        sys.exit(EXIT_FAILED)
    except OSError as exc:  # a file the command must write: read-only, no permission, disk full
        _silence_stdout()
        click.echo(f"laocorpus: error: {_os_error(exc)}", err=True)
        sys.exit(EXIT_IO)
    sys.exit(code if isinstance(code, int) else 0)


def _os_error(exc: OSError) -> str:
    """``FILE: reason`` from an OSError, in one line (the file the user named, when known)."""
    reason = exc.strerror or (str(exc).splitlines() or [type(exc).__name__])[0]
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit cannot fail a second time."""
    import os
    from contextlib import suppress

    with suppress(OSError):
        sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    main()
