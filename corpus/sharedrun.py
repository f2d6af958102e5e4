"""One crawl run shared by the workers of a distributed crawl: their rows and their sums.

``laocorpus seed`` opens the run; each worker adds a ``crawl_run_workers`` row and, every few
seconds and when it closes, adds what it did since its last report to the run's counters with
``UPDATE ... SET n = n + :delta`` — atomic, so no worker's counts overwrite another's — and
writes its own totals to its row. The last worker out closes the run.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, select, update

from corpus import upsert
from corpus.models import CrawlRun, CrawlRunWorker, utcnow
from corpus.writer import CorpusWriter
from schema import COUNTER_COLUMNS

COUNTERS = COUNTER_COLUMNS  # what each worker adds to the shared run (schema/runs.py)
LOST_REQUESTS = (
    "the requests it had taken may be lost: an incremental `laocorpus crawl {site}` picks them up"
)


def open_run(engine: Engine, site: str, arguments: Mapping[str, Any]) -> int:
    """The seed's run row: running, full mode, counters at zero until workers report."""
    run_id = CorpusWriter(engine).start_run(site, site, {**arguments, "distributed": True})
    with engine.begin() as connection:
        connection.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(mode="full"))
    return run_id


def run_row(engine: Engine, run_id: int) -> dict[str, Any] | None:
    with engine.connect() as connection:
        row = connection.execute(select(CrawlRun).where(CrawlRun.id == run_id)).mappings().first()
    return dict(row) if row else None


def join(engine: Engine, run_id: int, worker: str) -> int:
    """Add this worker to the run; returns its row id (a restarted name gets its row back)."""
    now = utcnow()
    with engine.begin() as connection:
        statement = upsert.insert(connection, CrawlRunWorker)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[CrawlRunWorker.run_id, CrawlRunWorker.worker],
                set_={"status": "running", "updated_at": now, "finished_at": None},
            ),
            {
                "run_id": run_id,
                "worker": worker,
                "hostname": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": now,
                "updated_at": now,
                "status": "running",
                **dict.fromkeys(COUNTERS, 0),
            },
        )
        return connection.execute(
            select(CrawlRunWorker.id).where(
                CrawlRunWorker.run_id == run_id, CrawlRunWorker.worker == worker
            )
        ).scalar_one()


def report(
    engine: Engine,
    run_id: int,
    worker_id: int,
    totals: Mapping[str, int],
    deltas: Mapping[str, int],
    discovery: str | None = None,
    field_sources: Mapping[str, Mapping[str, int]] | None = None,
    **final: Any,
) -> None:
    """Add ``deltas`` to the run, write the worker's ``totals`` (and final status, if given).

    ``field_sources`` are the worker's new ``{field: {source: count}}``, added to the run's
    (a JSON column: read locked, summed, written back, in the same transaction).
    """

    def transaction() -> None:
        with engine.begin() as connection:
            increments = {
                name: getattr(CrawlRun, name) + delta for name, delta in deltas.items() if delta
            }
            if increments:
                connection.execute(
                    update(CrawlRun).where(CrawlRun.id == run_id).values(**increments)
                )
            if field_sources:
                _add_field_sources(connection, run_id, field_sources)
            if discovery:
                connection.execute(
                    update(CrawlRun)
                    .where(CrawlRun.id == run_id, CrawlRun.discovery.is_(None))
                    .values(discovery=discovery)
                )
            connection.execute(
                update(CrawlRunWorker)
                .where(CrawlRunWorker.id == worker_id)
                .values(**totals, updated_at=utcnow(), **final)
            )

    upsert.retrying(transaction, "run counters")


def _add_field_sources(connection, run_id: int, deltas: Mapping[str, Mapping[str, int]]) -> None:
    stored = connection.execute(
        select(CrawlRun.field_sources).where(CrawlRun.id == run_id).with_for_update()
    ).scalar()
    merged = {field: dict(sources) for field, sources in (stored or {}).items()}
    for field, sources in deltas.items():
        for source, count in sources.items():
            merged.setdefault(field, {})[source] = merged.get(field, {}).get(source, 0) + count
    connection.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(field_sources=merged))


def mark_killed(engine: Engine, run_id: int, workers: Sequence[str]) -> None:
    """Workers whose heartbeat stopped: they died without closing."""
    with engine.begin() as connection:
        connection.execute(
            update(CrawlRunWorker)
            .where(
                CrawlRunWorker.run_id == run_id,
                CrawlRunWorker.worker.in_(list(workers)),
                CrawlRunWorker.status == "running",
            )
            .values(status="killed", finish_reason="killed", finished_at=utcnow())
        )


def finish(engine: Engine, run_id: int) -> str:
    """Close the run once every worker has left; idempotent (the last two may both try).

    Any worker still "running" here never said goodbye: it died, so its requests may be lost
    and the run is marked failed with that explanation, as it is when a worker's monitors fail.
    """
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            update(CrawlRunWorker)
            .where(CrawlRunWorker.run_id == run_id, CrawlRunWorker.status == "running")
            .values(status="killed", finish_reason="killed", finished_at=now)
        )
        site = connection.execute(select(CrawlRun.site).where(CrawlRun.id == run_id)).scalar()
        workers = connection.execute(
            select(CrawlRunWorker.worker, CrawlRunWorker.status, CrawlRunWorker.failure)
            .where(CrawlRunWorker.run_id == run_id)
            .order_by(CrawlRunWorker.id)
        ).all()
        problems = []
        for worker in workers:
            if worker.status == "killed":
                problems.append(f"worker {worker.worker} died; " + LOST_REQUESTS.format(site=site))
            elif worker.status == "failed":
                problems.append(f"worker {worker.worker}: {worker.failure or 'failed'}")
            elif worker.status == "interrupted":
                problems.append(f"worker {worker.worker} interrupted (Ctrl-C or SIGTERM)")
        status = "failed" if problems else "finished"
        connection.execute(
            update(CrawlRun)
            .where(CrawlRun.id == run_id, CrawlRun.status == "running")
            .values(
                status=status,
                finish_reason="finished",
                finished_at=now,
                failure="; ".join(problems) or None,
            )
        )
        return connection.execute(select(CrawlRun.status).where(CrawlRun.id == run_id)).scalar()


def abandon(engine: Engine, run_id: int, reason: str) -> bool:
    """An interrupted run nobody will resume (a new seed replaces it): mark it killed."""
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            update(CrawlRunWorker)
            .where(CrawlRunWorker.run_id == run_id, CrawlRunWorker.status == "running")
            .values(status="killed", finish_reason="killed", finished_at=now)
        )
        return bool(
            connection.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id, CrawlRun.status == "running")
                .values(status="killed", finish_reason="abandoned", finished_at=now, failure=reason)
            ).rowcount
        )


def workers(engine: Engine, run_id: int) -> list[dict[str, Any]]:
    """The run's workers with their counters, in the order they joined."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(CrawlRunWorker)
            .where(CrawlRunWorker.run_id == run_id)
            .order_by(CrawlRunWorker.id)
        ).mappings()
        return [dict(row) for row in rows]
