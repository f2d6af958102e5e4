"""Records each crawl as a row of ``crawl_runs``: who, what, when, how it ended, and counters.

The counters come from Scrapy's stats, which the pipelines feed, so the row says the same as
the crawl's closing log.
"""

from __future__ import annotations

import functools

from scrapy import signals

from crawler.corpusaddon import CorpusPort, corpus_of
from schema import RUN_COUNTERS

# crawl_runs column -> the stats key it is read from (schema/runs.py)
COUNTERS = {counter.column: counter.stat for counter in RUN_COUNTERS}
FIELD_SOURCE_PREFIX = "corpus/field_source/"


def field_sources(stats: dict) -> dict[str, dict[str, int]]:
    """``corpus/field_source/<field>/<source>`` counts as ``{field: {source: count}}``."""
    sources: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if key.startswith(FIELD_SOURCE_PREFIX) and value:
            field, _, source = key[len(FIELD_SOURCE_PREFIX) :].partition("/")
            if field and source:
                sources.setdefault(field, {})[source] = int(value)
    return {field: dict(sorted(found.items())) for field, found in sorted(sources.items())}


def run_status(reason: str | None, failure: str | None) -> str:
    """``interrupted`` after Ctrl-C (Scrapy's "shutdown"), ``failed`` when a monitor failed."""
    if reason == "shutdown":
        return "interrupted"
    return "finished" if reason == "finished" and not failure else "failed"


class CorpusRunExtension:
    def __init__(self, crawler, corpus: CorpusPort) -> None:
        self.crawler = crawler
        self.corpus = corpus
        self.writer = corpus.writer
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler, corpus_of(crawler))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        profile = getattr(spider, "site_profile", None)
        arguments = {
            "base_url": getattr(spider, "base_url", None),
            "discovery": getattr(spider, "discovery", None),
            "database": self.corpus.masked_url,
        }
        self.run_id = self.writer.start_run(
            spider.name, profile.name if profile else spider.name, arguments
        )
        self.crawler.stats.set_value("corpus/run_id", self.run_id)
        spider.logger.info("crawl run %s into %s", self.run_id, self.corpus.masked_url)

    def spider_closed(self, spider, reason: str) -> None:
        if self.run_id is None:
            return
        stats = self.crawler.stats
        counters = {column: int(stats.get_value(key, 0)) for column, key in COUNTERS.items()}
        failure = stats.get_value("corpus/monitor_failures")
        status = run_status(reason, failure)
        close = functools.partial(
            self.writer.finish_run,
            self.run_id,
            status=status,
            finish_reason=reason,
            discovery=stats.get_value("corpus/discovery"),
            mode=getattr(spider, "mode", None),
            failure=failure,
            field_sources=field_sources(stats.get_stats()),
            **counters,
        )
        self.corpus.retrying(close, what="closing the crawl run")
