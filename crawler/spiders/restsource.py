"""REST discovery for the ``wordpress`` spider: the API's index, listings, and name lookups.

Why a mixin of its own: the REST source is the longest of the discovery sources, and its
requests form chains (a listing page, then the names ``_embed`` did not give, then the post's
HTML when the API withholds an author) whose state travels in request meta. Listings are
paged lazily, one page in flight per listing, so a lying ``X-WP-TotalPages`` costs nothing.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.discovery import rest
from crawler.extract.wordpress import WordPressPostParser
from crawler.items import Post, Reject, Seen
from crawler.spiders.posts import POST_PRIORITY
from crawler.spiders.sources import DiscoveryChain

LOOKUP_PRIORITY = POST_PRIORITY + 1
NAME_FIELDS = ("author", "categories", "tags")
DEFAULT_MAX_LISTING_PAGES = 10_000


def page_authors(found: Any) -> list[str]:
    """Every author the post page parser found, in page order (``authors``, else ``author``)."""
    names = getattr(found, "authors", None) or [getattr(found, "author", None)]
    return list(dict.fromkeys(n for n in names if isinstance(n, str) and n.strip()))


class RestSource(DiscoveryChain):
    """The REST source of ``WordPressSpider``."""

    site_timezone: str | None = None  # set from the REST index; the post parser reads it

    if TYPE_CHECKING:  # provided by WordPressSpider (crawler/spiders/posts.py)

        def _post(
            self, fields: dict[str, Any], response: Any, sources: dict[str, str] | None = None
        ) -> Post: ...
        def on_error(self, failure: Failure) -> Iterator[Reject]: ...
        def _reject(
            self, url: str, stage: str, reason: str, status: int | None, raw: dict | None = None
        ) -> Iterator[Reject]: ...

    @property
    def rest_names(self) -> rest.Names:
        """Term and user names found so far (cached across pages, one lookup per ID)."""
        names = self.__dict__.get("_rest_names")
        if names is None:
            names = self.__dict__["_rest_names"] = rest.Names()
        return names

    @property
    def rest_listed(self) -> set[int]:
        """Post IDs the full listing has shown, to end a listing that repeats itself."""
        return self.__dict__.setdefault("_rest_listed", set())

    def _max_listing_pages(self) -> int:
        return self.crawler.settings.getint("CORPUS_MAX_LISTING_PAGES", DEFAULT_MAX_LISTING_PAGES)

    def _stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(key, count)

    def count_field_sources(self, fields: dict[str, Any], sources: dict[str, str] | None) -> None:
        """``corpus/field_source/<field>/<source>`` for a post about to be yielded; a page's
        own fields count as ``html`` (or ``none`` when empty). The crawl run keeps them."""
        for key in NAME_FIELDS:
            source = (sources or {}).get(key) or ("html" if fields.get(key) else "none")
            self._stat(f"corpus/field_source/{key}/{source}")

    # -- the root and its index ---------------------------------------------------------------

    def _start_rest(self) -> Iterator[scrapy.Request]:
        yield self._probe(self.base_url + "/", self.parse_rest_home, [], "rest")

    def parse_rest_home(self, response: Response) -> Iterator[scrapy.Request]:
        self._resume_chain(response.meta)
        advertised = rest.api_root(response, self.base_url)
        refused = [r for r in rest.advertised_roots(response) if r != advertised]
        if advertised is None and refused:
            self.logger.warning(
                "not using the REST root %s: not the site's origin", refused[0][:300]
            )
        roots = list(
            dict.fromkeys([r for r in [advertised] if r] + rest.default_roots(self.base_url))
        )
        request = self._probe(rest.index_url(roots[0]), self.parse_rest_index, [], "rest")
        request = request.replace(errback=self.rest_index_failed)
        request.meta["roots"] = roots
        yield request

    def parse_rest_index(self, response: Response) -> Iterator[scrapy.Request]:
        """The root index states the site's time zone; with it or without, list the posts."""
        try:
            timezone = rest.site_timezone(rest.load_json(response))
        except rest.NotRestResponse:
            timezone = None
        if timezone:
            self.site_timezone = timezone
            self.logger.info("site time zone (REST index): %s", timezone)
        yield self._rest_listing_probe(response.meta)

    def rest_index_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """Some sites hide only the index: the posts route decides whether REST works."""
        yield self._rest_listing_probe(failure.request.meta)  # type: ignore[attr-defined]

    def _rest_listing_probe(self, meta: dict[str, Any]) -> scrapy.Request:
        roots = meta["roots"]
        self._resume_chain(meta)
        if self.mode == "incremental":
            urls = [rest.sweep_url(root, 1) for root in roots]
            request = self._probe(urls[0], self.parse_rest_sweep, urls[1:], "rest")
        else:
            urls = [rest.posts_url(root, 1) for root in roots]
            request = self._probe(urls[0], self.parse_rest_posts, urls[1:], "rest")
        request.meta["roots"] = roots
        return request

    def _listing_start(self, response: Response, records: list[Any]) -> tuple[str, int]:
        """(root, pages) of a listing whose first page just answered."""
        root = response.meta["roots"][0]
        self.use_source("rest", root)
        pages = rest.page_count(response, rest.PER_PAGE, self._max_listing_pages())
        declared = rest.total_pages(response)
        if declared > pages:
            self.logger.warning(
                "REST listing says %d pages; reading at most %d (X-WP-Total %s, limit %d)",
                declared,
                pages,
                response.headers.get("X-WP-Total", b"?").decode("latin-1")[:20],
                self._max_listing_pages(),
            )
        if self.site_timezone is None:  # the index did not say: the records' own offset
            offset = next(filter(None, map(rest.record_offset, records)), None)
            if offset:
                self.site_timezone = offset
                self.logger.info("site UTC offset (REST records): %s", offset)
        return root, pages

    def _records(self, response: Response) -> list[Any]:
        records = rest.load_json(response)
        if not isinstance(records, list):
            raise rest.NotRestResponse("expected a list of posts")
        return records

    # -- full crawls: the posts listing ---------------------------------------------------------

    def parse_rest_posts(self, response: Response) -> Iterator[Any]:
        page = response.meta.get("page")  # None: the probe (page 1); "include": by ID
        try:
            records = self._records(response)
        except rest.NotRestResponse as exc:
            if page:  # a later page: the source works, this page did not
                yield from self._reject(response.url, "fetch", str(exc), response.status)
                yield from self._next_posts_page(response.meta)
                return
            yield from self._retry_probe(response.request, str(exc))  # type: ignore[arg-type]
            return
        if page is None:
            root, pages = self._listing_start(response, records)
            meta = {"page": 1, "pages": pages, "root": root}
        else:
            root = response.meta["root"]
            meta = {"page": page, "pages": response.meta.get("pages"), "root": root}
        batch = yield from self._read_page(records, response, root)
        if meta["page"] != "include":
            ids = rest.listed_ids(records)
            if self._moved_on(response, records, ids, self.rest_listed):
                batch.after = meta  # the next page, once this one's names are known
            self.rest_listed.update(ids)
        yield from self._resolve(batch)

    def _moved_on(
        self, response: Response, records: list[Any], ids: list[int], listed: set[int]
    ) -> bool:
        """Whether a listing page showed something new; an empty page, or one whose posts
        were all listed before (a server that ignores ``page``), ends the listing."""
        if not records:
            return False
        if ids and all(i in listed for i in ids):
            self.logger.warning("%s lists only posts already listed: end of listing", response.url)
            return False
        return True

    def _next_posts_page(self, meta: dict[str, Any]) -> Iterator[scrapy.Request]:
        page, pages = meta["page"], meta["pages"]
        if isinstance(page, int) and page < pages:
            yield scrapy.Request(
                rest.posts_url(meta["root"], page + 1),
                callback=self.parse_rest_posts,
                errback=self.rest_page_failed,
                meta={"page": page + 1, "pages": pages, "root": meta["root"]},
            )

    def rest_page_failed(self, failure: Failure) -> Iterator[Any]:
        """A listing page failed for good: record it, and go on with the next one."""
        yield from self.on_error(failure)
        yield from self._next_posts_page(failure.request.meta)  # type: ignore[attr-defined]

    # -- incremental crawls: the sweep -----------------------------------------------------------

    def parse_rest_sweep(self, response: Response) -> Iterator[Any]:
        """Compare the site's listing (ids, modification times) with the corpus."""
        try:
            records = self._records(response)
        except rest.NotRestResponse as exc:
            if response.meta.get("sweep_page"):
                self.known.listing_failed = True
                yield from self._reject(response.url, "fetch", str(exc), response.status)
                yield from self._next_sweep_page(response.meta)
                yield from self._after_listing_page()
                return
            yield from self._retry_probe(response.request, str(exc))  # type: ignore[arg-type]
            return
        if response.meta.get("sweep_page"):
            meta = response.meta
        else:
            root, pages = self._listing_start(response, records)
            meta = {"sweep_page": 1, "pages": pages, "root": root}
            self.known.listing_pages_left = 1  # this page; each next page adds one
            if pages >= self._max_listing_pages() and rest.total_pages(response) > pages:
                self.known.listing_failed = True  # cut short: do not judge unlisted posts
        listed = []
        for number, record in enumerate(records):
            try:
                post_id = rest.post_id(record.get("id") if isinstance(record, dict) else None)
            except rest.BadRecord as exc:
                yield from self._bad_record(response, number, record, str(exc))
                continue
            listed.append((post_id, rest.changed_at(record)))
        moved_on = self._moved_on(response, records, [i for i, _ in listed], self.known.listed_ids)
        unchanged, to_fetch = self.known.compare_ids(listed)
        if unchanged:
            yield Seen(site=self.site_profile.name, post_ids=unchanged)
        for start in range(0, len(to_fetch), rest.PER_PAGE):
            yield scrapy.Request(
                rest.include_url(meta["root"], to_fetch[start : start + rest.PER_PAGE]),
                callback=self.parse_rest_posts,
                errback=self.on_error,
                priority=POST_PRIORITY,
                meta={"page": "include", "root": meta["root"]},
            )
        if moved_on:
            yield from self._next_sweep_page(meta)
        elif meta["sweep_page"] < meta["pages"]:
            self.known.listing_failed = True  # ended early: the listing is not complete
        yield from self._after_listing_page()

    def _next_sweep_page(self, meta: dict[str, Any]) -> Iterator[scrapy.Request]:
        page, pages = meta["sweep_page"], meta["pages"]
        if page < pages:
            self.known.listing_pages_left += 1
            yield scrapy.Request(
                rest.sweep_url(meta["root"], page + 1),
                callback=self.parse_rest_sweep,
                errback=self.rest_sweep_page_failed,
                meta={"sweep_page": page + 1, "pages": pages, "root": meta["root"]},
            )

    def rest_sweep_page_failed(self, failure: Failure) -> Iterator[Any]:
        self.known.listing_failed = True
        yield from self.on_error(failure)
        yield from self._next_sweep_page(failure.request.meta)  # type: ignore[attr-defined]
        yield from self._after_listing_page()

    # -- records -------------------------------------------------------------------------------

    def _read_page(
        self, records: list[Any], response: Response, root: str
    ) -> Generator[Reject, None, rest.RestBatch]:
        """Check every record of a page: bad ones become rejects, protected ones are skipped."""
        posts = []
        extra_hosts = getattr(self, "extra_hosts", ())
        for number, record in enumerate(records):
            try:
                post = rest.read_post(record, self.base_url, extra_hosts)
            except rest.BadRecord as exc:
                yield from self._bad_record(response, number, record, str(exc))
                continue
            except Exception as exc:  # a shape nobody foresaw: still one reject, never a crash
                reason = f"{type(exc).__name__}: {exc}"
                yield from self._bad_record(response, number, record, reason)
                continue
            if post.protected:
                self._stat("corpus/skipped/protected")
                self.logger.info("skipping password-protected post %s", post.fields["url"])
                continue
            posts.append(post)
        return rest.RestBatch(posts, rest.Fetched(response.url, response.status), root)

    def _bad_record(
        self, response: Response, number: int, record: Any, reason: str
    ) -> Iterator[Reject]:
        """A record that cannot be a post: a reject of its own (the page's URL, its position)."""
        self.logger.warning("REST record %d of %s rejected: %s", number, response.url, reason)
        raw = {}
        if isinstance(record, dict):
            raw = {key: repr(record.get(key))[:300] for key in ("id", "link") if key in record}
        yield from self._reject(
            f"{response.url}#record-{number}", "parse", reason, response.status, raw=raw
        )

    # -- names _embed did not give --------------------------------------------------------------

    def _resolve(self, batch: rest.RestBatch) -> Iterator[Any]:
        """The batch's next lookup (terms, then users), or, with nothing left to look up, its
        posts: complete ones as items, the others through their HTML page."""
        names = self.rest_names
        for taxonomy in rest.TAXONOMIES:
            ids = batch.unknown_terms(taxonomy, names)[: rest.PER_PAGE]
            if ids:
                url = rest.terms_url(batch.root, taxonomy, ids)
                yield self._lookup(url, batch, ("terms", taxonomy, ids))
                return
        ids = batch.unknown_authors(names)
        if ids:
            yield self._lookup(rest.user_url(batch.root, ids[0]), batch, ("user", ids[0]))
            return
        for post in batch.posts:
            fields, sources, missing = post.complete(names)
            if missing:
                yield scrapy.Request(
                    fields["url"],
                    callback=self.parse_rest_html,
                    errback=self.rest_html_failed,
                    dont_filter=True,  # two records may share a link; neither may be dropped
                    priority=POST_PRIORITY,
                    meta={"rest_post": (fields, sources, missing), "fetched": batch.fetched},
                )
            else:
                yield self._rest_item(fields, sources, batch.fetched)
        if batch.after:  # one listing page at a time, and lookups never overlap
            yield from self._next_posts_page(batch.after)

    def _lookup(self, url: str, batch: rest.RestBatch, lookup: tuple) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_rest_names,
            errback=self.rest_names_failed,
            dont_filter=True,  # include batches may ask the same at once; each needs its answer
            priority=LOOKUP_PRIORITY,
            meta={"rest_batch": batch, "lookup": lookup},
        )

    def _learn(self, lookup: tuple, answer: Any) -> None:
        if lookup[0] == "terms":
            self.rest_names.learn_terms(lookup[1], lookup[2], answer)
        else:
            self.rest_names.learn_user(lookup[1], answer)

    def parse_rest_names(self, response: Response) -> Iterator[Any]:
        try:
            answer = rest.load_json(response)
        except rest.NotRestResponse as exc:
            self.logger.info("REST lookup %s gave no names: %s", response.url, exc)
            self._stat(f"corpus/rest_lookup_failed/{response.meta['lookup'][0]}")
            answer = None
        self._learn(response.meta["lookup"], answer)
        yield from self._resolve(response.meta["rest_batch"])

    def rest_names_failed(self, failure: Failure) -> Iterator[Any]:
        """A blocked users or terms route (401, 403, 404): the names come from the HTML."""
        request = failure.request  # type: ignore[attr-defined]
        self.logger.info("REST lookup %s failed: %s", request.url, failure.getErrorMessage())
        self._stat(f"corpus/rest_lookup_failed/{request.meta['lookup'][0]}")
        self._learn(request.meta["lookup"], None)
        yield from self._resolve(request.meta["rest_batch"])

    def parse_rest_html(self, response: Response) -> Iterator[Post]:
        """The post's own page gives what the API withheld (the author, mostly)."""
        fields, sources, missing = response.meta["rest_post"]
        found = None
        if isinstance(response, TextResponse):
            try:
                found = WordPressPostParser(
                    response.text, response.url, self.site_profile, timezone=self.site_timezone
                ).extract()
            except Exception as exc:  # a page we cannot parse leaves the field empty
                self.logger.warning("cannot parse %s: %s", response.url, exc)
        if found is not None:
            if "author" in missing and page_authors(found):
                fields["authors"] = page_authors(found)
                fields["author"] = fields["authors"][0]
                sources["author"] = "html"
            for key in ("categories", "tags"):
                values = getattr(found, key, None)
                if key in missing and isinstance(values, list) and values:
                    fields[key], sources[key] = values, "html"
        yield self._rest_item(fields, sources, response.meta["fetched"])

    def rest_html_failed(self, failure: Failure) -> Iterator[Post]:
        request = failure.request  # type: ignore[attr-defined]
        self.logger.warning("post page %s for missing names failed: %s", request.url, failure.value)
        fields, sources, _ = request.meta["rest_post"]
        yield self._rest_item(fields, sources, request.meta["fetched"])

    def _rest_item(
        self, fields: dict[str, Any], sources: dict[str, str], fetched: rest.Fetched
    ) -> Post:
        return self._post(fields, fetched, sources)
