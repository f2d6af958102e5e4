"""Distributed crawls: workers on any machine share one frontier in Redis, through scrapy-redis.

How a run goes (README, "Running distributed"):

1. ``laocorpus seed SITE --redis URL`` opens a crawl run in the corpus and writes, under
   ``{prefix}:{site}:{run}:``, the run's settings (``meta``) and one start message (``start``).
2. ``laocorpus crawl SITE --redis URL`` — or ``scrapy crawl SITE -s CORPUS_REDIS_URL=URL`` —
   starts a worker. The setting switches on the add-on (crawler/distributedaddon.py, in
   ``ADDONS``), which joins the run (:func:`join`) and wires the worker through settings
   alone: scrapy-redis's scheduler and duplicate filter on the run's keys (:class:`RedisScheduler`,
   :class:`CachedDupeFilter`) — ``requests`` (a priority queue of requests as JSON,
   crawler/redisjson.py) and ``dupefilter`` (a set of request fingerprints) —, the start
   message (:class:`WorkerStartMiddleware`), when to stop (:class:`WorkerIdleExtension`) and
   the shared run row (crawler/extensions/workerrun.py). The spider is the site's own class.
3. Every worker holds its spider's start requests back; the first idle one takes the start
   message and sends them to the engine; every request any worker yields then goes to the
   shared queue, and any worker may take it. Callbacks travel by name, so any worker can run
   any of them.
4. A worker stops once the queue is drained, no other worker is busy, and it has itself been
   idle for ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds; the last one out closes the run and deletes
   its keys (crawler/extensions/workerrun.py).

Why the start message, not the requests themselves, is seeded: the spider's first requests are
probes whose outcome picks the discovery source, so they are made by a worker, with the code
that will handle their answers. The probe chain's state (the sources still to try) travels in
each probe's ``meta`` instead of a spider attribute, so whichever worker gets the answer goes on
where the last one stopped. Distributed runs are full walks: an incremental sweep's check for
removed posts needs the whole listing in one process, so that stays ``laocorpus crawl SITE``.

Why the spider may be built twice: Scrapy builds the spider before it loads add-ons, so an
add-on cannot give it arguments. ``laocorpus crawl SITE --redis`` passes the run's own (base
URL, discovery, a full walk); a spider built with others (``scrapy crawl SITE`` gets its
profile's) is built again by :func:`join`, through its own ``from_crawler``, before any other
component has seen it.

This module is the one place that knows scrapy-redis 0.9.1 and its gaps on Scrapy 2.19. Its
scheduler, queue and duplicate filter are used; its spider classes (``RedisMixin``) are not:

* they define only ``start_requests``, which Scrapy 2.13+ no longer calls, and their start
  path is the spider's own ``spider_idle`` → ``schedule_next_requests`` →
  ``make_request_from_data``, which needs the mixin in the spider class. A spider middleware
  does it instead: its ``process_start`` holds the spider's start requests back, and on
  ``spider_idle`` it takes the start message and sends them (:class:`WorkerStartMiddleware`);
* their idle timer is a class attribute set at import and reset only while the start list
  holds data, so a worker idle for a moment late in a long crawl would close at once: the
  timer here counts from this worker's last request, and waits while another worker is busy
  (:class:`WorkerIdleExtension`);
* their keys come from settings formatted with the spider name: here they are per site and
  run, the ones the worker joined;
* the duplicate filter asks Redis about every link met, though most were met before: a local
  cache of the fingerprints this worker already met skips those round trips;
* the scheduler passes ``spider=`` to the stats (deprecated) and, without
  ``SCHEDULER_PERSIST``, a worker closing first would delete the others' queue;
* the priority queue orders requests of equal priority by URL, which starves the home
  pagination chain: ties are broken by push time here, newest first, as in Scrapy's scheduler;
* an idle worker looks at the queue only on the engine's 5-second heartbeat: 1 second here, so
  workers join a crawl as soon as there is work.

Versions: scrapy-redis 0.9.1 with redis-py 5-8 on Scrapy 2.19 (pinned in pyproject.toml).
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as ScrapyRedisScheduler

from crawler.corpusaddon import CorpusPort, corpus_of
from crawler.spiders.wordpress import WordPressSpider

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "laocorpus"
POLL_SECONDS = 1.0  # how often an idle worker looks at the shared queue
REDIS_PARAMS = {"socket_timeout": 30, "socket_connect_timeout": 10, "retry_on_timeout": True}


class DistributedError(Exception):
    """A problem with the Redis side of a run that a user can fix; one line."""


def mask_redis_url(url: str) -> str:
    """The Redis URL with its password hidden, for logs and run rows."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = parts.username or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def connect(url: str) -> redis.Redis:
    """A client for the run's Redis; an unreachable server is a one-line DistributedError."""
    try:
        server = redis.Redis.from_url(url, **REDIS_PARAMS)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DistributedError(f"cannot reach Redis at {mask_redis_url(url)}: {reason}") from None
    return server


