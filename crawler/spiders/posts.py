"""Post pages for the ``wordpress`` spider: every source ends in ``_post_request``.

The page itself is read by the post page object (crawler/extract/wordpress.py); here are the
requests around it: a conditional fetch of a known post, the pages of a multi-page post (the
item travels in request meta, with ``page_number``), and the ``Post`` item every source makes.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import scrapy
from itemadapter import ItemAdapter
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.extract.item import post_fields
from crawler.extract.wordpress import WordPressPostParser, canonicalize_url
from crawler.failures import FailureHandling, failure_reason
from crawler.items import Post, Reject, Seen

if TYPE_CHECKING:
    from crawler.incremental import Known

POST_PRIORITY = 10  # finish posts before the next listing page


class PostPages(FailureHandling):
    """The post pages of ``WordPressSpider``, and the item every source yields."""

    known: Known

    if TYPE_CHECKING:  # provided by WordPressSpider (Revisits, RestSource)

        def note_verified(self, urls: list[str], ids: list[Any] | None = None) -> None: ...
        def count_field_sources(self, fields: dict, sources: dict | None) -> None: ...

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
