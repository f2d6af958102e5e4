"""The site's origin: which URLs belong to the site being crawled.

Why its own module: REST records, redirects and discovered links all ask the same question
("is this URL the site's own?"), and one answer keeps them consistent. An origin is the
scheme, host and port (RFC 6454); only http and https URLs can belong to a site.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from text.urls import CACHED_LENGTH, DEFAULT_PORTS

WEB_SCHEMES = tuple(DEFAULT_PORTS)


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, lower-cased; None for any other or a bad URL."""
    if not isinstance(url, str):
        return None
    return _cached_origin(url) if len(url) <= CACHED_LENGTH else _origin(url)


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # an unbalanced IPv6 bracket, a port out of range
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in WEB_SCHEMES or not host:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


# Every link of every listing is checked, most of them many times (see text.urls).
_cached_origin = lru_cache(maxsize=16384)(_origin)


def same_origin(url: str, base: str, extra_hosts: Iterable[str] = ()) -> bool:
    """Whether ``url`` is on ``base``'s origin, or on one of the site's ``extra_hosts``
    (its other names, such as ``www.`` plus the bare domain) with the same scheme and port."""
    found, home = origin(url), origin(base)
    if found is None or home is None:
        return False
    if found == home:
        return True
    hosts = {h.lower().rstrip(".") for h in extra_hosts}
    return found[1] in hosts and (found[0], found[2]) == (home[0], home[2])


def off_site_reason(url: str, base: str, extra_hosts: Iterable[str] = ()) -> str | None:
    """None when ``url`` is the site's own, else why not ("scheme file", "origin ...")."""
    if same_origin(url, base, extra_hosts):
        return None
    scheme = urlsplit(url).scheme.lower() if isinstance(url, str) else ""
    if scheme not in WEB_SCHEMES:
        return f"scheme {scheme or 'none'} is not http(s)"
    found = origin(url)
    if found is None:
        return "not a valid URL"
    return f"origin {found[0]}://{found[1]}:{found[2]} is not the site's"
