"""The counters of a crawl run: one declaration each, read by every place that shows one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunCounter:
    """A count kept in Scrapy's stats during a crawl and in ``crawl_runs`` afterwards.

    ``column``: the ``crawl_runs`` (and ``crawl_run_workers``) column; ``stat``: the stats key
    the crawl counts it in; ``label``: its name in the end-of-run summary (None: not in it);
    ``short``: its column header in ``laocorpus runs``; ``batch``: the writer's
    ``BatchResult`` field that feeds it, when the store pipeline counts it.
    """

    column: str
    stat: str
    label: str | None
    short: str
    batch: str | None = None


RUN_COUNTERS: tuple[RunCounter, ...] = (
    RunCounter("requests", "downloader/request_count", "requests", "requests"),
    RunCounter("responses", "downloader/response_count", None, "responses"),
    RunCounter("items_scraped", "item_scraped_count", None, "items"),
    RunCounter("posts_new", "corpus/posts_new", "new posts", "new", "new"),
    RunCounter("posts_updated", "corpus/posts_updated", "updated posts", "updated", "updated"),
    RunCounter(
        "posts_unchanged", "corpus/posts_unchanged", "unchanged posts", "unchanged", "unchanged"
    ),
    RunCounter("posts_gone", "corpus/posts_gone", "gone posts", "gone", "gone"),
    RunCounter("posts_duplicate", "corpus/posts_duplicate", "duplicates found", "dup", "duplicate"),
    RunCounter("rejected", "corpus/rejected", "rejected", "rejected", "rejected"),
    RunCounter("errors", "log_count/ERROR", "errors", "errors"),
)
SUMMARY_COUNTERS = tuple(c for c in RUN_COUNTERS if c.label)
BATCH_COUNTERS = tuple(c for c in RUN_COUNTERS if c.batch)
COUNTER_COLUMNS = tuple(c.column for c in RUN_COUNTERS)
