"""Distributed crawls from the command line: ``laocorpus seed``, ``laocorpus status``, and the
worker side of ``laocorpus crawl SITE --redis URL``.

Workers share one frontier in Redis (crawler/distributed.py) and one corpus in PostgreSQL;
the crawl run row is shared and each worker adds its counters to it (corpus/sharedrun.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from corpus.db import CorpusError, backend_of, init_db, mask_url, resolve_url
from schema import RUN_COUNTERS

console = Console()
err_console = Console(stderr=True)

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


def _require_postgres(url: str) -> None:
    if backend_of(url) != "postgresql":
        raise CorpusError(
            f"a distributed crawl needs a PostgreSQL corpus that every worker reaches, "
            f"not {mask_url(url)} (SQLite has one writer on one machine)"
        )


def _check_site(site: str):
    from crawler.sites import registry

    if site not in registry():
        raise click.BadParameter(
            f"unknown site {site!r} (known: {', '.join(sorted(registry()))})", param_hint="SITE"
        )
    return registry()[site]


def _frontier(redis_url: str, prefix: str, site: str):
    from crawler.distributed import DistributedError, Frontier, connect, mask_redis_url

    try:
        server = connect(redis_url)
    except DistributedError as exc:
        raise CorpusError(str(exc)) from None
    return Frontier.current(server, prefix, site), server, mask_redis_url(redis_url)


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
    from corpus import sharedrun
    from crawler.distributed import RunKeys

    profile = _check_site(site)
    url = resolve_url(database)
    _require_postgres(url)
    engine = init_db(url)
    old, server, shown = _frontier(redis_url, redis_prefix, site)
    if old is not None:
        alive = [name for name, state in old.workers().items() if state]
        if alive:
            raise click.ClickException(
                f"crawl run {old.keys.run_id} of {site} still has {len(alive)} live worker(s): "
                f"see `laocorpus status {site} --redis {shown}`"
            )
        left = old.pending()
        if sharedrun.abandon(engine, old.keys.run_id, f"replaced by a new seed, {left} left"):
            err_console.print(f"abandoned crawl run {old.keys.run_id} ({left} requests were left)")
        old.remove()
    base = (base_url or profile.base_url).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise click.BadParameter(f"{base!r} is not an http(s) URL", param_hint="--base-url")
    run_id = sharedrun.open_run(
        engine,
        site,
        {"base_url": base, "discovery": discovery, "database": mask_url(url), "redis": shown},
    )
    from crawler.distributed import Frontier, worker_name

    frontier = Frontier(server, RunKeys(redis_prefix, site, run_id))
    frontier.seed(
        {
            "site": site,
            "base_url": base,
            "discovery": discovery,
            "database": mask_url(url),
            "seeded_by": worker_name(),
            "seeded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        {"run_id": run_id, "site": site},
    )
    click.echo(
        f"seeded crawl run {run_id} of {site} ({base}) in {shown}, keys {frontier.keys.base}:*"
    )
    click.echo(f"start workers with: laocorpus crawl {site} --redis {shown} --db {mask_url(url)}")


def crawl_worker(
    site: str,
    url: str,
    base_url: str | None,
    log_file: str,
    redis_url: str,
    redis_prefix: str,
    worker_idle: float = 10,
) -> None:
    """One worker of the site's seeded run, until the run is drained; prints its share."""
    from cli.options import check_project_settings
    from corpus import sharedrun
    from crawler.distributed import worker_name
    from jobs.crawl import run_crawl

    _check_site(site)
    _require_postgres(url)
    check_project_settings()
    engine = init_db(url)
    frontier, _server, shown = _frontier(redis_url, redis_prefix, site)
    if frontier is None or not frontier.meta():
        raise CorpusError(
            f"no crawl of {site} is seeded in {shown} (prefix {redis_prefix!r}): "
            f"run `laocorpus seed {site} --redis {shown}` first"
        )
    run_id = frontier.keys.run_id
    meta = frontier.meta()
    if base_url and base_url.rstrip("/") != meta["base_url"]:
        raise click.BadParameter(
            f"run {run_id} crawls {meta['base_url']}, not {base_url}", param_hint="--base-url"
        )
    run = sharedrun.run_row(engine, run_id)
    if run is None or run["status"] != "running":
        state = run["status"] if run else "not in this corpus"
        raise CorpusError(f"crawl run {run_id} of {site} is {state}: seed a new one")
    context = click.get_current_context(silent=True)
    if context is not None and context.get_parameter_source("log_file").name == "DEFAULT":
        log_file = str(Path(log_file).with_name(f"crawl-{site}-worker-{os.getpid()}.log"))
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    err_console.print(
        f"worker {worker_name()} joining crawl run {run_id} of {site} (log {log_file})"
    )
    outcome = run_crawl(
        site,
        database_url=url,
        # The run's own arguments: the add-on would otherwise build the spider again with them.
        spider_args={"base_url": meta["base_url"], "discovery": meta["discovery"], "mode": "full"},
        settings={
            "CORPUS_REDIS_URL": redis_url,
            "CORPUS_REDIS_PREFIX": redis_prefix,
            "CORPUS_RUN_ID": run_id,
            "MAX_IDLE_TIME_BEFORE_CLOSE": worker_idle,
        },
        log_file=log_file,
        console=err_console,
    )
    me = next((w for w in sharedrun.workers(engine, run_id) if w["worker"] == worker_name()), None)
    _print_workers(sharedrun.workers(engine, run_id), sharedrun.run_row(engine, run_id))
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
    from corpus import sharedrun

    _check_site(site)
    url = resolve_url(database)
    engine = init_db(url)
    frontier, _server, shown = _frontier(redis_url, redis_prefix, site)
    if frontier is None:
        click.echo(f"no distributed crawl of {site} is under way in {shown}")
        return
    run_id = frontier.keys.run_id
    alive = frontier.workers()
    summary = Table(title=f"Distributed crawl run {run_id} of {site}", show_header=False)
    summary.add_column()
    summary.add_column(justify="right")
    meta = frontier.meta()
    for label, value in (
        ("site address", meta.get("base_url", "?")),
        ("requests queued", frontier.queued()),
        ("requests seen (queued once each)", frontier.seen()),
        (
            "start message",
            "waiting for a worker" if frontier.pending() > frontier.queued() else "taken",
        ),
        ("workers busy", sum(state == "busy" for state in alive.values())),
        ("workers idle", sum(state == "idle" for state in alive.values())),
        ("workers silent (dead?)", sum(state is None for state in alive.values())),
    ):
        summary.add_row(label, str(value))
    console.print(summary)
    _print_workers(sharedrun.workers(engine, run_id), sharedrun.run_row(engine, run_id), alive)


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
