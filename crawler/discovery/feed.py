"""RSS feeds: the newest posts, and older ones through WordPress's ``paged`` feed pages."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from parsel import Selector
from scrapy.http import Response


def feed_urls(base_url: str) -> list[str]:
    return [f"{base_url}/feed/", f"{base_url}/?feed=rss2"]


def page_url(feed_url: str, page: int) -> str:
    separator = "&" if urlsplit(feed_url).query else "?"
    return f"{feed_url}{separator}{urlencode({'paged': page})}"


def item_links(response: Response) -> list[str]:
    """Post links of an RSS 2.0 feed page; empty when the answer is not a feed."""
    selector = Selector(text=response.text, type="xml")
    selector.remove_namespaces()
    if not selector.xpath("/rss/channel"):
        raise ValueError("not an RSS feed")
    return [link.strip() for link in selector.xpath("//item/link/text()").getall() if link.strip()]
