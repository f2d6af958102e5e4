"""HTML-archive discovery for the ``wordpress`` spider: listing pages, their pagination, and
(as the profile asks) post-shaped links and category archives.

Which listing a page belongs to travels in request meta (``corpus_listing``), so the
pagination-trap guard (bounds.ListingGuard) and CORPUS_MAX_LISTING_PAGES count per listing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import regex
import scrapy
from scrapy.http import Response

from crawler.discovery import archive
from crawler.spiders.bounds import ListingGuard, StreamingSource
from crawler.spiders.sources import DiscoveryChain


class ArchiveSource(DiscoveryChain, StreamingSource):
    """The HTML-archive source of ``WordPressSpider``."""

    listing_guard: ListingGuard
    _post_path: regex.Pattern | None

    def _start_archive(self) -> Iterator[scrapy.Request]:
        for path in self.site_profile.archive_paths:
            url = urljoin(self.base_url + "/", path.lstrip("/"))
            yield scrapy.Request(
                url,
                callback=self.parse_archive,
                errback=self.on_error,
                dont_filter=True,
                meta={"mode": "archive"},
            )

    def parse_archive(self, response: Response) -> Iterator[Any]:
        """Queue the listed posts (streamed), the next page and (if the profile asks) category
        archives. A page that shows no post its listing has not shown already ends the
        listing (a pagination trap, however it alternates), as does CORPUS_MAX_LISTING_PAGES.
        """
        if "stream_key" in response.meta:
            yield from self._resume(response, self._archive_things)
            return
        if response.meta.get("mode"):
            self.use_source("archive", response.url)
            yield from self._revisit_known()
        listing = response.meta.get("corpus_listing", response.url)
        links = self._archive_links(response)
        if self._lists_only_known(links):
            self.logger.info("%s lists only known posts: stopping this archive", response.url)
        else:
            yield from self._next_archive_page(response, listing, links)
        things = self._archive_things(response, links)
        yield from self._stream(response, things, {"corpus_listing": listing})

    def _archive_links(self, response: Response) -> list[str]:
        return [url for url in archive.post_links(response) if self._same_site(url)]

    def _lists_only_known(self, links: list[str]) -> bool:
        return self.mode == "incremental" and bool(links) and not self.known.any_unknown(links)

    def _next_archive_page(
        self, response: Response, listing: str, links: list[str]
    ) -> Iterator[scrapy.Request]:
        stop = self.listing_guard.stop_reason(listing, links) if links else "lists no posts"
        next_page = archive.next_page(response)
        if not next_page:
            return
        if stop:
            self.logger.info("%s %s: not following its next page", response.url, stop)
            if "CORPUS_MAX_LISTING_PAGES" in stop:
                self._limit_hit(f"{listing}: {stop}")
            return
        if not self._same_site(next_page):
            self._skip_off_site(next_page, response.url)
            return
        yield scrapy.Request(
            next_page,
            callback=self.parse_archive,
            errback=self.on_error,
            meta={"corpus_listing": listing},
        )

    def _archive_things(self, response: Response, links: list[str] | None = None) -> Iterator[Any]:
        """The listed posts, then (as the profile asks) other post links and category archives.

        Only URLs are kept, never the response: its parsed tree (300 MB for a page of 200,000
        links) is freed while the stream is handed out.
        """
        links = self._archive_links(response) if links is None else links
        others: list[str] = []
        if self._post_path is not None or self.site_profile.follow_category_archives:
            hrefs = response.css("a::attr(href)").getall()
            others = [response.urljoin(href).split("#", 1)[0] for href in hrefs]
        return self._archive_requests(links, others)

    def _archive_requests(self, links: list[str], others: list[str]) -> Iterator[Any]:
        yield from self._listed(links)
        if self._lists_only_known(links):
            return
        for url in others:
            if self.is_post_url(url):
                yield self._post_request(url)
            elif self.site_profile.follow_category_archives and self.is_category_archive(url):
                yield scrapy.Request(url, callback=self.parse_archive, errback=self.on_error)

    def is_post_url(self, url: str) -> bool:
        return (
            self._post_path is not None
            and self._same_site(url)
            and bool(self._post_path.match(urlsplit(url).path))
        )

    def is_category_archive(self, url: str) -> bool:
        parts = urlsplit(url)
        return self._same_site(url) and (
            bool(regex.match(r"^/category/[^/]+/$", parts.path))
            or bool(regex.fullmatch(r"cat=\d+", parts.query))
        )
