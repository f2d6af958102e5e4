"""Distributed mode as a Scrapy add-on: with ``CORPUS_REDIS_URL`` set, the crawl is one worker
of the site's run in that Redis (crawler/distributed.py); without it, nothing changes.

The worker is wired by settings alone — scheduler, duplicate filter, queue, one spider
middleware and two extensions — around the site's own spider class. Its own module, which
imports crawler/distributed.py only when the setting is set, so that a crawl-only install (no
``distributed`` extra: no redis, no scrapy-redis) loads it.
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from crawler.extensions.lifecycle import CrawlRefused
from schema.exits import EXIT_FAILED
from schema.extras import missing_extra

DISTRIBUTED = "crawler.distributed"
START_MIDDLEWARE_ORDER = 10  # engine side of every other: it holds what they all made
IDLE_EXTENSION_ORDER = 800
WORKER_RUN_ORDER = 900  # where the run recorder it replaces was


class DistributedAddon:
    """Scrapy add-on: with ``CORPUS_REDIS_URL``, join the site's run and become its worker."""

    @classmethod
    def from_crawler(cls, crawler) -> DistributedAddon:
        if not crawler.settings.get("CORPUS_REDIS_URL"):
            raise NotConfigured  # a single-process crawl, Scrapy's scheduler
        distributed = _distributed()
        if crawler.spider is not None:  # Scrapy builds the spider before it loads add-ons
            try:
                distributed.join(crawler)
            except distributed.DistributedError as exc:
                raise CrawlRefused(str(exc), EXIT_FAILED) from None
        return cls()

    def update_settings(self, settings) -> None:
        from crawler.extensions.corpusrun import CorpusRunExtension
        from crawler.extensions.workerrun import WorkerRunExtension

        distributed = _distributed()
        settings.set("SCHEDULER", f"{DISTRIBUTED}.RedisScheduler", priority="addon")
        settings.set("DUPEFILTER_CLASS", f"{DISTRIBUTED}.CachedDupeFilter", priority="addon")
        settings.set("SCHEDULER_QUEUE_CLASS", f"{DISTRIBUTED}.LifoPriorityQueue", priority="addon")
        settings.set_in_component_priority_dict(
            "SPIDER_MIDDLEWARES", distributed.WorkerStartMiddleware, START_MIDDLEWARE_ORDER
        )
        settings.set_in_component_priority_dict(
            "EXTENSIONS", distributed.WorkerIdleExtension, IDLE_EXTENSION_ORDER
        )
        # The run row is shared: each worker adds its counters to it instead of making its own.
        settings.set_in_component_priority_dict("EXTENSIONS", CorpusRunExtension, None)
        settings.set_in_component_priority_dict("EXTENSIONS", WorkerRunExtension, WORKER_RUN_ORDER)


def _distributed():
    """crawler/distributed.py, or a one-line refusal naming the extra to install."""
    try:
        from crawler import distributed
    except ImportError as exc:
        advice = missing_extra(exc)
        if advice is None:
            raise
        raise CrawlRefused(f"CORPUS_REDIS_URL is set, but {advice}", EXIT_FAILED) from None
    return distributed
