"""robots.txt as RFC 9309 reads it, not as "anything unreadable allows everything".

* 2xx: the rules apply; ``Crawl-delay`` sets the site's download delay (live sites only, capped
  by ``ROBOTSTXT_MAX_CRAWL_DELAY``; ``ROBOTSTXT_CRAWL_DELAY_ON_LOOPBACK`` for tests).
* 4xx: "unavailable", every URL is allowed.
* 5xx, a timeout: "unreachable", every URL is disallowed for the run. A failed DNS lookup, a
  refused connection or a TLS error closes the crawl as "site unreachable"
  (crawler/unreachable.py): there is no site to obey. The fetch gets a short
  timeout (``ROBOTSTXT_TIMEOUT``) and ``ROBOTSTXT_RETRY_TIMES`` retries, so
  a hanging robots.txt costs seconds, not 4 x DOWNLOAD_TIMEOUT.

When the rules leave nothing of the site to crawl, the crawl closes at once with finish reason
``robotstxt_forbidden`` and the log says "robots.txt forbids the whole site" and why.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from crawler.unreachable import close_if_unreachable

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
FORBIDDEN_REASON = "robotstxt_forbidden"


class PoliteRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.timeout = settings.getfloat("ROBOTSTXT_TIMEOUT", 10.0)
        self.retries = settings.getint("ROBOTSTXT_RETRY_TIMES", 1)
        self.max_delay = settings.getfloat("ROBOTSTXT_MAX_CRAWL_DELAY", 60.0)
        self.delay_on_loopback = settings.getbool("ROBOTSTXT_CRAWL_DELAY_ON_LOOPBACK", False)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parser; requests made while robots.txt is being fetched wait for it.

        The waiters share one asyncio future, which gives every one of them the parser (a
        shared Deferred would give its result to the first waiter only, and None, "allow
        everything", to the rest).
        """
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            pending: asyncio.Future = asyncio.get_running_loop().create_future()
            self._parsers[netloc] = pending
            try:
                parser = await self._fetch(request, netloc)
            except BaseException:
                del self._parsers[netloc]
                pending.cancel()
                raise
            self._parsers[netloc] = parser
            pending.set_result(parser)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, asyncio.Future):
            return await parser
        return parser

    async def _fetch(self, request: Request, netloc: str) -> RobotParser | None:
        scheme = urlparse_cached(request).scheme
        robots = Request(
            f"{scheme}://{netloc}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            callback=NO_CALLBACK,
            meta={
                "dont_obey_robotstxt": True,
                "download_timeout": self.timeout,
                "max_retry_times": self.retries,
            },
        )
        try:
            response = await self.crawler.engine.download_async(robots)
        except IgnoreRequest as exc:  # refused by our own policy (e.g. an off-site redirect)
            logger.warning("robots.txt of %s not read (%s): allowing all", netloc, exc)
            return None
        except Exception as exc:
            if close_if_unreachable(self.crawler, exc, robots.url):  # no site to obey
                return build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
            name = type(exc).__name__
            name = "TimeoutError" if name.endswith("TimeoutError") else name
            reason = f"{name} after {self.retries + 1} tries"
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            return self._unreachable(netloc, reason)
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if response.status >= 500:
            return self._unreachable(netloc, f"HTTP {response.status}")
        body = b"" if response.status >= 400 else response.body
        parser = build_from_crawler(self._parserimpl, self.crawler, body)
        self._honour_crawl_delay(parser, netloc)
        self._check_site(parser, netloc, "its rules disallow every discovery URL")
        return parser

    def _unreachable(self, netloc: str, reason: str) -> RobotParser:
        logger.warning(
            "robots.txt of %s is unreachable (%s): disallowing everything (RFC 9309)",
            netloc,
            reason,
        )
        self._stats.set_value("corpus/robotstxt", f"unreachable: {reason}")
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        self._check_site(parser, netloc, f"robots.txt is unreachable: {reason}")
        return parser

    def _site_base(self, netloc: str) -> str | None:
        base = getattr(self.crawler.spider, "base_url", None)
        return base if base and urlsplit(base).netloc == netloc else None

    def _check_site(self, parser: RobotParser, netloc: str, why: str) -> None:
        """Close the crawl when none of the discovery entry points may be fetched."""
        base = self._site_base(netloc)
        if base is None:
            return
        agent = self._robotstxt_useragent or self._default_useragent
        entry_points = ("/", "/wp-json/", "/?rest_route=/", "/wp-sitemap.xml", "/feed/")
        if any(parser.allowed(base + path, agent) for path in entry_points):
            return
        logger.error("robots.txt forbids the whole site %s (%s): not crawling it", base, why)
        self._stats.set_value("corpus/robotstxt", f"forbids the whole site ({why})")
        engine = self.crawler.engine
        deferred_from_coro(engine.close_spider_async(reason=FORBIDDEN_REASON))

    def _honour_crawl_delay(self, parser: RobotParser, netloc: str) -> None:
        from crawler.spiders.wordpress import is_loopback

        base = self._site_base(netloc)
        crawl_delay = getattr(parser, "crawl_delay", None)
        if base is None or crawl_delay is None:
            return
        agent = self._robotstxt_useragent or self._default_useragent
        delay = crawl_delay(agent)
        if not delay or (is_loopback(base) and not self.delay_on_loopback):
            return
        delay = min(float(delay), self.max_delay)
        for slot in self.crawler.engine.downloader.slots.values():
            if slot.delay < delay:
                slot.delay = delay
                slot.jitter = 0.0  # at least the delay asked for, not 0.5x of it
        for extension in self.crawler.extensions.middlewares:
            if isinstance(extension, AutoThrottle):
                extension.mindelay = max(getattr(extension, "mindelay", 0.0), delay)
        self._stats.set_value("corpus/robotstxt_crawl_delay", delay)
        logger.info("robots.txt of %s asks for Crawl-delay %.1f s: honoured", netloc, delay)
