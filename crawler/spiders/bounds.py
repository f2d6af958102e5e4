"""Bounds that keep one hostile or broken site from exhausting the crawler.

* ``StreamingSource`` (a spider mixin): a sitemap or listing page hands out its requests a
  chunk at a time, so a 300,000-URL sitemap never sits whole in the scheduler.
* ``ListingGuard``: ends a listing whose page shows only posts an earlier page of the same
  listing showed (a pagination trap, also A, B, A, B, ...), or that ran past its page cap.
* ``Limits``: the settings that bound them (``CORPUS_MAX_*`` in crawler/settings.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import scrapy
from scrapy.http import Response

STREAM_PRIORITY = 5  # below posts (10), above new listing pages and sitemaps (0)


@dataclass(frozen=True)
class Limits:
    sitemaps: int = 1000
    sitemap_depth: int = 3
    urls_per_sitemap: int = 50_000
    listing_pages: int = 10_000
    chunk: int = 500

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            sitemaps=settings.getint("CORPUS_MAX_SITEMAPS", cls.sitemaps),
            sitemap_depth=settings.getint("CORPUS_MAX_SITEMAP_DEPTH", cls.sitemap_depth),
            urls_per_sitemap=settings.getint("CORPUS_MAX_URLS_PER_SITEMAP", cls.urls_per_sitemap),
            listing_pages=settings.getint("CORPUS_MAX_LISTING_PAGES", cls.listing_pages),
            chunk=settings.getint("CORPUS_STREAM_CHUNK", cls.chunk),
        )


@dataclass
class ListingGuard:
    """Per listing (an archive root, a category, a feed): the posts it showed, its pages."""

    max_pages: int
    seen: dict[str, set[str]] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)

    def stop_reason(self, listing: str, links: Iterable[str]) -> str | None:
        """Why this page ends its listing, or None to follow its next page."""
        seen = self.seen.setdefault(listing, set())
        pages = self.pages[listing] = self.pages.get(listing, 0) + 1
        new = set(links) - seen
        seen.update(new)
        if not new:
            return "lists no post an earlier page of it did not"
        if pages >= self.max_pages:
            return f"the listing reached CORPUS_MAX_LISTING_PAGES ({self.max_pages} pages)"
        return None


class StreamingSource:
    """Spider mixin: yield a big page's requests a chunk at a time.

    ``_stream`` yields the first ``Limits.chunk`` things of an iterator and keeps the rest in
    ``self.streams``; a continuation request for the same URL (priority between posts and new
    listing pages) fetches the next chunk once the posts queued before it have gone out.
    crawler.middlewares.StreamResumeMiddleware answers that request from memory; a process
    that does not hold the stream (another worker of a distributed run) downloads the page
    again and skips what was already handed out.
    """

    streams: dict[str, Iterator[Any]]
    limits: Limits

    def _stream(
        self,
        response: Response,
        things: Iterator[Any],
        carry: dict[str, Any],
        offset: int = 0,
    ) -> Iterator[Any]:
        chunk = list(itertools.islice(things, self.limits.chunk))
        yield from chunk
        if len(chunk) < self.limits.chunk:
            return
        key = f"{response.url} @{offset + len(chunk)}"
        self.streams[key] = things
        yield scrapy.Request(
            response.url,
            callback=response.request.callback,  # type: ignore[union-attr]
            errback=self.on_error,  # type: ignore[attr-defined]
            dont_filter=True,
            priority=STREAM_PRIORITY,
            meta={**carry, "stream_key": key, "stream_offset": offset + len(chunk)},
        )

    def _resume(
        self, response: Response, rebuild: Callable[[Response], Iterator[Any]]
    ) -> Iterator[Any]:
        """The next chunk of the stream a continuation request stands for."""
        key, offset = response.meta["stream_key"], response.meta["stream_offset"]
        things = self.streams.pop(key, None)
        if things is None or "stream" not in response.flags:
            things = rebuild(response)
            for _ in itertools.islice(things, offset):
                pass
        carry = {k: v for k, v in response.meta.items() if k.startswith("corpus_")}
        yield from self._stream(response, things, carry, offset)
