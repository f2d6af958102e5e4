"""Launching crawls from a command: one Scrapy crawl (or several, ``crawl --all``) in this
process, with a live progress line each.

The lock, killed runs,
near-duplicates and the outcome are the crawl's own (crawler/extensions/lifecycle.py), the
same as under ``scrapy crawl``; this adds only the progress bar and the rotating log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from crawler.extensions.lifecycle import CrawlOutcome

PROJECT_SETTINGS = "crawler.settings"


LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 5


def _log_to_rotating_file(settings, log_file: str) -> None:
    """Scrapy's log into ``log_file``, rotated at 10 MB with 5 old files kept (cron runs)."""
    import logging
    from logging.handlers import RotatingFileHandler

    handler = RotatingFileHandler(
        log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    )
    handler.setLevel(settings.get("LOG_LEVEL"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.WARNING, handler.level))


@dataclass(frozen=True)
class CrawlJob:
    """One crawl of a multi-site run: the spider, its arguments, the site's name."""

    spider: str
    args: Mapping[str, str] = field(default_factory=dict)
    site: str | None = None  # shown in the progress line; default: the spider's name

    @property
    def label(self) -> str:
        return self.site or self.spider


def run_crawl(
    spider: str,
    *,
    database_url: str,
    spider_args: Mapping[str, str] | None = None,
    settings: Mapping[str, Any] | None = None,
    log_file: str | None = None,
    console: Console | None = None,
    expected_posts: int | None = None,
) -> CrawlOutcome:
    """Run one crawl to the end; Scrapy's log goes to ``log_file`` while a progress bar shows."""
    job = CrawlJob(spider, dict(spider_args or {}))
    return run_crawls(
        [job],
        database_url=database_url,
        settings=settings,
        log_file=log_file,
        console=console,
        expected_posts=expected_posts,
    )[0]


def run_crawls(
    jobs: list[CrawlJob],
    *,
    database_url: str,
    settings: Mapping[str, Any] | None = None,
    log_file: str | None = None,
    console: Console | None = None,
    expected_posts: int | None = None,
) -> list[CrawlOutcome]:
    """Run several crawls at once in this process (``crawl --all``), one outcome each.

    Each crawler has its own downloader (per-domain concurrency, AutoThrottle), run row, lock
    and summary (crawler/extensions/lifecycle.py); one that fails or cannot start leaves the
    others running. The process ends when the last crawl does.
    """
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", PROJECT_SETTINGS)
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.extensions.lifecycle import watch
    from crawler.items import Post, Reject

    project = get_project_settings()
    project.set("CORPUS_DATABASE_URL", database_url, priority="cmdline")
    for key, value in (settings or {}).items():
        project.set(key, value, priority="cmdline")
    project.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    if len(jobs) > 1:  # each crawler counts its own errors (crawler/extensions/logcount.py)
        from crawler.extensions.logcount import REPLACES

        extensions = {**project.getdict("EXTENSIONS"), REPLACES: None}
        extensions["crawler.extensions.logcount.SpiderLogCount"] = 0
        project.set("EXTENSIONS", extensions, priority="cmdline")
    process = CrawlerProcess(project)
    if log_file:
        _log_to_rotating_file(project, log_file)
    crawlers = [process.create_crawler(job.spider) for job in jobs]
    console = console or Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn(
            "{task.completed}/{task.total} posts" if expected_posts else "{task.completed} posts"
        ),
        TextColumn("· {task.fields[pages]} pages · {task.fields[rejects]} rejects"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        for job, crawler in zip(jobs, crawlers, strict=True):
            task = progress.add_task(
                f"crawling {job.label}", total=expected_posts, pages=0, rejects=0
            )
            _show_progress(progress, task, crawler, signals, Post, Reject)
            watch(crawler, process.crawl(crawler, **dict(job.args)))
        process.start()
    return [_outcome(crawler) for crawler in crawlers]


def _show_progress(progress: Progress, task: Any, crawler: Any, signals, post, reject) -> None:
    """Count one crawler's pages, posts and rejects on its own progress line."""
    counts = {"pages": 0, "posts": 0, "rejects": 0}

    def on_response(**_: Any) -> None:
        counts["pages"] += 1
        progress.update(task, pages=counts["pages"])

    def on_item(item: Any, **_: Any) -> None:
        if isinstance(item, post):
            counts["posts"] += 1
        elif isinstance(item, reject):
            counts["rejects"] += 1
        progress.update(task, completed=counts["posts"], rejects=counts["rejects"])

    crawler.signals.connect(on_response, signal=signals.response_received, weak=False)
    crawler.signals.connect(on_item, signal=signals.item_scraped, weak=False)


def _outcome(crawler: Any) -> CrawlOutcome:
    from crawler.extensions.lifecycle import CrawlOutcome

    outcome = getattr(crawler, "corpus_outcome", None)
    if outcome is None:  # the crawl did not start for a reason Scrapy has logged
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = str(stats.get("finish_reason", "did not start"))
        outcome = CrawlOutcome("failed", stats.get("corpus/run_id"), reason, stats=stats)
    return outcome
