"""Distributed crawls from the command line: ``laocorpus seed``, ``laocorpus status``, and the
worker side of ``laocorpus crawl SITE --redis URL``.

Workers share one frontier in Redis (crawler/distributed.py) and one corpus in PostgreSQL;
the crawl run row is shared and each worker adds its counters to it (corpus/sharedrun.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli.options import console, err_console
from corpus.db import mask_url, resolve_url
from schema import RUN_COUNTERS

REDIS_HELP = "Redis of the distributed crawl, e.g. redis://host:6379/0."
PREFIX_OPTION = click.option(
    "--redis-prefix",
    default="laocorpus",
    show_default=True,
    envvar="LAOCORPUS_REDIS_PREFIX",
    help="Namespace of the run's Redis keys ({prefix}:{site}:{run}:...).",
)
DB_OPTION = click.option(
    "--db",
    "database",
    metavar="URL",
    help="Corpus database URL (default: $CORPUS_DATABASE_URL); PostgreSQL for distributed runs.",
)


def redis_options(command: Callable) -> Callable:
    """The worker options of ``laocorpus crawl``: ``--redis`` makes it one worker of a run."""
    command = click.option(
        "--worker-idle",
        type=click.FloatRange(1, 3600),
        default=10,
        show_default=True,
        envvar="LAOCORPUS_WORKER_IDLE",
        metavar="SECONDS",
        help="With --redis: how long a worker waits, idle, for more work before it stops.",
    )(command)
    command = PREFIX_OPTION(command)
    return click.option(
        "--redis",
        "redis_url",
        metavar="URL",
        envvar="LAOCORPUS_REDIS_URL",
        help="Work as one worker of the crawl seeded in this Redis (`laocorpus seed`).",
    )(command)


def _check_site(site: str):
    from crawler.sites import registry

    if site not in registry():
        raise click.BadParameter(
            f"unknown site {site!r} (known: {', '.join(sorted(registry()))})", param_hint="SITE"
        )
    return registry()[site]


@click.command()
@click.argument("site")
@DB_OPTION
@click.option("--redis", "redis_url", required=True, metavar="URL", help=REDIS_HELP)
@PREFIX_OPTION
@click.option("--base-url", metavar="URL", help="Crawl a mirror instead of the live site.")
@click.option(
    "--discovery",
    type=click.Choice(["auto", "rest", "sitemap", "feed", "archive"]),
    default="auto",
    show_default=True,
    help="How workers find posts (auto: the profile's order, first that answers).",
)
def seed(
    site: str,
    database: str | None,
    redis_url: str,
    redis_prefix: str,
    base_url: str | None,
    discovery: str,
) -> None:
    """Open a distributed crawl of SITE: a shared crawl run, and its start message in Redis.

    Then start workers on any machines with `laocorpus crawl SITE --redis URL --db URL`.
    A run nobody works on any more (all workers stopped) is abandoned and replaced.
    """
    from jobs import distributed

    profile = _check_site(site)
    url = resolve_url(database)
    try:
        seeded = distributed.seed(
            url, site, base_url or profile.base_url, discovery, redis_url, redis_prefix
        )
    except distributed.OptionError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.option) from None
    if seeded.abandoned:
        run_id, left = seeded.abandoned
        err_console.print(f"abandoned crawl run {run_id} ({left} requests were left)")
    click.echo(
        f"seeded crawl run {seeded.run_id} of {site} ({seeded.base_url}) in {seeded.redis}, "
        f"keys {seeded.keys}:*"
    )
    shown = seeded.redis
    click.echo(f"start workers with: laocorpus crawl {site} --redis {shown} --db {mask_url(url)}")


def crawl_worker(
    site: str,
    url: str,
    base_url: str | None,
    log_file: str,
    redis_url: str,
    redis_prefix: str,
    worker_idle: float = 10,
    warc_dir: Path | None = None,
) -> None:
    """One worker of the site's seeded run, until the run is drained; prints its share."""
    from cli.options import check_project_settings
    from crawler.distributed import worker_name
    from jobs import distributed

    _check_site(site)
    check_project_settings()
    try:
        run_id, meta = distributed.join(url, site, base_url, redis_url, redis_prefix)
    except distributed.OptionError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.option) from None
    context = click.get_current_context(silent=True)
    if context is not None and context.get_parameter_source("log_file").name == "DEFAULT":
        log_file = distributed.worker_log(site, log_file)
    err_console.print(
        f"worker {worker_name()} joining crawl run {run_id} of {site} (log {log_file})"
    )
    outcome, me = distributed.work(
        url,
        site,
        run_id,
        meta,
        redis_url=redis_url,
        prefix=redis_prefix,
        worker_idle=worker_idle,
        warc_dir=warc_dir,
        log_file=log_file,
        console=err_console,
    )
    _print_workers(*distributed.shares(url, run_id))
    if me is None or me["status"] != "finished":
        reason = (me or {}).get("failure") or f"finish reason {outcome.finish_reason!r}"
        raise click.ClickException(f"worker {worker_name()} of crawl run {run_id}: {reason}")


@click.command()
@click.argument("site")
@DB_OPTION
@click.option("--redis", "redis_url", required=True, metavar="URL", help=REDIS_HELP)
@PREFIX_OPTION
def status(site: str, database: str | None, redis_url: str, redis_prefix: str) -> None:
    """Watch a distributed crawl of SITE: its queue in Redis, its workers and their counters.

    Workers report every few seconds; `watch -n 5 laocorpus status SITE --redis URL` follows it.
    """
    from cli.tables import print_counts
    from jobs import distributed

    _check_site(site)
    found, shown = distributed.view(resolve_url(database), site, redis_url, redis_prefix)
    if found is None:
        click.echo(f"no distributed crawl of {site} is under way in {shown}")
        return
    alive = found.alive
    summary = (
        ("site address", found.meta.get("base_url", "?")),
        ("requests queued", found.queued),
        ("requests seen (queued once each)", found.seen),
        ("start message", "taken" if found.start_taken else "waiting for a worker"),
        ("workers busy", sum(state == "busy" for state in alive.values())),
        ("workers idle", sum(state == "idle" for state in alive.values())),
        ("workers silent (dead?)", sum(state is None for state in alive.values())),
    )
    print_counts(console, f"Distributed crawl run {found.run_id} of {site}", summary)
    _print_workers(found.workers, found.run, alive)


def _print_workers(
    workers: list[dict[str, Any]], run: dict[str, Any] | None, alive: dict | None = None
) -> None:
    """The workers and the whole run: a table when it fits, else one block each."""
    from cli.tables import print_records

    shown = ("requests", "posts_new", "posts_updated", "posts_unchanged", "rejected", "errors")
    columns = {c.short: c.column for c in RUN_COUNTERS if c.column in shown}
    rows = []
    for worker in workers:
        state = worker["status"]
        if alive is not None and worker["worker"] in alive and state == "running":
            state = alive[worker["worker"]] or "silent"
        rows.append(
            [
                worker["worker"],
                state,
                *(str(worker[key]) for key in columns.values()),
                f"{worker['updated_at']:%H:%M:%S}",
            ]
        )
    if run:
        counts = (str(run[key]) for key in columns.values())
        rows.append(["(whole run)", run["status"], *counts, ""])
    print_records(
        console,
        "Workers" + (f" of crawl run {run['id']}" if run else ""),
        ["worker", "status", *columns, "last report (UTC)"],
        rows,
        right=set(columns),
    )
    if run and run.get("failure"):
        err_console.print(f"[red]run {run['id']}:[/] {run['failure']}", soft_wrap=True)


COMMANDS = (seed, status)
