"""``make bench`` part: 1, 2 and 3 distributed workers on a 5,000-post sample site.

Each configuration crawls a fresh PostgreSQL database through the real Redis (127.0.0.1), the
site served from its own process. A single Scrapy process without Redis is measured too, so the
cost of the shared frontier shows. Why two discovery sources: the lsr profile walks the HTML
archives, whose pagination is a chain (page N links page N+1), so its pace is one page at a
time whatever the number of workers; sitemaps list every post at once, so workers can share the
posts from the start.

Crawl time is from the first worker joining the run to the last one leaving, less the
``--worker-idle`` seconds every worker waits for more work once the queue is drained.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from rich.table import Table

from benchmarks.run import REPO, console, serve

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
IDLE = 1.0


def children_cpu() -> float:
    """CPU seconds used so far by this process's finished children (the crawlers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs: the share of the machine in use over an interval."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def new_database() -> str:
    """A fresh PostgreSQL database for one measurement (dropped by :func:`drop_database`)."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(ADMIN_URL)
    name = f"lnc_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(
        host=admin.host, port=admin.port, user=admin.username, dbname=admin.database,
        password=admin.password, autocommit=True,
    ) as connection:  # fmt: skip
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    from corpus.db import dispose_engines

    dispose_engines()
    admin = make_url(ADMIN_URL)
    with psycopg.connect(
        host=admin.host, port=admin.port, user=admin.username, dbname=admin.database,
        password=admin.password, autocommit=True,
    ) as connection:  # fmt: skip
        connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def laocorpus(*args: str, wait: bool = True):
    command = [sys.executable, "-m", "cli.main", *args]
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("CORPUS_DATABASE_URL", None)
    if wait:
        return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def distributed(base_url: str, workers: int, discovery: str, tmp: Path) -> dict[str, Any]:
    """Seed a run and crawl it with ``workers`` processes; their shares and the crawl time."""
    from corpus import sharedrun
    from corpus.db import init_db

    db = new_database()
    prefix = f"lncbench-{uuid.uuid4().hex[:10]}"
    options = ("--redis", REDIS_URL, "--redis-prefix", prefix, "--db", db)
    try:
        seeded = laocorpus(
            "seed", "lsr", *options, "--base-url", base_url, "--discovery", discovery
        )
        if seeded.returncode != 0:
            raise RuntimeError(seeded.stderr)
        run_id = int(seeded.stdout.split("seeded crawl run ")[1].split()[0])
        started, cpu, busy = time.monotonic(), children_cpu(), machine_busy()
        worker = ("crawl", "lsr", *options, "--worker-idle", str(IDLE))
        processes = [
            laocorpus(*worker, "--log-file", str(tmp / f"{prefix}-{n}.log"), wait=False)
            for n in range(workers)
        ]
        for process in processes:
            _, err = process.communicate(timeout=1800)
            if process.returncode != 0:
                raise RuntimeError(err[-3000:])
        wall = time.monotonic() - started
        cpu, busy = children_cpu() - cpu, _share(busy)
        engine = init_db(db)
        run = sharedrun.run_row(engine, run_id)
        shares = sharedrun.workers(engine, run_id)
        assert run is not None
        first = min(w["started_at"] for w in shares)
        last = max(w["finished_at"] for w in shares)
        seconds = (last - first).total_seconds() - IDLE
        return {
            "workers": workers,
            "discovery": discovery,
            "status": run["status"],
            "posts": run["posts_new"],
            "requests": run["requests"],
            "requests_per_worker": [w["requests"] for w in shares],
            "seconds": seconds,
            "wall_seconds": wall,
            "posts_per_second": run["posts_new"] / seconds,
            "crawler_cpu_seconds": cpu,
            "machine_busy": busy,
        }
    finally:
        drop_database(db)


def _share(before: tuple[int, int]) -> float:
    after = machine_busy()
    return (after[0] - before[0]) / max(1, after[1] - before[1])


def single(base_url: str, discovery: str) -> dict[str, Any]:
    """One Scrapy process with its own in-memory frontier, into PostgreSQL: the baseline."""
    from corpus.db import init_db
    from corpus.models import CrawlRun

    db = new_database()
    try:
        started, cpu, busy = time.monotonic(), children_cpu(), machine_busy()
        done = subprocess.run(
            [
                sys.executable, "-m", "scrapy", "crawl", "lsr", "-a", f"base_url={base_url}",
                "-a", f"discovery={discovery}", "-a", "mode=full",
                "-s", f"CORPUS_DATABASE_URL={db}", "-s", "LOG_LEVEL=WARNING",
            ],
            cwd=REPO, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        wall = time.monotonic() - started
        cpu, busy = children_cpu() - cpu, _share(busy)
        from sqlalchemy import select

        with init_db(db).connect() as connection:
            run = connection.execute(select(CrawlRun)).mappings().one()
        seconds = (run["finished_at"] - run["started_at"]).total_seconds()
        return {
            "workers": 0,
            "discovery": discovery,
            "status": run["status"],
            "posts": run["posts_new"],
            "requests": run["requests"],
            "requests_per_worker": [run["requests"]],
            "seconds": seconds,
            "wall_seconds": wall,
            "posts_per_second": run["posts_new"] / seconds,
            "crawler_cpu_seconds": cpu,
            "machine_busy": busy,
        }
    finally:
        drop_database(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--workers", default="1,2,3", help="comma-separated worker counts")
    parser.add_argument("--discovery", default="archive,sitemap", help="comma-separated sources")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    sources = args.discovery.split(",")

    results: list[dict[str, Any]] = []
    server, base_url = serve(args.posts, 1)
    try:
        with tempfile.TemporaryDirectory(prefix="laocorpus-bench-") as tmp:
            for discovery in sources:
                with console.status(f"{discovery}: one process, no Redis"):
                    results.append(single(base_url, discovery))
                for workers in counts:
                    with console.status(f"{discovery}: {workers} worker(s)"):
                        results.append(distributed(base_url, workers, discovery, Path(tmp)))
    finally:
        server.terminate()
        server.wait(timeout=10)

    table = Table(title=f"Distributed crawl of a {args.posts}-post sample site (PostgreSQL)")
    for column in (
        "discovery", "processes", "posts", "requests", "requests per worker", "seconds",
        "posts/s", "speed-up", "crawler CPU s", "machine busy",
    ):  # fmt: skip
        table.add_column(column, justify="left" if column == "discovery" else "right")
    for discovery in sources:
        rows = [r for r in results if r["discovery"] == discovery]
        one = next(r for r in rows if r["workers"] == 1)
        for r in rows:
            r["speedup_vs_1_worker"] = r["posts_per_second"] / one["posts_per_second"]
            table.add_row(
                discovery,
                "1, no Redis" if r["workers"] == 0 else f"{r['workers']} worker(s)",
                str(r["posts"]),
                str(r["requests"]),
                " / ".join(str(n) for n in r["requests_per_worker"]),
                f"{r['seconds']:.1f}",
                f"{r['posts_per_second']:.1f}",
                f"{r['speedup_vs_1_worker']:.2f}×",
                f"{r['crawler_cpu_seconds']:.0f}",
                f"{r['machine_busy']:.0%}",
            )
    console.print(table)
    console.print(
        f"{os.cpu_count()} CPU cores for the workers, the sample site, PostgreSQL and Redis; "
        f"crawl time excludes process start-up and the {IDLE:g} s idle wait at the end; "
        "crawler CPU is the crawl processes' user+system time, start-up included; machine busy "
        "is the share of all cores in use meanwhile, by anything."
    )
    (REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "distributed.json").write_text(
        json.dumps({"posts": args.posts, "results": results}, indent=1)
    )


if __name__ == "__main__":
    main()
