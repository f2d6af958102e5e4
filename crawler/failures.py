"""What a failed request means: a reject of the site's, an error of the crawl, or nothing.

Why a module of its own: every discovery source and the post pages end a failed request the
same way, and the wording of a reason ("HTTP 500", "redirect loop", "page larger than 16 MB")
is what a reader of the rejects table acts on, so it is decided in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import regex
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import Reject
from crawler.unreachable import NETWORK_ERRORS_STAT, close_if_unreachable, is_network_error


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


class FailureHandling:
    """Spider mixin: ``on_error``, the errback of every request that has no better one."""

    crawler: Any
    logger: Any
    settings: Any
    site_profile: Any

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
        if request.callback == self.parse_post or not is_network_error(failure.value):  # type: ignore[attr-defined]
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
