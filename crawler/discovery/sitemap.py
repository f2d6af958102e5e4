"""WordPress core sitemaps (5.5+): ``/wp-sitemap.xml``, or ``?sitemap=index`` without rewrites."""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from scrapy.http import Response


def index_urls(base_url: str) -> list[str]:
    return [f"{base_url}/wp-sitemap.xml", f"{base_url}/?sitemap=index"]


def is_posts_sitemap(url: str) -> bool:
    """Post sitemaps only: pages, taxonomies and users list no posts."""
    parts = urlsplit(url)
    if "wp-sitemap-posts-post-" in parts.path:
        return True
    query = parse_qs(parts.query)
    return query.get("sitemap") == ["posts"] and query.get("sitemap-subtype") == ["post"]


def entries(response: Response) -> tuple[str, list[dict[str, str]]]:
    """The sitemap's type (``sitemapindex`` or ``urlset``) and its ``loc``/``lastmod`` entries."""
    kind, found = stream(response.body)
    return kind, list(found)


def stream(body: bytes) -> tuple[str, Iterator[dict[str, str]]]:
    """The sitemap's type and its entries, parsed as they are read.

    A 15 MB sitemap lists 300,000 URLs: parsing it whole and queueing them all took 1 GB. Here
    each ``<url>`` is dropped once read, so memory is the body plus one entry; the caller
    takes as many as it wants. Entities are never expanded and nothing is fetched (no XXE,
    no billion laughs). Raises ValueError when the body is not a sitemap.
    """
    head = body[:2000]
    marked = b"<urlset" in head or b"<sitemapindex" in head
    if not body.lstrip().startswith(b"<?xml") and not marked:
        raise ValueError("not a sitemap")
    kind = _root_name(body)
    if kind not in ("urlset", "sitemapindex"):
        raise ValueError("not a sitemap")
    return kind, _entries(body, "{*}url" if kind == "urlset" else "{*}sitemap")


def _parse(body: bytes, **options):
    return etree.iterparse(
        io.BytesIO(body),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        recover=True,
        huge_tree=False,
        **options,
    )


def _root_name(body: bytes) -> str:
    try:
        _, root = next(_parse(body, events=("start",)))
    except (StopIteration, etree.LxmlError):
        return ""
    return _local(root.tag)


def _entries(body: bytes, tag: str) -> Iterator[dict[str, str]]:
    try:
        for _, element in _parse(body, events=("end",), tag=tag):
            entry = {
                _local(child.tag): (child.text or "").strip()
                for child in element
                if isinstance(child.tag, str)
            }
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
            if entry.get("loc"):
                yield entry
    except etree.LxmlError:  # a truncated or broken tail: the entries read so far stand
        return


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
