"""``scrapy crawl wordpress -a base_url=URL [-a discovery=auto|rest|sitemap|feed|archive]``.

One spider for every WordPress site. It finds posts through the first discovery source that
answers — the REST API (exact IDs and timestamps, 100 posts a request), core sitemaps, the RSS
feed, the HTML archives — says which one in the log and the crawl run, and turns every source
into the same ``Post`` item. Site profiles (``crawler/sites``) subclass it by data only.

The spider holds the run's settings and what the corpus knows; the rest is in mixins of their
own modules: the fallback chain (sources.py), one per source (restsource.py, sitemapsource.py,
feedsource.py, archivesource.py), post pages (posts.py), failures (crawler/failures.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any, ClassVar
from urllib.parse import urlsplit

import regex
import scrapy

from crawler.corpusaddon import corpus_of
from crawler.discovery import MODES
from crawler.failures import failure_reason, is_site_failure
from crawler.incremental import Known
from crawler.revisit import RevisitPolicy, Revisits
from crawler.sites import SiteProfile, generic_profile
from crawler.spiders.archivesource import ArchiveSource
from crawler.spiders.bounds import Limits, ListingGuard, StreamingSource
from crawler.spiders.feedsource import FeedSource
from crawler.spiders.posts import PostPages
from crawler.spiders.restsource import RestSource
from crawler.spiders.sitemapsource import SitemapSource
from crawler.spiders.sources import discovery_order

# Names other modules import from here (crawler/fixtures.py, crawler/robots.py, tests).
__all__ = ["WordPressSpider", "discovery_order", "failure_reason", "is_loopback", "is_site_failure"]


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WordPressSpider(
    RestSource,
    SitemapSource,
    FeedSource,
    ArchiveSource,
    PostPages,
    Revisits,
    StreamingSource,
    scrapy.Spider,
):
    name = "wordpress"
    profile: ClassVar[SiteProfile | None] = None

    def __init__(
        self,
        base_url: str | None = None,
        discovery: str = "auto",
        site: str | None = None,
        mode: str = "auto",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.profile is None and not base_url:
            raise ValueError("the wordpress spider needs -a base_url=URL")
        self.base_url = (base_url or self.profile.base_url).rstrip("/")  # type: ignore[union-attr]
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.site_profile = self.profile or generic_profile(self.base_url, site)
        if "," in discovery:  # an order of sources (sites.toml): the profile's, for this run
            self.site_profile = replace(self.site_profile, discovery=discovery_order(discovery))
            discovery = "auto"
        if discovery != "auto" and discovery not in MODES:
            raise ValueError(f"discovery must be auto or one of {', '.join(MODES)}")
        if mode not in ("auto", "full", "incremental"):
            raise ValueError("mode must be auto, full or incremental")
        self.discovery = discovery
        self.requested_mode = mode
        self.mode = "full"
        self.modes_left = list(self.site_profile.discovery if discovery == "auto" else [discovery])
        self.known = Known([])
        self.init_revisits()
        self.discovery_used: str | None = None
        # Scope and bounds (crawler/scope.py, crawler/spiders/bounds.py); settings may widen
        # the hosts (CORPUS_EXTRA_HOSTS) and change the limits in from_crawler.
        self.extra_hosts: tuple[str, ...] = tuple(self.site_profile.extra_hosts)
        self.limits = Limits()
        self.listing_guard = ListingGuard(self.limits.listing_pages)
        self.streams: dict[str, Iterator[Any]] = {}
        self.sitemaps_requested = 0
        self.allowed_domains = [parts.hostname or ""]
        pattern = self.site_profile.post_path_pattern
        self._post_path = regex.compile(pattern) if pattern else None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.load_known()
        spider.init_revisits(RevisitPolicy.from_settings(crawler.settings))
        spider.extra_hosts += tuple(crawler.settings.getlist("CORPUS_EXTRA_HOSTS"))
        spider.allowed_domains = [*spider.allowed_domains, *spider.extra_hosts]
        spider.limits = Limits.from_settings(crawler.settings)
        spider.listing_guard = ListingGuard(spider.limits.listing_pages)
        if is_loopback(spider.base_url):
            # A local mirror or the sample site: politeness delays would only measure themselves.
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
        return spider

    def load_known(self) -> None:
        """Read what the corpus knows of this site; with posts known, the crawl is incremental.

        An incremental crawl prefers the sources that show changes (REST ``modified_gmt``,
        sitemap ``lastmod``) and fetches only new and changed posts.
        """
        self.corpus = corpus_of(self.crawler)
        self.known = Known(self.corpus.known_posts(self.site_profile.name))
        if self.requested_mode == "full":
            pass  # every known post is read again, unconditionally
        elif self.requested_mode == "incremental" or self.known.posts:
            self.mode = "incremental"
            if self.discovery == "auto":
                preferred = ("rest", "sitemap", *self.site_profile.discovery)
                self.modes_left = list(dict.fromkeys(preferred))
        self.logger.info(
            "%s crawl: %d posts already in the corpus", self.mode, len(self.known.posts)
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.next_source("starting"):
            yield request

    def closed(self, reason: str) -> None:
        """Stamp the posts this run verified (before the run row closes: crawler/revisit.py)."""
        if getattr(self, "corpus", None) is not None and self.crawler.stats.get_value(
            "corpus/run_id"
        ):
            self.record_verification()
