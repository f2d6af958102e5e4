"""Scrapy's spider loader; with ``CORPUS_REDIS_URL`` set, site spiders become workers.

Its own module so that a crawl-only install (no ``distributed`` extra: no redis, no
scrapy-redis) loads spiders without importing distributed mode at all.
"""

from __future__ import annotations

import scrapy
from scrapy.spiderloader import SpiderLoader as ScrapySpiderLoader


class SpiderLoader(ScrapySpiderLoader):
    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.distributed = bool(settings.get("CORPUS_REDIS_URL"))

    def load(self, spider_name: str) -> type[scrapy.Spider]:
        spidercls = super().load(spider_name)
        if not self.distributed:
            return spidercls
        from crawler.distributed import worker_class
        from crawler.spiders.wordpress import WordPressSpider

        return worker_class(spidercls) if issubclass(spidercls, WordPressSpider) else spidercls
