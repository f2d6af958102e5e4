"""Sitemap discovery for the ``wordpress`` spider: core sitemaps, streamed and bounded.

An index's child sitemaps and a sitemap's post URLs are handed out a chunk at a time
(bounds.StreamingSource); the nesting depth and whether the chain began at the probe travel
in request meta (``corpus_sitemap_depth``, ``corpus_sitemap_probe``). In an incremental crawl
``lastmod`` decides which posts are fetched, and the last sitemap read checks for removed posts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.dates import parse_iso
from crawler.discovery import sitemap
from crawler.extract.wordpress import canonicalize_url
from crawler.items import Seen
from crawler.spiders.bounds import StreamingSource
from crawler.spiders.sources import DiscoveryChain


class SitemapSource(DiscoveryChain, StreamingSource):
    """The sitemap source of ``WordPressSpider``."""

    sitemaps_requested: int = 0  # child sitemaps queued, against CORPUS_MAX_SITEMAPS

    def _start_sitemap(self) -> Iterator[scrapy.Request]:
        first, *others = sitemap.index_urls(self.base_url)
        yield self._probe(first, self.parse_sitemap, others, "sitemap")

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """A sitemap's entries, streamed a chunk at a time (see bounds.StreamingSource)."""
        if "stream_key" in response.meta:
            yield from self._resume(response, self._sitemap_things)
            return
        try:
            things = self._sitemap_things(response)
        except ValueError as exc:
            if response.meta.get("mode"):
                yield from self._retry_probe(response.request, str(exc))  # type: ignore[arg-type]
            return
        if response.meta.get("mode"):
            self.use_source("sitemap", response.url)
        carry = {
            "corpus_sitemap_depth": response.meta.get("corpus_sitemap_depth", 1),
            "corpus_sitemap_probe": bool(response.meta.get("mode")),
        }
        yield from self._stream(response, things, carry)

    def _sitemap_things(self, response: Response) -> Iterator[Any]:
        """The requests and items of one sitemap, lazily; ValueError at once if it is none."""
        kind, entries = sitemap.stream(response.body)
        meta = response.meta
        probe = meta.get("corpus_sitemap_probe", bool(meta.get("mode")))
        on_site = self._bounded_entries(response.url, entries)
        if kind == "sitemapindex":
            return self._sitemap_children(on_site, meta.get("corpus_sitemap_depth", 1), probe)
        return self._sitemap_posts(on_site, probe)

    def _bounded_entries(self, where: str, entries: Iterator[dict]) -> Iterator[dict]:
        """The entries on the site's own origin, at most CORPUS_MAX_URLS_PER_SITEMAP."""
        for count, entry in enumerate(entries):
            if count >= self.limits.urls_per_sitemap:
                self._limit_hit(
                    f"sitemap {where} lists more than CORPUS_MAX_URLS_PER_SITEMAP "
                    f"({self.limits.urls_per_sitemap}) URLs: the rest are not read"
                )
                return
            if self._same_site(entry["loc"]):
                yield entry
            else:
                self._skip_off_site(entry["loc"], where)

    def _sitemap_children(self, entries: Iterator[dict], depth: int, probe: bool) -> Iterator[Any]:
        for entry in entries:
            loc = entry["loc"]
            if not sitemap.is_posts_sitemap(loc):
                continue
            if depth >= self.limits.sitemap_depth:
                self._limit_hit(
                    f"sitemap {loc} nests deeper than CORPUS_MAX_SITEMAP_DEPTH "
                    f"({self.limits.sitemap_depth}): not read"
                )
                break
            if self.sitemaps_requested >= self.limits.sitemaps:
                self._limit_hit(
                    f"more than CORPUS_MAX_SITEMAPS ({self.limits.sitemaps}) sitemaps: "
                    f"{loc} and the rest are not read"
                )
                break
            self.sitemaps_requested += 1
            self.known.listing_pages_left += 1
            yield scrapy.Request(
                loc,
                callback=self.parse_sitemap,
                errback=self.listing_page_failed,
                meta={"corpus_sitemap_depth": depth + 1},
            )
        if self.mode == "incremental" and not probe:
            yield from self._after_listing_page()

    def _sitemap_posts(self, entries: Iterator[dict], probe: bool) -> Iterator[Any]:
        while batch := list(itertools.islice(entries, self.limits.chunk)):
            listed = [(canonicalize_url(e["loc"]), parse_iso(e.get("lastmod"))) for e in batch]
            if self.mode == "incremental":
                unchanged, to_fetch, undated = self.known.compare_urls(listed)
                if unchanged or undated:
                    yield Seen(site=self.site_profile.name, urls=unchanged + undated)
                if undated:  # WordPress core sitemaps: no lastmod, so revisit by policy
                    yield from self.revisits_once()
            else:
                to_fetch = [url for url, _ in listed]
            for url in to_fetch:
                yield self._post_request(url)
        if self.mode == "incremental" and not probe:
            yield from self._after_listing_page()
