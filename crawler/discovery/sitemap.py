"""WordPress core sitemaps (5.5+): ``/wp-sitemap.xml``, or ``?sitemap=index`` without rewrites."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap


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
    body = response.body
    if (
        not body.lstrip().startswith(b"<?xml")
        and b"<urlset" not in body[:2000]
        and (b"<sitemapindex" not in body[:2000])
    ):
        raise ValueError("not a sitemap")
    sitemap = Sitemap(body)
    return sitemap.type, [dict(entry) for entry in sitemap]
