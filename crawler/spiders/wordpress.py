"""``scrapy crawl wordpress -a base_url=URL [-a discovery=auto|rest|sitemap|feed|archive]``.

One spider for every WordPress site. It finds posts through the first discovery source that
answers — the REST API (exact IDs and timestamps, 100 posts a request), core sitemaps, the RSS
feed, the HTML archives — says which one in the log and the crawl run, and turns every source
into the same ``Post`` item. Site profiles (``crawler/sites``) subclass it by data only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Iterable, Iterator
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

from corpus.db import init_db, resolve_url
from corpus.known import known_posts
from crawler.dates import parse_iso
from crawler.discovery import MODES, archive, feed, rest, sitemap
from crawler.extract.wordpress import WordPressPostParser, canonicalize_url
from crawler.incremental import Known
from crawler.items import Post, Reject, Seen
from crawler.sites import SiteProfile, generic_profile

POST_PRIORITY = 10  # finish posts before opening more listing pages: keeps the queue short


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def failure_reason(failure: Failure) -> str:
    """One line a person can act on: "HTTP 500", "redirect loop", "TimeoutError: ..."."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    message = failure.getErrorMessage()
    if failure.check(DownloadCancelledError) and "max size" in message:
        return "page larger than 16 MB"
    if failure.check(IgnoreRequest):
        if "max redirections" in message or message.startswith("redirect loop"):
            return "redirect loop"
        if message.startswith("redirect off-site") or "offsite" in message.lower():
            return "redirect off-site"
    name = failure.type.__name__
    if name.endswith("TimeoutError"):  # Twisted's, asyncio's and Scrapy's DownloadTimeoutError
        name = "TimeoutError"
    return f"{name}: {message}"[:500]


def is_site_failure(failure: Failure) -> bool:
    """Ignored requests are our own choice (robots.txt, links to other sites), except a
    redirect loop or a redirect off-site, which lose a page the site listed."""
    if not failure.check(IgnoreRequest) or failure.check(HttpError):
        return True
    request = failure.request  # type: ignore[attr-defined]
    message = failure.getErrorMessage()
    return (
        "max redirections" in message
        or message.startswith(("redirect loop", "redirect off-site"))
        or ("offsite" in message.lower() and bool(request.meta.get("redirect_urls")))
    )