@dataclass(frozen=True)
class RunKeys:
    """Every Redis key of one distributed run, namespaced by prefix, site and run id."""

    prefix: str
    site: str
    run_id: int

    @staticmethod
    def pointer(prefix: str, site: str) -> str:
        """Holds the id of the site's current run: where workers find what to join."""
        return f"{prefix}:{site}:run"

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.site}:{self.run_id}"

    @property
    def meta(self) -> str:  # hash: base_url, discovery, database, seeded_at, seeded_by
        return f"{self.base}:meta"

    @property
    def start(self) -> str:  # list: the start message, until a worker takes it
        return f"{self.base}:start"

    @property
    def requests(self) -> str:  # sorted set: the shared request queue (scrapy-redis)
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:  # set: fingerprints of every request ever queued
        return f"{self.base}:dupefilter"

    @property
    def workers(self) -> str:  # set: workers that joined and have not left
        return f"{self.base}:workers"

    def alive(self, worker: str) -> str:  # "busy"/"idle", expiring unless the worker beats
        return f"{self.base}:alive:{worker}"


class Frontier:
    """The Redis side of one run: its queue, start message, settings and live workers."""

    def __init__(self, server: redis.Redis, keys: RunKeys, ttl: float = 15.0) -> None:
        self.server = server
        self.keys = keys
        self.ttl = ttl

    @classmethod
    def current(cls, server: redis.Redis, prefix: str, site: str, ttl: float = 15.0):
        """The site's current run, or None when none was seeded."""
        run_id = server.get(RunKeys.pointer(prefix, site))
        if run_id is None:
            return None
        return cls(server, RunKeys(prefix, site, int(run_id)), ttl)

    def seed(self, meta: dict[str, str], message: dict[str, Any]) -> None:
        """Write the run's settings and start message, and make it the site's current run."""
        with self.server.pipeline() as pipe:
            pipe.delete(*self._own_keys())
            pipe.hset(self.keys.meta, mapping=meta)
            pipe.rpush(self.keys.start, json.dumps(message))
            pipe.set(RunKeys.pointer(self.keys.prefix, self.keys.site), self.keys.run_id)
            pipe.execute()

    def meta(self) -> dict[str, str]:
        raw = self.server.hgetall(self.keys.meta)
        return {key.decode(): value.decode() for key, value in raw.items()}

    def queued(self) -> int:
        return int(self.server.zcard(self.keys.requests))

    def pending(self) -> int:
        """Requests queued plus an untaken start message: work some worker will do."""
        with self.server.pipeline(transaction=False) as pipe:
            pipe.zcard(self.keys.requests)
            pipe.llen(self.keys.start)
            return sum(pipe.execute())

    def take_start(self) -> bytes | None:
        """The start message, taken: no other worker gets it (LPOP is atomic)."""
        return self.server.lpop(self.keys.start)

    def seen(self) -> int:
        return int(self.server.scard(self.keys.dupefilter))

    def beat(self, worker: str, busy: bool) -> None:
        """Say this worker is alive (and busy or idle) for the next ``ttl`` seconds."""
        with self.server.pipeline() as pipe:
            pipe.sadd(self.keys.workers, worker)
            pipe.set(self.keys.alive(worker), "busy" if busy else "idle", ex=max(1, int(self.ttl)))
            pipe.execute()

    def leave(self, worker: str) -> None:
        with self.server.pipeline() as pipe:
            pipe.srem(self.keys.workers, worker)
            pipe.delete(self.keys.alive(worker))
            pipe.execute()

    def workers(self) -> dict[str, str | None]:
        """Workers that joined and have not left: "busy", "idle", or None once silent."""
        names = sorted(name.decode() for name in self.server.smembers(self.keys.workers))
        if not names:
            return {}
        states = self.server.mget([self.keys.alive(name) for name in names])
        return {
            name: state.decode() if state else None
            for name, state in zip(names, states, strict=True)
        }

    def others_busy(self, worker: str) -> bool:
        return any(s == "busy" for name, s in self.workers().items() if name != worker)

    def reap(self) -> list[str]:
        """Forget workers whose heartbeat expired (killed, or their machine died)."""
        dead = [name for name, state in self.workers().items() if state is None]
        if dead:
            self.server.srem(self.keys.workers, *dead)
        return dead

    def remove(self) -> None:
        """Delete every key of the run, and the site's pointer if it still names this run."""
        self.server.delete(*self._own_keys())
        pointer = RunKeys.pointer(self.keys.prefix, self.keys.site)
        if self.server.get(pointer) == str(self.keys.run_id).encode():
            self.server.delete(pointer)

    def _own_keys(self) -> list[str]:
        keys = self.keys
        fixed = [keys.meta, keys.start, keys.requests, keys.dupefilter, keys.workers]
        return fixed + [key.decode() for key in self.server.scan_iter(f"{keys.base}:alive:*")]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def join_run(settings, site: str) -> Frontier:
    """The run a worker joins: ``CORPUS_RUN_ID``, else the site's current run in Redis."""
    url = settings.get("CORPUS_REDIS_URL")
    prefix = settings.get("CORPUS_REDIS_PREFIX") or DEFAULT_PREFIX
    ttl = settings.getfloat("CORPUS_WORKER_TTL", 15.0)
    server = connect(url)
    run_id = settings.getint("CORPUS_RUN_ID", 0)
    if run_id:
        frontier = Frontier(server, RunKeys(prefix, site, run_id), ttl)
    else:
        frontier = Frontier.current(server, prefix, site, ttl)
        if frontier is None:
            raise DistributedError(
                f"no crawl of {site} is seeded in {mask_redis_url(url)} (prefix {prefix!r}): "
                f"run `laocorpus seed {site} --redis URL` first"
            )
    if not frontier.meta():
        raise DistributedError(
            f"run {frontier.keys.run_id} of {site} has no settings in {mask_redis_url(url)}: "
            "it ended, or was never seeded"
        )
    return frontier


class LifoPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue, newest first among equal priorities (as Scrapy's own).

    scrapy-redis scores a request by its priority alone, so Redis orders equal scores by the
    encoded bytes, i.e. by URL: every ``/category/...`` page before any ``/page/N/``, which
    starved the home pagination chain until the end of the crawl (a 35% longer crawl of the
    sample site). The push time breaks the ties, newest first; a clock skew between machines
    only reorders, it never loses a request.
    """

    def push(self, request: scrapy.Request) -> None:
        score = -request.priority * 1e10 - time.time()
        self.server.execute_command("ZADD", self.key, score, self._encode_request(request))

    def _encode_request(self, request: scrapy.Request) -> bytes:
        """Scrapy names a callback by scanning the spider's every attribute; scanning only its
        methods gives the same name in a tenth of the time (it was 0.3 ms a request)."""
        if getattr(self, "_methods", None) is None:
            self._methods = _SpiderMethods(self.spider)
        return self.serializer.dumps(request.to_dict(spider=self._methods))


class _SpiderMethods:
    """The spider's methods, bound, and nothing else: what a request's callback is named from."""

    def __init__(self, spider: scrapy.Spider) -> None:
        for klass in type(spider).__mro__:
            for name, value in vars(klass).items():
                if inspect.isfunction(value) and not name.startswith("__"):
                    setattr(self, name, getattr(spider, name))


class CachedDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter, asking Redis only about requests this worker has not met.

    A fingerprint this worker met once is in the shared set for good (it added it, or Redis
    said it was there), so only first meetings need a round trip. An archive page links dozens
    of URLs already queued: without the cache, SADDs took 15% of a worker's time.
    """

    CACHE_LIMIT = 500_000  # 20-byte digests: at most ~40 MB; past it the cache starts over

    def __init__(self, server: redis.Redis, key: str, debug: bool = False) -> None:
        super().__init__(server, key, debug)
        self.met: set[bytes] = set()

    def request_seen(self, request: scrapy.Request) -> bool:
        fingerprint = self.request_fingerprint(request)
        digest = bytes.fromhex(fingerprint)
        if digest in self.met:
            return True
        added = self.server.sadd(self.key, fingerprint)
        if len(self.met) >= self.CACHE_LIMIT:
            self.met.clear()
        self.met.add(digest)
        return added == 0


class RedisScheduler(ScrapyRedisScheduler):
    """scrapy-redis's scheduler on the run's keys, persistent, never blocking the reactor."""

    keys: RunKeys

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        worker = worker_of(crawler)
        scheduler = cls(
            server=worker.frontier.server,
            persist=True,  # the queue belongs to the run: the last worker out deletes it
            queue_cls=settings.get("SCHEDULER_QUEUE_CLASS") or f"{__name__}.LifoPriorityQueue",
            dupefilter_cls=settings.get("DUPEFILTER_CLASS"),
            # JSON, not scrapy-redis's pickle: a queue entry can never run code (redisjson.py).
            serializer=importlib.import_module(
                settings.get("SCHEDULER_SERIALIZER") or "crawler.redisjson"
            ),
        )
        scheduler.stats = crawler.stats
        scheduler.keys = worker.frontier.keys
        return scheduler

    def open(self, spider) -> None:
        self.queue_key = self.keys.requests.replace("%", "%%")  # scrapy-redis %-formats it
        self.df = load_object(self.dupefilter_cls)(
            self.server,
            key=self.keys.dupefilter,
            debug=spider.settings.getbool("DUPEFILTER_DEBUG"),
        )
        super().open(spider)

    def enqueue_request(self, request: scrapy.Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> scrapy.Request | None:
        request = self.queue.pop(0)
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason: str) -> None:
        """Keep the keys: other workers are still using them (see WorkerRunExtension)."""


@dataclass(frozen=True)
class Worker:
    """This crawler's place in a run: the run's frontier, and the name it has there."""

    frontier: Frontier
    name: str


def worker_of(crawler) -> Worker:
    """The run this crawler is a worker of, joined by the add-on when Scrapy built it."""
    worker = getattr(crawler, "distributed_worker", None)
    if worker is None:
        raise DistributedError(
            "not a worker of a distributed run: CORPUS_REDIS_URL is set but "
            "crawler.distributedaddon.DistributedAddon is not in ADDONS"
        )
    return worker


def join(crawler) -> Worker:
    """Join the run of the crawler's site, and aim its spider at it (see module docstring).

    Called by the add-on, after Scrapy built the spider and before any other component.
    """
    spider = crawler.spider
    if not isinstance(spider, WordPressSpider):
        raise DistributedError(f"distributed workers crawl WordPress sites, not {spider.name!r}")
    frontier = join_run(crawler.settings, spider.site_profile.name)
    _check_run_row(corpus_of(crawler), frontier.keys.run_id)
    _aim(crawler, frontier)
    crawler.distributed_worker = Worker(frontier, worker_name())
    return crawler.distributed_worker


def _aim(crawler, frontier: Frontier) -> None:
    """The spider with the run's arguments: built again, the same class, when it has others."""
    spider: WordPressSpider = crawler.spider
    meta = frontier.meta()
    base = meta["base_url"]
    profile = type(spider).profile
    own = profile.base_url.rstrip("/") if profile else None
    if spider.base_url not in (base, own):  # asked for another site than the run's
        raise DistributedError(f"run {frontier.keys.run_id} crawls {base}, not {spider.base_url}")
    arguments = {"base_url": base, "discovery": meta["discovery"], "mode": "full"}
    if (spider.base_url, spider.discovery, spider.requested_mode) == tuple(arguments.values()):
        return
    if profile is None:
        arguments["site"] = spider.site_profile.name
    logger.info("the spider takes run %s's arguments: %s", frontier.keys.run_id, arguments)
    crawler.spider = crawler.spidercls.from_crawler(crawler, **arguments)


class WorkerStartMiddleware:
    """Spider middleware: a worker's start requests wait for the run's start message.

    ``process_start`` yields nothing and keeps the spider's start requests (as every
    middleware closer to the spider made them). On ``spider_idle``, the worker that takes the
    start message from Redis sends them to the engine, so they reach the shared queue like
    any other request; the other workers never send theirs.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.held: AsyncIterator[Any] | None = None
        self.sending: Any = None  # a Deferred while the start requests are being sent

    @classmethod
    def from_crawler(cls, crawler) -> WorkerStartMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        return middleware

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        self.held = start
        return
        yield

    def spider_idle(self) -> None:
        if self.sending is not None and not self.sending.called:
            raise DontCloseSpider  # still sending: the queue is about to fill
        if self.held is None:
            return
        worker = worker_of(self.crawler)
        data = worker.frontier.take_start()
        if data is None:
            return  # another worker took it, or it is not there any more
        message = json.loads(data)
        if int(message.get("run_id", -1)) != worker.frontier.keys.run_id:
            logger.warning("ignoring a start message of another run: %s", message)
            return
        logger.info("took the start message of run %s", worker.frontier.keys.run_id)
        start, self.held = self.held, None
        self.sending = deferred_from_coro(self._send(start))
        raise DontCloseSpider

    async def _send(self, start: AsyncIterator[Any]) -> None:
        try:
            async for request in start:
                if isinstance(request, scrapy.Request):
                    self.crawler.engine.crawl(request)
                else:
                    logger.warning("a start item is not a request, dropped: %r", request)
        except Exception:
            logger.exception("the spider's start requests failed")


class WorkerIdleExtension:
    """A worker closes only when the run is drained, nobody is busy, and it was idle long
    enough; and it looks at the shared queue every second, not every five."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.max_idle_time = crawler.settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 10)
        self.idle_since = time.monotonic()
        self.idle_requests = -1  # this worker's request count when the idle time began

    @classmethod
    def from_crawler(cls, crawler) -> WorkerIdleExtension:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        return extension

    def spider_opened(self, spider) -> None:
        # Private, but missing it only makes idle workers join up to 5 s late.
        self.crawler.engine._SLOT_HEARTBEAT_INTERVAL = POLL_SECONDS

    def spider_idle(self) -> None:
        worker = worker_of(self.crawler)
        now = time.monotonic()
        requests = self.crawler.stats.get_value("downloader/request_count", 0)
        if (
            requests != self.idle_requests
            or worker.frontier.pending()
            or worker.frontier.others_busy(worker.name)
        ):
            self.idle_requests, self.idle_since = requests, now
            raise DontCloseSpider
        if now - self.idle_since < self.max_idle_time:
            raise DontCloseSpider
        logger.info("run drained and every worker idle: closing")


def _check_run_row(corpus: CorpusPort, run_id: int) -> None:
    """The worker's corpus must hold the run, still running (the same database as the seed)."""
    from corpus import sharedrun

    run = sharedrun.run_row(corpus.engine, run_id)
    if run is None or run["status"] != "running":
        state = run["status"] if run else "not there"
        raise DistributedError(
            f"crawl run {run_id} in {corpus.masked_url} is {state}: seed a new one"
        )
