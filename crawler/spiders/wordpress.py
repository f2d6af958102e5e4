"""The base spider for WordPress sites: walk the HTML archives, parse every post page.

A site is a :class:`~crawler.sites.SiteProfile`; a site spider is a three-line subclass that
names its profile. The archive walk follows pagination to the end of every archive root and,
if the profile asks for it, of every category archive linked from the page, so a post is
reached however the site files it. Scrapy's duplicate filter and the dedup pipeline make sure
each post is fetched and stored once.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import regex
import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.extract.wordpress import WordPressPostParser
from crawler.items import Post, Reject
from crawler.sites import SiteProfile

POST_PRIORITY = 10  # finish posts before opening more archive pages: keeps the queue short


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WordPressSpider(scrapy.Spider):
    profile: ClassVar[SiteProfile]

    def __init__(self, base_url: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = (base_url or self.profile.base_url).rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.allowed_domains = [parts.hostname or ""]
        self._post_path = regex.compile(self.profile.post_path_pattern)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if is_loopback(spider.base_url):
            # A local mirror or the sample site: politeness delays would only measure themselves.
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for path in self.profile.archive_paths:
            yield self._archive_request(urljoin(self.base_url + "/", path.lstrip("/")))

    # -- requests -------------------------------------------------------------------------

    def _archive_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_archive, errback=self.on_error)

    def _post_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_post, errback=self.on_error, priority=POST_PRIORITY
        )

    def is_post_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.netloc == urlsplit(self.base_url).netloc and bool(
            self._post_path.match(parts.path)
        )

    def is_category_archive(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.netloc == urlsplit(self.base_url).netloc and bool(
            regex.match(r"^/category/[^/]+/$", parts.path)
        )

    # -- callbacks ------------------------------------------------------------------------

    def parse_archive(self, response: Response) -> Iterator[scrapy.Request]:
        """Queue every post linked from the page, the next page, and category archives."""
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href).split("#", 1)[0]
            if self.is_post_url(url):
                yield self._post_request(url)
            elif self.profile.follow_category_archives and self.is_category_archive(url):
                yield self._archive_request(url)
        next_page = response.css(
            "a.next.page-numbers::attr(href), .nav-previous a::attr(href), "
            "a[rel='next']::attr(href)"
        ).get()
        if next_page:
            yield self._archive_request(response.urljoin(next_page))

    def parse_post(self, response: Response) -> Iterator[Post | Reject]:
        try:
            found = WordPressPostParser(response.text, response.url, self.profile).extract()
        except Exception as exc:  # a page we cannot parse is a reject, never a crash
            self.logger.warning("cannot parse %s: %s", response.url, exc)
            yield Reject(
                site=self.profile.name,
                url=response.url,
                stage="parse",
                reason=f"{type(exc).__name__}: {exc}"[:500],
                http_status=response.status,
                raw={},
            )
            return
        yield Post(
            site=self.profile.name,
            url=found.url,
            post_id=found.post_id,
            title=found.title,
            author=found.author,
            published_at=found.published_at,
            modified_at=found.modified_at,
            categories=found.categories,
            tags=found.tags,
            body_html=found.body_html,
            language=self.profile.language,
            fetched_url=response.url,
            http_status=response.status,
            date_source=found.date_source,
        )

    def on_error(self, failure: Failure) -> Iterator[Reject]:
        """Record a request that failed for good (retries are already spent)."""
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return  # robots.txt, offsite or duplicate: not a failure of the site
        request = failure.request  # type: ignore[attr-defined]
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        self.logger.warning("giving up on %s: %s", request.url, reason)
        yield Reject(
            site=self.profile.name,
            url=request.url,
            stage="fetch",
            reason=reason,
            http_status=status,
            raw={},
        )
