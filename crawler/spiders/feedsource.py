"""Feed discovery for the ``wordpress`` spider: the RSS feed and its ``paged`` older pages.

The page number and the feed's own URL travel in request meta (``feed_page``, ``feed_url``);
a feed that ignores ``?paged=`` repeats itself, so the links met so far end the walk.
"""

from __future__ import annotations

from collections.abc import Iterator

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.discovery import feed
from crawler.failures import failure_reason
from crawler.spiders.sources import DiscoveryChain


class FeedSource(DiscoveryChain):
    """The feed source of ``WordPressSpider``."""

    @property
    def feed_links_seen(self) -> set[str]:
        """Post links the feed pages have shown, to end a feed that repeats itself."""
        return self.__dict__.setdefault("_feed_links_seen", set())

    def _start_feed(self) -> Iterator[scrapy.Request]:
        first, *others = feed.feed_urls(self.base_url)
        yield self._probe(first, self.parse_feed, others, "feed")

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            links = feed.item_links(response)
        except ValueError as exc:
            if response.meta.get("mode"):
                yield from self._retry_probe(response.request, str(exc))  # type: ignore[arg-type]
            return
        page = response.meta.get("feed_page", 1)
        if page == 1:
            self.use_source("feed", response.url)
            yield from self._revisit_known()
        feed_url = response.meta.get("feed_url", response.url)
        on_site = [link for link in links if self._same_site(link)]
        new_links = [link for link in on_site if link not in self.feed_links_seen]
        self.feed_links_seen.update(new_links)
        yield from self._listed(new_links)
        if self.mode == "incremental" and not self.known.any_unknown(new_links):
            return
        if new_links and page >= self.limits.listing_pages:
            self._limit_hit(f"feed {feed_url} reached CORPUS_MAX_LISTING_PAGES ({page} pages)")
        elif new_links:  # a feed that ignores ?paged= repeats itself: stop there
            yield scrapy.Request(
                feed.page_url(feed_url, page + 1),
                callback=self.parse_feed,
                errback=self.end_of_listing,
                meta={"feed_page": page + 1, "feed_url": feed_url},
            )

    def end_of_listing(self, failure: Failure) -> None:
        """A feed page past the last one answers 404: the normal end, not a failure."""
        if not (failure.check(HttpError) and failure.value.response.status == 404):
            request = failure.request  # type: ignore[attr-defined]
            self.logger.warning("listing page %s failed: %s", request.url, failure_reason(failure))
