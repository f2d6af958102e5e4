"""What every crawl gets, however it is started (``scrapy crawl``, Scrapyd, a distributed
worker, ``laocorpus crawl``): the settings check, one crawl of a site per corpus at a time,
killed runs marked, the near-duplicate update, a summary, and an outcome with an exit status.

Why an extension: these used to live in ``laocorpus crawl`` only, so ``scrapy crawl`` and
Scrapyd ran without a lock and exited 0 on a failed run. Built by ``from_crawler`` after the
run recorder (``EXTENSIONS``), it holds the lock before the run row is opened and writes the
summary after the row is closed. The project's ``crawl`` command (crawler/commands/crawl.py)
and ``laocorpus crawl`` read :attr:`Crawler.corpus_outcome` for their exit status.

Distributed workers share one run, so they take no lock and mark no run killed (the last
worker out does, crawler/extensions/workerrun.py), and leave the near-duplicate update to the
next ``laocorpus crawl``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals

from corpus.lock import CrawlLock, LockHeld
from crawler.corpusaddon import CorpusPort, corpus_of
from crawler.extensions.corpusrun import run_status
from crawler.settings_check import SettingsError, check_settings
from schema import SUMMARY_COUNTERS
from schema.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_IO, EXIT_LOCKED

logger = logging.getLogger(__name__)


class CrawlRefused(Exception):
    """The crawl did not start (lock held, bad setting); the message is one line."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class CrawlOutcome:
    """How a crawl ended, for the command that started it."""

    status: str  # finished, failed, interrupted, locked, refused
    run_id: int | None = None
    finish_reason: str | None = None
    failure: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    exit_code_override: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "finished"

    @property
    def exit_code(self) -> int:
        if self.exit_code_override is not None:
            return self.exit_code_override
        return {"finished": 0, "interrupted": EXIT_INTERRUPTED, "locked": EXIT_LOCKED}.get(
            self.status, EXIT_FAILED
        )

    @property
    def message(self) -> str:
        """The one line a failed crawl ends with."""
        if self.status in ("locked", "refused"):
            return self.failure or self.status
        if self.status == "interrupted":
            return f"crawl run {self.run_id} interrupted: run it again to resume"
        return f"crawl run {self.run_id} failed: {self.failure or self.finish_reason}"


def refused(crawler, error: CrawlRefused) -> CrawlOutcome:
    """Record on the crawler that it never started, and why."""
    status = "locked" if error.exit_code == EXIT_LOCKED else "refused"
    outcome = CrawlOutcome(status, failure=str(error), exit_code_override=error.exit_code)
    crawler.corpus_outcome = outcome
    return outcome


def watch(crawler, started: Any) -> None:
    """Catch a :class:`CrawlRefused` from the crawl's start (a Deferred or an asyncio task),
    so it ends as an outcome with one line instead of an unhandled-error traceback."""

    def trap(error: BaseException) -> None:
        if isinstance(error, CrawlRefused):
            refused(crawler, error)
        elif error is not None:
            logger.error("the crawl did not start: %s", error, exc_info=error)
            crawler.corpus_outcome = CrawlOutcome("refused", failure=str(error))

    if hasattr(started, "addErrback"):  # Twisted's CrawlerProcess

        def errback(failure: Any) -> None:
            trap(failure.value)

        started.addErrback(errback)
    elif hasattr(started, "add_done_callback"):  # AsyncCrawlerProcess: an asyncio task

        def done(task: Any) -> None:
            if not task.cancelled() and task.exception() is not None:
                trap(task.exception())

        started.add_done_callback(done)


class CrawlLifecycleExtension:
    def __init__(self, crawler, corpus: CorpusPort, distributed: bool) -> None:
        self.crawler = crawler
        self.corpus = corpus
        self.distributed = distributed
        self.lock: CrawlLock | None = None
        self.site: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        try:
            check_settings(crawler.settings)  # before any request: a bad value is one line
        except SettingsError as exc:
            raise CrawlRefused(str(exc), EXIT_FAILED) from None
        settings = crawler.settings
        extension = cls(
            crawler,
            corpus_of(crawler),
            distributed=bool(settings.get("CORPUS_REDIS_URL")),
        )
        extension.start(getattr(crawler, "spider", None))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def start(self, spider: Any) -> None:
        """Take the site's lock and mark the runs a killed crawl left "running"."""
        profile = getattr(spider, "site_profile", None)
        self.site = profile.name if profile else getattr(spider, "name", None)
        if self.distributed or self.site is None:
            return
        directory = Path(self.crawler.settings.get("CORPUS_LOCK_DIR") or "data/locks")
        lock = CrawlLock(self.site, self.corpus.url, directory)
        try:
            lock.acquire()
        except LockHeld as exc:
            raise CrawlRefused(str(exc), EXIT_LOCKED) from None
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise CrawlRefused(f"cannot write the lock in {directory}: {why}", EXIT_IO) from None
        self.lock = lock
        stale = self.corpus.writer.close_stale_runs(self.site)
        if stale:
            logger.warning("marked %d interrupted earlier run(s) of %s as killed", stale, self.site)
        self.crawler.stats.set_value("corpus/runs_marked_killed", stale)

    def spider_closed(self, spider, reason: str) -> None:
        """After the run row is closed: near-duplicates, then the summary and the outcome."""
        stats = self.crawler.stats.get_stats()
        failure = stats.get("corpus/monitor_failures") or None
        changed = stats.get("corpus/posts_new") or stats.get("corpus/posts_updated")
        if changed and not self.distributed:
            self._near_duplicates(stats)
        status = run_status(reason, failure)
        outcome = CrawlOutcome(
            status,
            run_id=stats.get("corpus/run_id"),
            finish_reason=reason,
            failure=failure,
            stats=stats,
        )
        outcome.summary = summary_lines(self.site or spider.name, outcome, self.corpus.masked_url)
        for line in outcome.summary:
            logger.info("%s", line)
        self.crawler.corpus_outcome = outcome

    def _near_duplicates(self, stats: dict) -> None:
        try:
            found = self.corpus.update_near_duplicates()
        except ImportError as missing:  # a crawl-only install: `laocorpus dedup` catches up
            logger.info(
                "near-duplicates not updated: %s (install lao-news-corpus[analysis])", missing
            )
            return
        except Exception:  # the corpus is stored; the next crawl updates near-duplicates
            logger.exception("near-duplicate update failed")
            return
        stats["corpus/near_duplicates"] = found.near_duplicates
        self.crawler.stats.set_value("corpus/near_duplicates", found.near_duplicates)
        logger.info(
            "near-duplicates: %d posts in %d clusters (%d posts compared in %.1f s)",
            found.near_duplicates,
            found.clusters,
            found.compared,
            found.seconds,
        )

    def engine_stopped(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def summary_lines(site: str, outcome: CrawlOutcome, where: str) -> list[str]:
    """The end-of-run summary, the same in every log and on ``scrapy crawl``'s stderr."""
    stats = outcome.stats
    lines = [
        f"crawl run {outcome.run_id} of {site} into {where}: {outcome.status} "
        f"(finish reason {outcome.finish_reason})"
    ]
    counts = ", ".join(f"{c.label} {int(stats.get(c.stat, 0))}" for c in SUMMARY_COUNTERS)
    lines.append(f"  {counts}")
    if outcome.failure:
        lines.append(f"  failure: {outcome.failure}")
    return lines
