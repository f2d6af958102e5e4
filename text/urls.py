"""The one identity of a post's URL, shared by the crawl, the writer and the migrations.

A post is reached through many spellings of its URL: the IRI a theme prints (``/ຂ່າວ/``), the
percent-encoded form WordPress stores in lowercase (``/%e0%ba%82…/``), the uppercase form a
browser sends, a tracking query, an explicit default port. w3lib's canonicalization (the one
Scrapy's fingerprints use) gives them one form: UTF-8 percent-encoding in uppercase, sorted
query arguments, no fragment. On top of it the corpus drops what names no content: tracking
parameters, ``replytocom`` and the default port.

Migration ``0007_canonical_urls`` rewrote the stored URLs with these rules; changing them
needs a data migration of its own.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url as w3lib_canonical

TRACKING = ("utm_", "fbclid", "gclid", "replytocom")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Listings repeat their links, so each spelling is worked out once; only URLs up to the
# corpus's URL column length are remembered, so a hostile page of huge links costs no memory.
CACHED_LENGTH = 2048


def canonical_url(url: str) -> str:
    """The stored form of ``url``: one string for every spelling of the same address."""
    return _cached_canonical(url) if len(url) <= CACHED_LENGTH else _canonical(url)


def _canonical(url: str) -> str:
    parts = urlsplit(w3lib_canonical(url.strip(), keep_fragments=False))
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not pair.lower().startswith(TRACKING)
    )
    netloc = parts.netloc
    if parts.port is not None and parts.port == DEFAULT_PORTS.get(parts.scheme):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))


_cached_canonical = lru_cache(maxsize=16384)(_canonical)
