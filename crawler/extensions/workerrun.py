"""A distributed worker's life in the shared crawl run: join, report, leave, close the run.

Replaces CorpusRunExtension in workers (the add-on, crawler/distributedaddon.py, swaps them).
Every ``CORPUS_WORKER_TTL`` / 5 seconds the worker tells Redis it is alive (busy or idle); every
``CORPUS_PROGRESS_SECONDS`` it adds its new counts to the run row, so ``laocorpus runs`` and
``laocorpus status`` show the crawl moving. When it closes, it reports its totals and leaves;
the last worker out — after waiting out the heartbeat of any worker that died silently —
closes the run and, when the queue is drained, deletes the run's Redis keys.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from scrapy import signals
from twisted.internet.task import LoopingCall

from corpus import sharedrun
from corpus.models import utcnow
from crawler.corpusaddon import corpus_of
from crawler.distributed import Worker, worker_of
from crawler.extensions.corpusrun import COUNTERS, field_sources, run_status

logger = logging.getLogger(__name__)


class WorkerRunExtension:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.engine = corpus_of(crawler).engine
        settings = crawler.settings
        self.progress_seconds = settings.getfloat("CORPUS_PROGRESS_SECONDS", 5.0)
        self.ttl = settings.getfloat("CORPUS_WORKER_TTL", 15.0)
        self.reported = dict.fromkeys(COUNTERS, 0)
        self.reported_sources: dict[str, dict[str, int]] = {}
        self.last_report = 0.0
        self.worker_id: int | None = None
        self.spider: Any = None
        self.loop: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    @property
    def worker(self) -> Worker:
        return worker_of(self.crawler)

    @property
    def run_id(self) -> int:
        return self.worker.frontier.keys.run_id

    def spider_opened(self, spider) -> None:
        self.spider = spider
        worker = self.worker
        self.worker_id = sharedrun.join(self.engine, self.run_id, worker.name)
        self.crawler.stats.set_value("corpus/run_id", self.run_id)
        worker.frontier.beat(worker.name, busy=True)
        self.last_report = time.monotonic()
        self.loop = LoopingCall(self.tick)
        self.loop.start(max(0.5, self.ttl / 5), now=False)
        spider.logger.info(
            "worker %s joined crawl run %s (%s)",
            worker.name,
            self.run_id,
            worker.frontier.keys.base,
        )

    def tick(self) -> None:
        """Heartbeat to Redis; now and then, progress to the corpus."""
        try:
            busy = not self.crawler.engine.spider_is_idle()
            self.worker.frontier.beat(self.worker.name, busy=busy)
            if time.monotonic() - self.last_report >= self.progress_seconds:
                self.report()
        except Exception:  # a hiccup of Redis or the database must not stop the crawl
            logger.warning("worker heartbeat failed", exc_info=True)

    def report(self, **final: Any) -> None:
        stats = self.crawler.stats
        totals = {column: int(stats.get_value(key, 0)) for column, key in COUNTERS.items()}
        deltas = {column: totals[column] - self.reported[column] for column in totals}
        sources = field_sources(stats.get_stats())
        new_sources = {
            field: {
                source: count - self.reported_sources.get(field, {}).get(source, 0)
                for source, count in counts.items()
                if count != self.reported_sources.get(field, {}).get(source, 0)
            }
            for field, counts in sources.items()
        }
        sharedrun.report(
            self.engine,
            self.run_id,
            self.worker_id,  # type: ignore[arg-type]
            totals,
            deltas,
            stats.get_value("corpus/discovery"),
            {field: counts for field, counts in new_sources.items() if counts},
            **final,
        )
        self.reported = totals
        self.reported_sources = sources
        self.last_report = time.monotonic()

    async def spider_closed(self, spider, reason: str) -> None:
        if self.worker_id is None:
            return
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        failure = self.crawler.stats.get_value("corpus/monitor_failures")
        status = run_status(reason, failure)  # "interrupted" after Ctrl-C, as for one process
        self.report(status=status, finish_reason=reason, failure=failure, finished_at=utcnow())
        frontier = self.worker.frontier
        frontier.leave(self.worker.name)
        if await self._last_out(spider):
            if frontier.pending():
                spider.logger.warning(
                    "crawl run %s stopped with %d requests queued: start a worker to resume it",
                    self.run_id,
                    frontier.pending(),
                )
                return
            outcome = sharedrun.finish(self.engine, self.run_id)
            frontier.remove()
            spider.logger.info("crawl run %s closed: %s", self.run_id, outcome)

    async def _last_out(self, spider) -> bool:
        """True once no other worker is left; False if one is still alive after a TTL.

        A worker that died keeps its name in Redis until its heartbeat expires, so the wait
        lasts at most one TTL; a live worker outlasting it will close the run itself.
        """
        frontier = self.worker.frontier
        deadline = time.monotonic() + self.ttl + 1
        while True:
            dead = frontier.reap()
            if dead:
                spider.logger.warning("worker(s) %s stopped heart-beating", ", ".join(dead))
                sharedrun.mark_killed(self.engine, self.run_id, dead)
            if not frontier.workers():
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(1.0)
