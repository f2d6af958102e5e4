"""What ``laocorpus seed``, ``status`` and a worker's ``crawl --redis`` do, apart from printing.

A distributed run spans three rooms: its frontier in Redis (crawler/distributed.py), its shared
run row in the corpus (corpus/sharedrun.py) and the crawl itself (jobs/crawl.py). Composing
them is this module's job, so that the command line only parses and prints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus.db import CorpusError, backend_of, init_db, mask_url


class OptionError(ValueError):
    """A value the user gave does not fit the run; ``option`` names it (a usage error)."""

    def __init__(self, message: str, option: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class Seeded:
    run_id: int
    base_url: str
    keys: str  # the run's Redis key prefix, {prefix}:{site}:{run}
    redis: str  # the Redis URL, its password masked
    abandoned: tuple[int, int] | None  # (run, requests left) of a dead run replaced


@dataclass(frozen=True)
class RunView:
    """A run as ``status`` shows it: its frontier's figures, the workers and the run row."""

    run_id: int
    meta: dict[str, str]
    queued: int
    seen: int
    start_taken: bool
    alive: dict[str, str | None]
    workers: list[dict[str, Any]]
    run: dict[str, Any] | None


def require_postgres(url: str) -> None:
    if backend_of(url) != "postgresql":
        raise CorpusError(
            f"a distributed crawl needs a PostgreSQL corpus that every worker reaches, "
            f"not {mask_url(url)} (SQLite has one writer on one machine)"
        )


def frontier(redis_url: str, prefix: str, site: str):
    """The site's current run in Redis (or None), the client, and the masked Redis URL."""
    from crawler.distributed import DistributedError, Frontier, connect, mask_redis_url

    try:
        server = connect(redis_url)
    except DistributedError as exc:
        raise CorpusError(str(exc)) from None
    return Frontier.current(server, prefix, site), server, mask_redis_url(redis_url)


def seed(url: str, site: str, base_url: str, discovery: str, redis_url: str, prefix: str) -> Seeded:
    """Open a shared run of ``site`` and write its start message; a dead run is replaced."""
    from corpus import sharedrun
    from crawler.distributed import Frontier, RunKeys, worker_name

    require_postgres(url)
    engine = init_db(url)
    old, server, shown = frontier(redis_url, prefix, site)
    abandoned = None
    if old is not None:
        alive = [name for name, state in old.workers().items() if state]
        if alive:
            raise CorpusError(
                f"crawl run {old.keys.run_id} of {site} still has {len(alive)} live worker(s): "
                f"see `laocorpus status {site} --redis {shown}`"
            )
        left = old.pending()
        if sharedrun.abandon(engine, old.keys.run_id, f"replaced by a new seed, {left} left"):
            abandoned = (old.keys.run_id, left)
        old.remove()
    base = base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise OptionError(f"{base!r} is not an http(s) URL", "--base-url")
    meta = {"base_url": base, "discovery": discovery, "database": mask_url(url), "redis": shown}
    run_id = sharedrun.open_run(engine, site, meta)
    run = Frontier(server, RunKeys(prefix, site, run_id))
    run.seed(
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
    return Seeded(run_id, base, run.keys.base, shown, abandoned)


def join(url: str, site: str, base_url: str | None, redis_url: str, prefix: str):
    """The seeded run a worker joins, checked: (run id, its settings in Redis)."""
    from corpus import sharedrun

    require_postgres(url)
    engine = init_db(url)
    run, _server, shown = frontier(redis_url, prefix, site)
    if run is None or not run.meta():
        raise CorpusError(
            f"no crawl of {site} is seeded in {shown} (prefix {prefix!r}): "
            f"run `laocorpus seed {site} --redis {shown}` first"
        )
    run_id, meta = run.keys.run_id, run.meta()
    if base_url and base_url.rstrip("/") != meta["base_url"]:
        raise OptionError(f"run {run_id} crawls {meta['base_url']}, not {base_url}", "--base-url")
    row = sharedrun.run_row(engine, run_id)
    if row is None or row["status"] != "running":
        state = row["status"] if row else "not in this corpus"
        raise CorpusError(f"crawl run {run_id} of {site} is {state}: seed a new one")
    return run_id, meta


def worker_log(site: str, log_file: str) -> str:
    """Each worker on a machine logs to a file of its own: ``crawl-SITE-worker-PID.log``."""
    return str(Path(log_file).with_name(f"crawl-{site}-worker-{os.getpid()}.log"))


def work(
    url: str,
    site: str,
    run_id: int,
    meta: dict[str, str],
    *,
    redis_url: str,
    prefix: str,
    worker_idle: float,
    warc_dir: Path | None = None,
    log_file: str,
    console: Any,
):
    """Crawl as one worker until the run is drained: (outcome, this worker's row)."""
    from corpus import sharedrun
    from crawler.distributed import worker_name
    from jobs.crawl import run_crawl

    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    outcome = run_crawl(
        site,
        database_url=url,
        # The run's own arguments: the add-on would otherwise build the spider again with them.
        spider_args={"base_url": meta["base_url"], "discovery": meta["discovery"], "mode": "full"},
        settings={
            "CORPUS_REDIS_URL": redis_url,
            "CORPUS_REDIS_PREFIX": prefix,
            "CORPUS_RUN_ID": run_id,
            "MAX_IDLE_TIME_BEFORE_CLOSE": worker_idle,
            **({"CORPUS_WARC_DIR": str(warc_dir)} if warc_dir is not None else {}),
        },
        log_file=log_file,
        console=console,
    )
    engine = init_db(url)
    me = next((w for w in sharedrun.workers(engine, run_id) if w["worker"] == worker_name()), None)
    return outcome, me


def shares(url: str, run_id: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Every worker's row of the run, and the run's own row."""
    from corpus import sharedrun

    engine = init_db(url)
    return sharedrun.workers(engine, run_id), sharedrun.run_row(engine, run_id)


def view(url: str, site: str, redis_url: str, prefix: str) -> tuple[RunView | None, str]:
    """The site's current run as ``status`` shows it (None: none under way), and the masked
    Redis URL."""
    run, _server, shown = frontier(redis_url, prefix, site)
    if run is None:
        return None, shown
    run_id = run.keys.run_id
    workers, row = shares(url, run_id)
    return (
        RunView(
            run_id=run_id,
            meta=run.meta(),
            queued=run.queued(),
            seen=run.seen(),
            start_taken=run.pending() <= run.queued(),
            alive=run.workers(),
            workers=workers,
            run=row,
        ),
        shown,
    )
