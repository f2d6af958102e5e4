"""The fallback chain of discovery sources, and what every source shares.

``WordPressSpider`` tries the sources of its profile's order (or the one asked for) one at a
time: a source's first request is a *probe*, and a probe that fails, or answers something that
is not that source, moves to the probe's next alternative URL, then to the next source. The
sources still to try travel in each probe's meta (``modes_left``), so whichever process gets
the answer (a distributed worker, crawler/distributed.py) goes on where the last one stopped.

Each source is a mixin of its own module: REST (restsource.py), sitemaps (sitemapsource.py),
feeds (feedsource.py), HTML archives (archivesource.py); ``_start_<mode>`` starts it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from twisted.python.failure import Failure

from crawler import scope
from crawler.discovery import MODES
from crawler.extract.wordpress import canonicalize_url
from crawler.failures import failure_reason
from crawler.items import Seen
from crawler.unreachable import close_if_unreachable

if TYPE_CHECKING:
    from crawler.incremental import Known
    from crawler.sites import SiteProfile
    from crawler.spiders.bounds import Limits


def discovery_order(value: str) -> tuple[str, ...]:
    """``"feed,archive"``: the sources to try, in order, each once."""
    order = tuple(mode.strip() for mode in value.split(",") if mode.strip())
    unknown = [mode for mode in order if mode not in MODES]
    if unknown or not order or len(set(order)) != len(order):
        raise ValueError(f"discovery order must list some of {', '.join(MODES)}, each once")
    return order


class DiscoveryChain:
    """Spider mixin: which source runs, and the helpers all sources use."""

    base_url: str
    mode: str
    modes_left: list[str]
    known: Known
    site_profile: SiteProfile
    extra_hosts: tuple[str, ...]
    limits: Limits
    discovery_used: str | None = None
    crawler: Any
    logger: Any

    if TYPE_CHECKING:  # provided by the other mixins of WordPressSpider

        def on_error(self, failure: Failure) -> Iterator[Any]: ...
        def _post_request(self, url: str, conditional: bool = False) -> scrapy.Request: ...
        def revisits_once(self) -> Iterator[scrapy.Request]: ...

    def next_source(self, reason: str) -> list[scrapy.Request]:
        """Requests of the next discovery source to try, after ``reason`` ended the last one."""
        if not self.modes_left:
            self.logger.error("no discovery source worked for %s (%s)", self.base_url, reason)
            self.crawler.stats.set_value("corpus/discovery", "none")
            return []
        mode = self.modes_left.pop(0)
        if reason != "starting":
            self.logger.warning("discovery: %s, trying %s", reason, mode)
        return list(getattr(self, f"_start_{mode}")())

    def use_source(self, mode: str, where: str) -> None:
        if self.discovery_used is None:
            self.discovery_used = mode
            self.crawler.stats.set_value("corpus/discovery", mode)
            self.logger.info("discovery: %s at %s", mode, where)

    def _probe(self, url: str, callback, alternatives: Iterable[str], mode: str) -> scrapy.Request:
        """A request that decides whether a source works; failures move to the next source."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.probe_failed,
            dont_filter=True,
            meta={
                "alternatives": list(alternatives),
                "mode": mode,
                "modes_left": list(self.modes_left),
            },
        )

    def _resume_chain(self, meta: dict[str, Any]) -> None:
        """Take up the chain where the probe that ``meta`` belongs to left it."""
        if "modes_left" in meta:
            self.modes_left = list(meta["modes_left"])

    def probe_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        if close_if_unreachable(self.crawler, failure.value, request.url):
            return
        yield from self._retry_probe(request, failure_reason(failure))

    def _retry_probe(self, request: scrapy.Request, reason: str) -> Iterator[scrapy.Request]:
        self._resume_chain(request.meta)
        alternatives = list(request.meta.get("alternatives", []))
        if alternatives:
            meta = {**request.meta, "alternatives": alternatives[1:]}
            if "roots" in meta:  # REST: the API root each alternative URL belongs to
                meta["roots"] = meta["roots"][1:]
            yield request.replace(url=alternatives[0], meta=meta)
            return
        yield from self.next_source(f"{request.meta.get('mode')} unavailable ({reason})")

    # -- listings that end (REST sweep, sitemaps): then look for removed posts --------------

    def listing_page_failed(self, failure: Failure) -> Iterator[Any]:
        self.known.listing_failed = True
        yield from self.on_error(failure)
        yield from self._after_listing_page()

    def _after_listing_page(self) -> Iterator[scrapy.Request]:
        """After the last listing page: probe known posts the site no longer lists."""
        self.known.listing_pages_left -= 1
        if self.known.listing_pages_left > 0:
            return
        if self.known.listing_failed:
            self.logger.warning("listing incomplete: not checking for removed posts")
            return
        for url in self.known.unlisted_urls():
            yield self._post_request(url)

    # -- listings that show post URLs (feeds, archives) ---------------------------------------

    def _listed(self, links: list[str]) -> Iterator[Any]:
        """Posts a listing shows: fetch the unknown ones (all of them in a full crawl)."""
        if self.mode != "incremental":
            for url in links:
                yield self._post_request(url)
            return
        known = [canonicalize_url(url) for url in links if not self.known.any_unknown([url])]
        if known:
            yield Seen(site=self.site_profile.name, urls=known)
        for url in links:
            if self.known.any_unknown([url]):
                yield self._post_request(url)

    def _revisit_known(self) -> Iterator[scrapy.Request]:
        """Feeds and archives show no change times: known posts are revisited by policy."""
        if self.known.posts:
            yield from self.revisits_once()

    # -- scope and bounds ---------------------------------------------------------------------

    def _same_site(self, url: str) -> bool:
        """The site's own origin (crawler/scope.py): scheme, host and port, or an extra host."""
        return scope.same_origin(url, self.base_url, self.extra_hosts)

    def _limit_hit(self, message: str) -> None:
        """A bound ended part of the discovery: say so, and never treat the listing as whole."""
        self.logger.warning("limit: %s", message)
        self.crawler.stats.inc_value("corpus/limits_hit")
        self.known.listing_failed = True

    def _skip_off_site(self, url: str, where: str) -> None:
        self.crawler.stats.inc_value("corpus/offsite_skipped")
        if self.crawler.stats.get_value("corpus/offsite_skipped") <= 20:
            self.logger.warning("not following %s listed on %s: off-site", url[:300], where)
