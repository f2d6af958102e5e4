"""``laocorpus crawl`` and ``laocorpus demo``: crawls started from the command line.

The crawl itself — lock, run record, killed runs, monitors, near-duplicates, exit status — is
the crawl lifecycle's (crawler/extensions/lifecycle.py), the same under ``scrapy crawl``; the
work of launching it is jobs/crawl.py's and jobs/demo.py's. Here: arguments, checks that make a
mistake one line, and the summary.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cli.distributed import redis_options
from cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_LOCKED, writable_dir, writable_file
from cli.options import (
    DB_OPTION,
    WARC_DIR_OPTION,
    check_project_settings,
    console,
    crawl_settings,
    err_console,
    http_url,
    lock_dir_option,
)
from corpus.db import init_db, mask_url, resolve_url
from schema import SUMMARY_COUNTERS

DEMO_PORT = 8765


@click.command()
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
    callback=lambda _ctx, _param, value: http_url(value),
    help="Crawl a mirror instead of the live site.",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    default="data/logs/crawl.log",
    show_default=True,
    help="Scrapy's log, rotated at 10 MB (5 kept).",
)
@lock_dir_option("one crawl of a site at a time")
@WARC_DIR_OPTION
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
    warc_dir: Path | None,
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
        _crawl_all(sites, database, full, log_file, crawl_settings(lock_dir, warc_dir))
        return
    assert site is not None
    listed = sites.find(site)  # a [[site]] of the sites file: the generic spider, named
    if listed is not None:
        site, base_url = listed.spider, base_url or listed.url
    if distributed["redis_url"]:
        from cli.distributed import crawl_worker

        url = resolve_url(database)
        crawl_worker(site, url, base_url, log_file, warc_dir=warc_dir, **distributed)
        return
    from crawler.sites import registry

    if site == "wordpress" and not base_url:
        raise click.BadParameter("the generic wordpress spider needs it", param_hint="--base-url")
    if site not in registry() and site != "wordpress":
        listed_names = [entry.name for entry in sites.sites]
        known = ", ".join(sorted([*registry(), *listed_names, "wordpress (with --base-url)"]))
        raise click.BadParameter(f"unknown site {site!r} (known: {known})", param_hint="SITE")
    url = resolve_url(database)
    check_project_settings()
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
    settings = crawl_settings(lock_dir, warc_dir)
    outcome = _crawl(site, url, args, log_file=log_file, settings=settings)
    if outcome.status in ("locked", "refused"):
        click.echo(f"laocorpus: {outcome.message}", err=True)
        sys.exit(outcome.exit_code)
    stale = outcome.stats.get("corpus/runs_marked_killed")
    if stale:
        err_console.print(f"marked {stale} interrupted earlier run(s) as killed")
    print_summary(url, outcome.run_id)
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


def _crawl_all(sites, database: str | None, full: bool, log_file: str, settings: dict) -> None:
    """Every site at once in one process; a summary line each; exit 0 only if all finished."""
    from crawler.sites import registry
    from jobs.crawl import CrawlJob, run_crawls

    entries = sites.everything(registry())
    if not entries:
        raise click.UsageError("--all: no site profile is enabled and the sites file lists none")
    url = resolve_url(database)
    check_project_settings()
    writable_file(log_file)
    writable_dir(settings["CORPUS_LOCK_DIR"])
    init_db(url)
    mode = {"mode": "full" if full else "auto"}
    jobs = [CrawlJob(e.spider, {**mode, **e.spider_args()}, e.name) for e in entries]
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    outcomes = run_crawls(
        jobs,
        database_url=url,
        settings=settings,
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
    if any(o.status == "interrupted" for o in failed):
        return EXIT_INTERRUPTED
    if all(o.status == "locked" for o in failed):
        return EXIT_LOCKED
    return EXIT_FAILED


@click.command()
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
    from jobs.demo import sample_site

    url = resolve_url(database)
    init_db(url)
    with sample_site(posts, seed, port) as (site, server):
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
    print_summary(url, outcome.run_id)
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
    """The demo's first proof: the corpus equals the sample site's ground truth."""
    from jobs.demo import check_ground_truth

    check = check_ground_truth(url, site, base_url)
    if check.problems:
        for problem in check.problems[:10]:
            err_console.print(f"  {problem}")
        raise click.ClickException(
            f"the corpus differs from the sample site's ground truth in {len(check.problems)} "
            "places"
        )
    console.print(
        f"[green]✓[/] corpus equals the ground truth: {check.posts} posts field by field "
        f"({check.reposts} repost flagged), {check.rejects} rejects with reasons"
    )


def _check_near_duplicates(url: str, site, base_url: str) -> None:
    """The demo's second proof: near-duplicates are exactly the planted reposts."""
    from jobs.demo import check_near_duplicates

    check = check_near_duplicates(url, site, base_url, "lsr")
    if check.missed or check.unexpected:
        for missed in check.missed:
            err_console.print(f"  missed near-duplicate {missed[0]} of {missed[1]}")
        for extra in check.unexpected:
            err_console.print(f"  unexpected near-duplicate {extra[0]} of {extra[1]}")
        raise click.ClickException("near-duplicates differ from the planted reposts")
    console.print(
        f"[green]✓[/] near-duplicates equal the planted reposts: {len(check.found)} of "
        f"{len(check.planted)} found, none unrelated ({check.seconds:.1f} s)"
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
    from jobs.crawl import run_crawl

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


def print_summary(url: str, run_id: int | None) -> dict | None:
    """The crawl run's counters and the corpus totals; returns the run row."""
    from analysis.stats import corpus_stats, recent_runs, run_rejects
    from cli.tables import SECTION, print_counts

    engine = init_db(url)
    stats = corpus_stats(engine)
    run = next((r for r in recent_runs(engine, limit=50) if r["id"] == run_id), None)
    rows: list[tuple[str, object] | None] = []
    if run:
        duration = (run["finished_at"] - run["started_at"]).total_seconds()
        rows.append(("mode · source", f"{run['mode']} · {run['discovery']}"))
        rows += [(counter.label, run[counter.column]) for counter in SUMMARY_COUNTERS]
        rows += [("finish reason", run["finish_reason"]), ("status", run["status"])]
        rows.append(("duration", f"{duration:.1f} s"))
        rows += [(f"  rejected: {why}", n) for why, n in run_rejects(engine, run["id"])]
    rows += [
        SECTION,
        ("posts in corpus", stats.posts),
        ("  of which exact reposts", stats.duplicates),
        ("rejects in corpus", stats.rejects),
        ("words", f"{stats.words:,}"),
    ]
    print_counts(console, "Crawl summary", rows)
    if run and run.get("failure"):
        err_console.print(f"[red]monitors failed:[/] {run['failure']}", soft_wrap=True)
    return run


COMMANDS = (crawl, demo)