class WordPressSpider(scrapy.Spider):
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
        if discovery != "auto" and discovery not in MODES:
            raise ValueError(f"discovery must be auto or one of {', '.join(MODES)}")
        if mode not in ("auto", "full", "incremental"):
            raise ValueError("mode must be auto, full or incremental")
        self.discovery = discovery
        self.requested_mode = mode
        self.mode = "full"
        self.modes_left = list(self.site_profile.discovery if discovery == "auto" else [discovery])
        self.known = Known([])
        self.discovery_used: str | None = None
        self.feed_links_seen: set[str] = set()
        self.allowed_domains = [parts.hostname or ""]
        pattern = self.site_profile.post_path_pattern
        self._post_path = regex.compile(pattern) if pattern else None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.load_known(crawler.settings)
        if is_loopback(spider.base_url):
            # A local mirror or the sample site: politeness delays would only measure themselves.
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
        return spider

    def load_known(self, settings) -> None:
        """Read what the corpus knows of this site; with posts known, the crawl is incremental.

        An incremental crawl prefers the sources that show changes (REST ``modified_gmt``,
        sitemap ``lastmod``) and fetches only new and changed posts.
        """
        engine = init_db(resolve_url(settings.get("CORPUS_DATABASE_URL")))
        self.known = Known(known_posts(engine, self.site_profile.name))
        if self.requested_mode == "full":
            pass  # known posts still get conditional requests
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

    # -- REST API ---------------------------------------------------------------------------

    def _start_rest(self) -> Iterator[scrapy.Request]:
        yield self._probe(self.base_url + "/", self.parse_rest_home, [], "rest")

    def parse_rest_home(self, response: Response) -> Iterator[scrapy.Request]:
        advertised = rest.api_root(response)
        roots = list(
            dict.fromkeys([r for r in [advertised] if r] + rest.default_roots(self.base_url))
        )
        if self.mode == "incremental":
            urls = [rest.sweep_url(root, 1) for root in roots]
            request = self._probe(urls[0], self.parse_rest_sweep, urls[1:], "rest")
        else:
            urls = [rest.posts_url(root, 1) for root in roots]
            request = self._probe(urls[0], self.parse_rest_posts, urls[1:], "rest")
        request.meta["roots"] = roots
        yield request

    def parse_rest_posts(self, response: Response) -> Iterator[Post | scrapy.Request]:
        try:
            records = rest.load_json(response)
            if not isinstance(records, list):
                raise rest.NotRestResponse("expected a list of posts")
        except rest.NotRestResponse as exc:
            if response.meta.get("page"):  # a later page: the source works, this page did not
                yield from self._reject(response.url, "fetch", str(exc), response.status)
                return
            yield from self._retry_probe(response.request, str(exc))
            return
        if not response.meta.get("page"):
            root = response.meta["roots"][0]
            self.use_source("rest", root)
            for page in range(2, rest.total_pages(response) + 1):
                yield scrapy.Request(
                    rest.posts_url(root, page),
                    callback=self.parse_rest_posts,
                    errback=self.on_error,
                    meta={"page": page},
                )
        for record in records:
            if isinstance(record, dict):
                yield self._post(rest.post_fields(record), response)

    def parse_rest_sweep(self, response: Response) -> Iterator[Any]:
        """Compare the site's listing (ids, modification times) with the corpus."""
        try:
            records = rest.load_json(response)
            if not isinstance(records, list):
                raise rest.NotRestResponse("expected a list of posts")
        except rest.NotRestResponse as exc:
            if response.meta.get("sweep_page"):
                self.known.listing_failed = True
                yield from self._reject(response.url, "fetch", str(exc), response.status)
                yield from self._after_listing_page()
                return
            yield from self._retry_probe(response.request, str(exc))
            return
        if not response.meta.get("sweep_page"):
            root = response.meta["roots"][0]
            self.use_source("rest", root)
            self.rest_root = root
            pages = rest.total_pages(response)
            self.known.listing_pages_left = pages
            for page in range(2, pages + 1):
                yield scrapy.Request(
                    rest.sweep_url(root, page),
                    callback=self.parse_rest_sweep,
                    errback=self.listing_page_failed,
                    meta={"sweep_page": page},
                )
        listed = [(r.get("id"), rest.changed_at(r)) for r in records if isinstance(r, dict)]
        unchanged, to_fetch = self.known.compare_ids(listed)
        if unchanged:
            yield Seen(site=self.site_profile.name, post_ids=unchanged)
        for start in range(0, len(to_fetch), rest.PER_PAGE):
            yield scrapy.Request(
                rest.include_url(self.rest_root, to_fetch[start : start + rest.PER_PAGE]),
                callback=self.parse_rest_posts,
                errback=self.on_error,
                meta={"page": "include"},
            )
        yield from self._after_listing_page()

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

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            kind, entries = sitemap.entries(response)
        except ValueError as exc:
            if response.meta.get("mode"):
                yield from self._retry_probe(response.request, str(exc))
            return
        if response.meta.get("mode"):
            self.use_source("sitemap", response.url)
        if kind == "sitemapindex":
            children = [e["loc"] for e in entries if sitemap.is_posts_sitemap(e.get("loc", ""))]
            self.known.listing_pages_left += len(children)
            for loc in children:
                yield scrapy.Request(
                    loc, callback=self.parse_sitemap, errback=self.listing_page_failed
                )
            return
        listed = [
            (canonicalize_url(e["loc"]), parse_iso(e.get("lastmod")))
            for e in entries
            if e.get("loc")
        ]
        if self.mode == "incremental":
            unchanged, to_fetch = self.known.compare_urls(listed)
            if unchanged:
                yield Seen(site=self.site_profile.name, urls=unchanged)
        else:
            to_fetch = [url for url, _ in listed]
        for url in to_fetch:
            yield self._post_request(url)
        if self.mode == "incremental" and not response.meta.get("mode"):
            yield from self._after_listing_page()

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
        feed_url = response.meta.get("feed_url", response.url)
        new_links = [link for link in links if link not in self.feed_links_seen]
        self.feed_links_seen.update(new_links)
        yield from self._listed(new_links)
        if self.mode == "incremental" and not self.known.any_unknown(new_links):
            return
        if new_links:  # a feed that ignores ?paged= repeats itself: stop there
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

    def parse_archive(self, response: Response) -> Iterator[scrapy.Request]:
        """Queue the listed posts, the next page and (if the profile asks) category archives."""
        if response.meta.get("mode"):
            self.use_source("archive", response.url)
        links = [url for url in archive.post_links(response) if self._same_site(url)]
        yield from self._listed(links)
        if self.mode == "incremental" and links and not self.known.any_unknown(links):
            self.logger.info("%s lists only known posts: stopping this archive", response.url)
            return
        if self._post_path is not None or self.site_profile.follow_category_archives:
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href).split("#", 1)[0]
                if self.is_post_url(url):
                    yield self._post_request(url)
                elif self.site_profile.follow_category_archives and self.is_category_archive(url):
                    yield scrapy.Request(url, callback=self.parse_archive, errback=self.on_error)
        next_page = archive.next_page(response)
        if not links or links == response.meta.get("previous_links"):
            # An empty page, or the same page again: the end, or a calendar-like trap.
            if next_page:
                self.logger.info("%s lists nothing new: not following its next page", response.url)
            return
        if next_page and self._same_site(next_page):
            yield scrapy.Request(
                next_page,
                callback=self.parse_archive,
                errback=self.on_error,
                meta={"previous_links": links},
            )

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

    def _same_site(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.base_url).netloc

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

    def _post_request(self, url: str) -> scrapy.Request:
        """A post page; a known post is asked for only if modified since we stored it."""
        headers, meta = {}, {}
        known = self.known.by_url.get(canonicalize_url(url))
        if known is not None and not known.gone:
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
            yield Seen(site=self.site_profile.name, urls=[canonicalize_url(response.url)])
            return
        if not isinstance(response, TextResponse):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            kind = content_type.split(";")[0].strip() or "no content type"
            yield from self._reject(response.url, "fetch", f"not HTML ({kind})", response.status)
            return
        try:
            found = WordPressPostParser(response.text, response.url, self.site_profile).extract()
        except Exception as exc:  # a page we cannot parse is a reject, never a crash
            self.logger.warning("cannot parse %s: %s", response.url, exc)
            yield from self._reject(
                response.url, "parse", f"{type(exc).__name__}: {exc}", response.status
            )
            return
        post = self._post(
            {
                "url": found.url,
                "post_id": found.post_id,
                "title": found.title,
                "author": found.author,
                "published_at": found.published_at,
                "modified_at": found.modified_at,
                "categories": found.categories,
                "tags": found.tags,
                "body_html": found.body_html,
                "date_source": found.date_source,
            },
            response,
        )
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
        reason = f"page {request.meta['page_number']} failed: {failure_reason(failure)}"
        yield from self._reject(post["url"], "fetch", reason, None, raw=ItemAdapter(post).asdict())

    def _post(self, fields: dict[str, Any], response: Response) -> Post:
        url = canonicalize_url(fields.get("url") or response.url)
        return Post(
            site=self.site_profile.name,
            language=self.site_profile.language,
            fetched_url=response.url,
            http_status=response.status,
            **{**fields, "url": url},
        )

    # -- failures -------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[Reject]:
        """Record a request that failed for good (retries are already spent)."""
        if not is_site_failure(failure):
            return  # robots.txt, a link to another site: not a failure of the site
        request = failure.request  # type: ignore[attr-defined]
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL we listed
        status = failure.value.response.status if failure.check(HttpError) else None
        reason = failure_reason(failure)
        self.logger.warning("giving up on %s: %s", url, reason)
        yield from self._reject(url, "fetch", reason, status)

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
