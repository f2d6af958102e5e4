"""Launching a crawl from the CLI: one Scrapy crawl in this process, with a live progress line.

This is the only place the corpus package touches the crawler package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

PROJECT_SETTINGS = "crawler.settings"


@dataclass
class CrawlOutcome:
    run_id: int | None
    finish_reason: str
    stats: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.finish_reason == "finished"


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
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", PROJECT_SETTINGS)
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.items import Post, Reject

    project = get_project_settings()
    project.set("CORPUS_DATABASE_URL", database_url, priority="cmdline")
    if log_file:
        project.set("LOG_FILE", log_file, priority="cmdline")
        project.set("LOG_FILE_APPEND", True, priority="cmdline")
    for key, value in (settings or {}).items():
        project.set(key, value, priority="cmdline")

    project.set("LOG_INSTALL_ROOT_HANDLER", bool(log_file), priority="cmdline")
    process = CrawlerProcess(project)
    crawler = process.create_crawler(spider)
    console = console or Console(stderr=True)
    counts = {"pages": 0, "posts": 0, "rejects": 0}
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
        task = progress.add_task(f"crawling {spider}", total=expected_posts, pages=0, rejects=0)

        def on_response(**_: Any) -> None:
            counts["pages"] += 1
            progress.update(task, pages=counts["pages"])

        def on_item(item: Any, **_: Any) -> None:
            if isinstance(item, Post):
                counts["posts"] += 1
            elif isinstance(item, Reject):
                counts["rejects"] += 1
            progress.update(task, completed=counts["posts"], rejects=counts["rejects"])

        crawler.signals.connect(on_response, signal=signals.response_received)
        crawler.signals.connect(on_item, signal=signals.item_scraped)
        process.crawl(crawler, **dict(spider_args or {}))
        process.start()
        progress.update(task, description=f"crawled {spider}")
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return CrawlOutcome(
        run_id=stats.get("corpus/run_id"),
        finish_reason=str(stats.get("finish_reason", "unknown")),
        stats=stats,
    )
