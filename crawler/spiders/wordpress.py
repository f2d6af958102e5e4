"""``scrapy crawl wordpress -a base_url=URL [-a discovery=auto|rest|sitemap|feed|archive]``.

One spider for every WordPress site. It finds posts through the first discovery source that
answers — the REST API (exact IDs and timestamps, 100 posts a request), core sitemaps, the RSS
feed, the HTML archives — says which one in the log and the crawl run, and turns every source
into the same ``Post`` item. Site profiles (``crawler/sites``) subclass it by data only.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from email.utils import format_datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import regex
import scrapy
from itemadapter import ItemAdapter
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import scope
from crawler.corpusaddon import corpus_of
from crawler.dates import parse_iso
from crawler.discovery import MODES, archive, feed, sitemap
from crawler.extract.item import post_fields
from crawler.extract.wordpress import WordPressPostParser, canonicalize_url
from crawler.incremental import Known
from crawler.items import Post, Reject, Seen
from crawler.revisit import RevisitPolicy, Revisits
from crawler.sites import SiteProfile, generic_profile
from crawler.spiders.bounds import Limits, ListingGuard, StreamingSource
from crawler.spiders.restsource import POST_PRIORITY, RestSource
from crawler.unreachable import NETWORK_ERRORS_STAT, close_if_unreachable, is_network_error


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def failure_reason(failure: Failure, max_size: int | None = None) -> str:
    """One line a person can act on: "HTTP 500", "redirect loop", "TimeoutError: ..."."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    message = failure.getErrorMessage()
    if failure.check(DownloadCancelledError) or "DOWNLOAD_MAXSIZE" in message:
        # Scrapy cancels an over-long body with an empty message; a gzip bomb is stopped
        # while it inflates, with the limit in the message.
        return _too_large(message, max_size)
    if failure.check(IgnoreRequest):
        for kind in ("redirect", "meta refresh"):
            if message.startswith(f"{kind} loop"):
                return f"{kind} loop"
            if message.startswith(f"{kind} off-site"):
                return f"{kind} off-site"
        if "max redirections" in message:
            return "redirect loop"
        if "offsite" in message.lower():
            return "redirect off-site"
    name = failure.type.__name__
    if name.endswith("TimeoutError"):  # Twisted's, asyncio's and Scrapy's DownloadTimeoutError
        name = "TimeoutError"
    return f"{name}: {message}"[:500]


_SIZE_LIMIT = regex.compile(r"max size \((\d+)\)|DOWNLOAD_MAXSIZE \((\d+) B\)")


def _too_large(message: str, max_size: int | None) -> str:
    match = _SIZE_LIMIT.search(message)
    limit = int(match[1] or match[2]) if match else max_size or 16 * 2**20
    after = " after decompression" if "decompression" in message else ""
    return f"page larger than {limit / 2**20:g} MB{after}"


def discovery_order(value: str) -> tuple[str, ...]:
    """``"feed,archive"``: the sources to try, in order, each once."""
    order = tuple(mode.strip() for mode in value.split(",") if mode.strip())
    unknown = [mode for mode in order if mode not in MODES]
    if unknown or not order or len(set(order)) != len(order):
        raise ValueError(f"discovery order must list some of {', '.join(MODES)}, each once")
    return order


def is_site_failure(failure: Failure) -> bool:
    """Ignored requests are our own choice (robots.txt, links to other sites), except a
    redirect loop, a redirect off-site or a page too large once inflated, which lose a page
    the site listed."""
    if not failure.check(IgnoreRequest) or failure.check(HttpError):
        return True
    request = failure.request  # type: ignore[attr-defined]
    message = failure.getErrorMessage()
    return (
        "max redirections" in message
        or "DOWNLOAD_MAXSIZE" in message
        or message.startswith(
            ("redirect loop", "redirect off-site", "meta refresh loop", "meta refresh off-site")
        )
        or ("offsite" in message.lower() and bool(request.meta.get("redirect_urls")))
    )


