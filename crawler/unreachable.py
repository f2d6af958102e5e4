"""A site that does not answer at all: the cause in words, and the crawl closed at once.

Why: with no network, a crawl used to fail as "Error rate: 0.375 ..." and store the DNS error
as a rejected post. A DNS failure, a refused connection or a failed TLS handshake before the
site has answered anything means nothing of it can be crawled: the crawl ends with finish
reason ``site_unreachable`` and ``corpus/site_unreachable`` says why ("DNS lookup failed for
lsr.com.la"), which the monitors put in the run row (crawler/monitors.py).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import error as twisted_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

logger = logging.getLogger(__name__)

UNREACHABLE_REASON = "site_unreachable"
STAT = "corpus/site_unreachable"
NETWORK_ERRORS_STAT = "corpus/network_errors"

# No answer from the server at all (rather than an answer we refuse): never a reject of a
# listing page or probe, only an error of the crawl.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ResponseDataLossError,
    twisted_error.DNSLookupError,
    twisted_error.ConnectError,
    twisted_error.TimeoutError,
    twisted_error.ConnectionLost,
    ResponseFailed,
    ResponseNeverReceived,
    TimeoutError,
    ConnectionError,
)


def _is_tls(error: BaseException) -> bool:
    names = [type(error).__name__, type(error).__module__]
    inner = getattr(error, "reasons", None) or []  # ResponseNeverReceived wraps failures
    names += [type(getattr(f, "value", f)).__module__ for f in inner]
    return any(n.startswith(("OpenSSL", "ssl")) or "SSL" in n or "TLS" in n for n in names)


def unreachable_cause(error: BaseException, url: str) -> str | None:
    """The cause ("DNS lookup failed for HOST", "connection refused by HOST:PORT", "TLS
    error with HOST: ...") when ``error`` says the server cannot be reached at all."""
    parts = urlsplit(url)
    host = parts.hostname or url
    if isinstance(error, (CannotResolveHostError, twisted_error.DNSLookupError)):
        return f"DNS lookup failed for {host}"
    if isinstance(error, (DownloadConnectionRefusedError, twisted_error.ConnectionRefusedError)):
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return f"connection refused by {host}:{port}"
    if _is_tls(error):
        detail = (str(error).splitlines() or [type(error).__name__])[0][:200]
        return f"TLS error with {host}: {detail}"
    return None


def is_network_error(error: BaseException) -> bool:
    return isinstance(error, NETWORK_ERRORS) or _is_tls(error)


def close_if_unreachable(crawler, error: BaseException, url: str) -> bool:
    """Close the crawl as ``site_unreachable`` when nothing of the site has answered yet and
    ``error`` says why; True when it did (or already had)."""
    stats = crawler.stats
    if stats.get_value(STAT):
        return True
    cause = unreachable_cause(error, url)
    if cause is None or stats.get_value("downloader/response_count", 0):
        return False
    stats.set_value(STAT, cause)
    logger.error("site unreachable: %s: not crawling it", cause)
    deferred_from_coro(crawler.engine.close_spider_async(reason=UNREACHABLE_REASON))
    return True
