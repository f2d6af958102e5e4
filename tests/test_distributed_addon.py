"""Distributed mode as an add-on, built by Scrapy as a crawl builds it: nothing without
``CORPUS_REDIS_URL``; with it, the worker's components by settings alone, the site's own spider
aimed at the seeded run, the start message taken by one worker, and the idle timer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis
import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.test import get_crawler, get_reactor_settings

from corpus import sharedrun
from corpus.db import init_db
from crawler.distributedaddon import DistributedAddon
from crawler.extensions.corpusrun import CorpusRunExtension
from crawler.extensions.lifecycle import CrawlRefused

MIRROR = "http://127.0.0.1:8765"  # never fetched: joining a run reads Redis and the corpus only
ADDON = {DistributedAddon: 10}


def test_without_a_redis_url_the_addon_changes_no_setting() -> None:
    crawler = get_crawler(settings_dict={"ADDONS": ADDON})
    assert crawler.addons.addons == []  # NotConfigured: not even listed as enabled
    assert crawler.settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert crawler.settings["DUPEFILTER_CLASS"] == "scrapy.dupefilters.RFPDupeFilter"
    assert crawler.settings.getdict("SPIDER_MIDDLEWARES") == {}
    assert crawler.settings.getdict("EXTENSIONS") == {}
    assert not hasattr(crawler, "distributed_worker")


def test_the_project_loads_the_addon_and_scrapys_own_spider_loader() -> None:
    from crawler import settings

    assert settings.ADDONS == {
        "crawler.corpusaddon.CorpusAddon": 0,
        "crawler.distributedaddon.DistributedAddon": 10,
    }
    assert not hasattr(settings, "SPIDER_LOADER_CLASS")
    assert not Path(settings.__file__).with_name("spiderloader.py").exists()


def test_with_a_redis_url_the_worker_is_wired_by_settings(sqlite_url: str) -> None:
    from crawler import distributed
    from crawler.extensions.workerrun import WorkerRunExtension

    crawler = get_crawler(
        settings_dict={
            "ADDONS": ADDON,
            # Nothing listens there: without a spider there is no run to join, so no connection.
            "CORPUS_REDIS_URL": "redis://127.0.0.1:9/0",
            "CORPUS_DATABASE_URL": sqlite_url,
            "EXTENSIONS": {CorpusRunExtension: 900},
        }
    )
    settings = crawler.settings
    assert [type(addon) for addon in crawler.addons.addons] == [DistributedAddon]
    assert settings["SCHEDULER"] == "crawler.distributed.RedisScheduler"
    assert settings["DUPEFILTER_CLASS"] == "crawler.distributed.CachedDupeFilter"
    assert settings["SCHEDULER_QUEUE_CLASS"] == "crawler.distributed.LifoPriorityQueue"
    assert settings.getdict("SPIDER_MIDDLEWARES") == {distributed.WorkerStartMiddleware: 10}
    assert settings.getdict("EXTENSIONS") == {
        CorpusRunExtension: None,
        distributed.WorkerIdleExtension: 800,
        WorkerRunExtension: 900,
    }
    built = {type(extension) for extension in crawler.extensions.middlewares}
    assert {distributed.WorkerIdleExtension, WorkerRunExtension} <= built
    assert CorpusRunExtension not in built
    assert not hasattr(crawler, "distributed_worker")


# -- a worker of a seeded run --------------------------------------------------------------


@pytest.fixture
def seeded(sqlite_url: str, redis_url: str, redis_prefix: str) -> dict[str, Any]:
    """A run of lsr on the mirror, seeded as `laocorpus seed lsr --discovery sitemap` does."""
    from crawler.distributed import Frontier, RunKeys

    run_id = sharedrun.open_run(init_db(sqlite_url), "lsr", {"base_url": MIRROR})
    frontier = Frontier(redis.Redis.from_url(redis_url), RunKeys(redis_prefix, "lsr", run_id))
    meta = {"site": "lsr", "base_url": MIRROR, "discovery": "sitemap", "database": sqlite_url}
    frontier.seed(meta, {"run_id": run_id, "site": "lsr"})
    settings = {
        "CORPUS_DATABASE_URL": sqlite_url,
        "CORPUS_REDIS_URL": redis_url,
        "CORPUS_REDIS_PREFIX": redis_prefix,
        "MAX_IDLE_TIME_BEFORE_CLOSE": 3600,
    }
    return {"run_id": run_id, "frontier": frontier, "settings": settings}


def crawl_built(settings: dict[str, Any], **spider_args: str) -> Crawler:
    """The crawler of `scrapy crawl lsr -s ...` with the project's settings, as far as
    ``Crawler.crawl`` builds it before the engine: the spider, then the add-ons."""
    project = Settings()
    project.setmodule("crawler.settings")
    project.setdict({**get_reactor_settings(), **settings}, priority="cmdline")
    spidercls = SpiderLoader.from_settings(project).load("lsr")
    crawler = Crawler(spidercls, project)
    crawler.spider = crawler._create_spider(**spider_args)
    crawler._apply_settings()
    return crawler


def test_scrapy_crawl_with_the_setting_alone_is_a_worker_of_the_run(seeded) -> None:
    crawler = crawl_built(seeded["settings"])
    spider = crawler.spider
    assert type(spider) is crawler.spidercls  # the site's own class, no generated subclass
    assert type(spider).__name__ == "LsrSpider" and spider.name == "lsr"
    # Built again with the run's arguments instead of the profile's live site.
    assert (spider.base_url, spider.discovery, spider.requested_mode, spider.mode) == (
        MIRROR,
        "sitemap",
        "full",
        "full",
    )
    assert spider.modes_left == ["sitemap"]
    assert crawler.settings.getbool("AUTOTHROTTLE_ENABLED") is False  # the mirror is loopback
    worker = crawler.distributed_worker
    assert worker.frontier.keys == seeded["frontier"].keys
    assert worker.frontier.server.ping()


def test_a_worker_asked_for_another_site_than_the_run_refuses(seeded) -> None:
    with pytest.raises(CrawlRefused) as refused:
        crawl_built(seeded["settings"], base_url="http://127.0.0.1:9999")
    expected = f"run {seeded['run_id']} crawls {MIRROR}, not http://127.0.0.1:9999"
    assert (str(refused.value), refused.value.exit_code) == (expected, 1)


class Engine:
    """What the start middleware uses of the engine: ``crawl``."""

    def __init__(self) -> None:
        self.crawled: list[str] = []

    def crawl(self, request: scrapy.Request) -> None:
        self.crawled.append(request.url)


async def start_requests() -> AsyncIterator[scrapy.Request]:
    yield scrapy.Request(f"{MIRROR}/wp-sitemap.xml")
    yield scrapy.Request(f"{MIRROR}/robots.txt")


def test_the_worker_taking_the_start_message_sends_its_held_start_requests(seeded) -> None:
    from crawler.distributed import WorkerStartMiddleware

    first, second = (crawl_built(seeded["settings"]) for _ in range(2))
    started = []
    for crawler in (first, second):
        crawler.engine = Engine()
        middleware = WorkerStartMiddleware.from_crawler(crawler)
        passed = asyncio.run(collect(middleware.process_start(start_requests())))
        assert passed == []  # held back: no worker starts on its own
        started.append(middleware)

    async def idle() -> None:  # in the crawl's loop, as the engine sends spider_idle
        with pytest.raises(DontCloseSpider):
            started[0].spider_idle()  # takes the message, sends the requests in a task
        with pytest.raises(DontCloseSpider):
            started[0].spider_idle()  # still sending
        await started[0].sending.asFuture(asyncio.get_running_loop())

    asyncio.run(idle())
    assert first.engine.crawled == [f"{MIRROR}/wp-sitemap.xml", f"{MIRROR}/robots.txt"]
    started[1].spider_idle()  # nothing left to take: the idle timer decides, not this
    assert second.engine.crawled == []
    assert seeded["frontier"].pending() == 0


def test_a_start_message_of_another_run_is_dropped(seeded) -> None:
    from crawler.distributed import WorkerStartMiddleware

    crawler = crawl_built(seeded["settings"])
    crawler.engine = Engine()
    frontier = seeded["frontier"]
    frontier.server.delete(frontier.keys.start)
    frontier.server.rpush(frontier.keys.start, json.dumps({"run_id": seeded["run_id"] + 1}))
    middleware = WorkerStartMiddleware.from_crawler(crawler)
    asyncio.run(collect(middleware.process_start(start_requests())))
    middleware.spider_idle()
    assert crawler.engine.crawled == [] and frontier.pending() == 0


def test_the_idle_timer_counts_from_the_last_request_and_waits_for_busy_workers(seeded) -> None:
    from crawler.distributed import WorkerIdleExtension

    crawler = crawl_built({**seeded["settings"], "MAX_IDLE_TIME_BEFORE_CLOSE": 0})
    idle = WorkerIdleExtension.from_crawler(crawler)
    frontier = seeded["frontier"]
    with pytest.raises(DontCloseSpider):
        idle.spider_idle()  # the start message is still there; the timer starts now
    frontier.take_start()
    idle.spider_idle()  # drained, nobody busy, idle 0 s or more: close
    crawler.stats.inc_value("downloader/request_count")
    with pytest.raises(DontCloseSpider):
        idle.spider_idle()  # it made a request since: the timer starts again
    frontier.beat("elsewhere:1", busy=True)
    with pytest.raises(DontCloseSpider):
        idle.spider_idle()  # another worker may still queue requests
    frontier.beat("elsewhere:1", busy=False)
    idle.spider_idle()

    waiting = WorkerIdleExtension.from_crawler(crawl_built(seeded["settings"]))  # 3600 s
    for _ in range(2):
        with pytest.raises(DontCloseSpider):
            waiting.spider_idle()


async def collect(iterator: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in iterator]