class WordPressSpider(RestSource, Revisits, StreamingSource, scrapy.Spider):
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
        self.feed_links_seen: set[str] = set()
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

    # -- choosing a discovery source --------------------------------------------------------

    def next_source(self, reason: str) -> list[scrapy.Request]:
        """Requests of the next discovery source to try, after ``reason`` ended the last one."""
        if not self.modes_left:
            self.logger.error("no discovery source worked for %s (%s)", self.base_url, reason)
            self.crawler.stats.set_value("corpus/discovery", "none")
            return []
        mode = self.modes_left.pop(0)
        if reason != "starting":
            self.logger.warning("discovery: %s, trying %s", reason, mode)
        starters = {
            "rest": self._start_rest,
            "sitemap": self._start_sitemap,
            "feed": self._start_feed,
            "archive": self._start_archive,
        }
        return list(starters[mode]())

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
            meta={"alternatives": list(alternatives), "mode": mode},
        )

    def probe_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        if close_if_unreachable(self.crawler, failure.value, request.url):
            return
        yield from self._retry_probe(request, failure_reason(failure))

    def _retry_probe(self, request: scrapy.Request, reason: str) -> Iterator[scrapy.Request]:
        alternatives = list(request.meta.get("alternatives", []))
        if alternatives:
            meta = {**request.meta, "alternatives": alternatives[1:]}
            if "roots" in meta:  # REST: the API root each alternative URL belongs to
                meta["roots"] = meta["roots"][1:]
            yield request.replace(url=alternatives[0], meta=meta)
            return
        yield from self.next_source(f"{request.meta.get('mode')} unavailable ({reason})")

    # -- REST API: crawler/spiders/restsource.py (RestSource) ---------------------------------

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

    # -- sitemaps ---------------------------------------------------------------------------

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
                yield from self._retry_probe(response.request, str(exc))
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

    def _limit_hit(self, message: str) -> None:
        """A bound ended part of the discovery: say so, and never treat the listing as whole."""
        self.logger.warning("limit: %s", message)
        self.crawler.stats.inc_value("corpus/limits_hit")
        self.known.listing_failed = True

    def _skip_off_site(self, url: str, where: str) -> None:
        self.crawler.stats.inc_value("corpus/offsite_skipped")
        if self.crawler.stats.get_value("corpus/offsite_skipped") <= 20:
            self.logger.warning("not following %s listed on %s: off-site", url[:300], where)

    # -- feeds ------------------------------------------------------------------------------

    def _start_feed(self) -> Iterator[scrapy.Request]:
        first, *others = feed.feed_urls(self.base_url)
        yield self._probe(first, self.parse_feed, others, "feed")

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            links = feed.item_links(response)
        except ValueError as exc:
            if response.meta.get("mode"):
                yield from self._retry_probe(response.request, str(exc))
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

    # -- HTML archives ----------------------------------------------------------------------

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

    def _same_site(self, url: str) -> bool:
        """The site's own origin (crawler/scope.py): scheme, host and port, or an extra host."""
        return scope.same_origin(url, self.base_url, self.extra_hosts)

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

    # -- post pages -------------------------------------------------------------------------

    def _post_request(self, url: str, conditional: bool = False) -> scrapy.Request:
        """A post page; with ``conditional`` (a site that proved it honours it, see
        crawler/revisit.py), a known post is asked for only if modified since we stored it."""
        headers, meta = {}, {}
        known = self.known.by_url.get(canonicalize_url(url))
        if conditional and known is not None and not known.gone:
            headers["If-Modified-Since"] = format_datetime(known.changed_at, usegmt=True)
            meta["handle_httpstatus_list"] = [304]
        return scrapy.Request(
            url,
            callback=self.parse_post,
            errback=self.on_error,
            priority=POST_PRIORITY,
            headers=headers,
            meta=meta,
        )

    def parse_post(self, response: Response) -> Iterator[Any]:
        if response.status == 304:  # not modified since the corpus stored it
            self.crawler.stats.inc_value("corpus/not_modified")
            self.note_verified([canonicalize_url(response.url)])
            yield Seen(site=self.site_profile.name, urls=[canonicalize_url(response.url)])
            return
        if not isinstance(response, TextResponse):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            kind = content_type.split(";")[0].strip() or "no content type"
            yield from self._reject(response.url, "fetch", f"not HTML ({kind})", response.status)
            return
        try:
            found = WordPressPostParser(
                response.text,
                response.url,
                self.site_profile,
                timezone=getattr(self, "site_timezone", None),
            ).extract()
        except Exception as exc:  # a page we cannot parse is a reject, never a crash
            self.logger.warning("cannot parse %s: %s", response.url, exc)
            yield from self._reject(
                response.url, "parse", f"{type(exc).__name__}: {exc}", response.status
            )
            return
        if found.protected:  # the author chose not to publish it: skipped, as REST skips it
            self.crawler.stats.inc_value("corpus/skipped/protected")
            self.logger.info("skipping password-protected post %s", found.url)
            return
        post = self._post(post_fields(found), response)
        if found.next_pages:
            yield self._continuation(post, found.next_pages)
        else:
            yield post

    def _continuation(self, post: Post, pages: list[str]) -> scrapy.Request:
        """Fetch the next page of a multi-page post; the item is yielded after the last one."""
        return scrapy.Request(
            pages[0],
            callback=self.parse_post_page,
            errback=self.post_page_failed,
            priority=POST_PRIORITY + 1,
            meta={"post": post, "pages": pages[1:], "page_number": 2},
        )

    def parse_post_page(self, response: Response) -> Iterator[Post | scrapy.Request]:
        post: Post = response.meta["post"]
        body = WordPressPostParser(response.text, response.url, self.site_profile).body_html()
        post["body_html"] = (post.get("body_html") or "") + (body or "")
        pages = response.meta["pages"]
        if pages:
            request = self._continuation(post, pages)
            request.meta["page_number"] = response.meta["page_number"] + 1
            yield request
        else:
            yield post

    def post_page_failed(self, failure: Failure) -> Iterator[Reject]:
        request = failure.request  # type: ignore[attr-defined]
        post: Post = request.meta["post"]
        why = failure_reason(failure, self.settings.getint("DOWNLOAD_MAXSIZE"))
        reason = f"page {request.meta['page_number']} failed: {why}"
        yield from self._reject(post["url"], "fetch", reason, None, raw=ItemAdapter(post).asdict())

    def _post(
        self, fields: dict[str, Any], response: Response, sources: dict[str, str] | None = None
    ) -> Post:
        """The item of a finished post; ``sources`` says where REST names came from."""
        self.count_field_sources(fields, sources)
        url = canonicalize_url(fields.get("url") or response.url)
        meta = getattr(response, "meta", None) or {}  # REST items carry a Fetched, no meta
        listed = (meta.get("redirect_urls") or [response.url])[0]
        self.note_verified([url, canonicalize_url(listed)], [fields.get("post_id")])
        return Post(
            site=self.site_profile.name,
            language=self.site_profile.language,
            fetched_url=response.url,
            http_status=response.status,
            **{**fields, "url": url},
        )

    def closed(self, reason: str) -> None:
        """Stamp the posts this run verified (before the run row closes: crawler/revisit.py)."""
        if getattr(self, "corpus", None) is not None and self.crawler.stats.get_value(
            "corpus/run_id"
        ):
            self.record_verification()

    # -- failures -------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[Reject]:
        """Record a request that failed for good (retries are already spent)."""
        if not is_site_failure(failure):
            return  # robots.txt, a link to another site: not a failure of the site
        if self._no_answer(failure):
            return
        request = failure.request  # type: ignore[attr-defined]
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL we listed
        status = failure.value.response.status if failure.check(HttpError) else None
        reason = failure_reason(failure, self.settings.getint("DOWNLOAD_MAXSIZE"))
        self.logger.warning("giving up on %s: %s", url, reason)
        yield from self._reject(url, "fetch", reason, status)

    def _no_answer(self, failure: Failure) -> bool:
        """True for a request the server never answered, other than a post page: a listing
        page or probe lost to DNS, a refused connection or a timeout is an error of the crawl
        (counted, logged), not a rejected post; rejects are for pages that answered, and for
        post pages the site listed. An unreachable site closes the crawl (crawler/unreachable)."""
        request = failure.request  # type: ignore[attr-defined]
        if close_if_unreachable(self.crawler, failure.value, request.url):
            return True
        if request.callback == self.parse_post or not is_network_error(failure.value):
            return False
        self.crawler.stats.inc_value(NETWORK_ERRORS_STAT)
        self.logger.error("no answer from %s: %s", request.url, failure_reason(failure))
        return True

    def _reject(
        self, url: str, stage: str, reason: str, status: int | None, raw: dict | None = None
    ) -> Iterator[Reject]:
        yield Reject(
            site=self.site_profile.name,
            url=url,
            stage=stage,
            reason=reason[:500],
            http_status=status,
            raw=raw or {},
        )
