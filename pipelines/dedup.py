"""Dedup pipeline: one item per canonical URL per crawl, and the content hash of every post.

Exact reposts (same text, another URL) are kept and linked to their original by the corpus,
which sees every run; here we only stop the same page from being stored twice in one crawl.
"""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import Post
from text import lao


class DedupPipeline:
    def __init__(self, stats) -> None:
        self.stats = stats
        self.seen_urls: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if not isinstance(item, Post):
            return item
        adapter = ItemAdapter(item)
        url = adapter["url"]
        if url in self.seen_urls:
            self.stats.inc_value("corpus/duplicate_url")
            raise DropItem(f"already stored in this crawl: {url}")
        self.seen_urls.add(url)
        # the clean pipeline's text is normalized already (tests/test_properties.py)
        adapter["content_hash"] = lao.content_hash(adapter["text"], normalized=True)
        return item
