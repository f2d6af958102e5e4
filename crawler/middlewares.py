"""Downloader middlewares: the same-site gate, strict redirects and meta refreshes, patient
retries, honest encodings, and answers to stream continuations from memory."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.response import response_status_message

from crawler.scope import off_site_reason, origin

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, spaced out: ``Retry-After`` when the server gives one (capped),
    else exponential backoff with jitter — so a burst of 503s is waited out, not hammered."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 10.0)
        self.retry_after_cap = settings.getfloat("RETRY_AFTER_MAX", 60.0)

    def delay(self, request: Request, response: Response | None = None) -> float:
        if response is not None:
            retry_after = _retry_after_seconds(response)
            if retry_after is not None:
                return min(retry_after, self.retry_after_cap)
        attempt = request.meta.get("retry_times", 0)
        return min(self.cap, self.base * 2**attempt) * random.uniform(0.8, 1.2)

    async def process_response(self, request: Request, response: Response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(self.delay(request, response))
        return retry

    async def process_exception(self, request: Request, exception: Exception, spider=None):
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self.delay(request))
        return retry


def _retry_after_seconds(response: Response) -> float | None:
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    value = raw.decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Utf8DetectionMiddleware:
    """Trust the bytes over the label: a page declared latin-1 or windows-874 whose body is
    valid UTF-8 with non-ASCII text is UTF-8 (the usual misconfiguration), never mojibake."""

    LEGACY = ("latin", "iso-8859", "iso8859", "cp1252", "windows-", "cp874", "tis-620", "ascii")

    def __init__(self, stats) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if not isinstance(response, TextResponse):
            return response
        encoding = (response.encoding or "").lower().replace("_", "-")
        if not encoding.startswith(self.LEGACY):
            return response
        try:
            response.body.decode("utf-8")
        except UnicodeDecodeError:
            return response
        if response.body.isascii():
            return response
        logger.info("%s is declared %s but is UTF-8: decoding as UTF-8", response.url, encoding)
        self.stats.inc_value("corpus/encoding_corrected")
        return response.replace(encoding="utf-8")


def scope_refusal(spider, url: str) -> str | None:
    """Why ``url`` is outside the crawl's scope, or None. A site spider (one with ``base_url``)
    may reach its own origin and ``extra_hosts`` only; any other spider, http(s) only."""
    base = getattr(spider, "base_url", None)
    if base:
        return off_site_reason(url, base, getattr(spider, "extra_hosts", ()))
    return None if origin(url) else "scheme is not http(s)"


class SameSiteMiddleware:
    """The one gate every request passes, in the downloader, so ``dont_filter`` probes,
    redirects, robots.txt and requests a worker takes from Redis are all checked: a hostile
    page can name any URL, but only the site's own origin is ever contacted."""

    LOGGED = 20  # refusals logged one by one; the rest are only counted

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.refused = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:
        reason = scope_refusal(self.crawler.spider, request.url)
        if reason is None:
            return
        self.refused += 1
        self.crawler.stats.inc_value("corpus/offsite_refused")
        if self.refused <= self.LOGGED:
            logger.warning("not requesting %s: %s", request.url[:300], reason)
        raise IgnoreRequest(f"off-site: {request.url[:300]} ({reason})")


class _StrictRedirects:
    """A loop or a jump off the site's origin fails loudly (see StrictRedirectMiddleware)."""

    kind = "redirect"
    crawler: Any

    def _redirect(self, redirected: Request, request: Request, reason):  # type: ignore[override]
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise IgnoreRequest(f"{self.kind} loop: {redirected.url[:300]}")
        if scope_refusal(self.crawler.spider, redirected.url):
            raise IgnoreRequest(f"{self.kind} off-site to {redirected.url[:300]}")
        return super()._redirect(redirected, request, reason)  # type: ignore[misc]


class StrictRedirectMiddleware(_StrictRedirects, RedirectMiddleware):
    """Redirects as Scrapy follows them, but a loop or a jump to another origin (another host,
    scheme or port) fails loudly.

    Scrapy's duplicate filter would silently drop the second visit of a looping URL, and its
    offsite filter drops the off-site target before any errback runs: both would lose a post
    without a trace. Raising here reaches the request's errback, which records a reject.
    """


class StrictMetaRefreshMiddleware(_StrictRedirects, MetaRefreshMiddleware):
    """``<meta http-equiv=refresh>`` followed on the site only: off-site it is a reject."""

    kind = "meta refresh"


class StreamResumeMiddleware:
    """Answer a stream's continuation request from memory when this process still holds the
    stream (see WordPressSpider._stream): no second download of a sitemap or listing page.
    Another worker (distributed crawl) has no such stream and downloads the page again."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> Response | None:
        key = request.meta.get("stream_key")
        streams = getattr(self.crawler.spider, "streams", {})
        if key is None or key not in streams:
            return None
        return Response(request.url, status=200, request=request, flags=["stream"])
