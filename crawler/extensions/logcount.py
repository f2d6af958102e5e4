"""Per-crawler log counts for ``laocorpus crawl --all``: several crawlers in one process.

Why: Scrapy's LogCount puts one handler per crawler on the root logger, and each counts every
record, so one site's errors (an unreachable host, a failed monitor) raised every other site's
``log_count/ERROR`` and failed its error-rate monitor. Here a crawler counts the records
attributed to its own spider (Scrapy and spider loggers carry it) and those attributed to no
spider, which may be its own; never another crawler's.
"""

from __future__ import annotations

import logging

from scrapy import Spider
from scrapy.extensions.logcount import LogCount

REPLACES = "scrapy.extensions.logcount.LogCount"


class SpiderLogCount(LogCount):
    def spider_opened(self, spider: Spider) -> None:
        super().spider_opened(spider)
        if self.handler is not None:
            self.handler.addFilter(lambda record: _spider_of(record) in (None, spider))


def _spider_of(record: logging.LogRecord) -> Spider | None:
    return getattr(record, "spider", None)
