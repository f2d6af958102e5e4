"""The two kinds of item a spider yields: a post, or a page that could not become one."""

from __future__ import annotations

import scrapy


class Post(scrapy.Item):
    """One blog post as the corpus stores it; pipelines fill the derived fields."""

    site = scrapy.Field()
    url = scrapy.Field()  # canonical URL
    post_id = scrapy.Field()  # WordPress ID
    title = scrapy.Field()
    author = scrapy.Field()  # authors[0], or None
    authors = scrapy.Field()  # list of names, page order, deduplicated
    published_at = scrapy.Field()  # aware datetime
    modified_at = scrapy.Field()  # aware datetime or None
    categories = scrapy.Field()  # list of names, page order
    tags = scrapy.Field()  # list of names, page order
    body_html = scrapy.Field()  # the entry content, boilerplate removed
    text = scrapy.Field()  # clean text, paragraphs separated by a blank line (clean pipeline)
    language = scrapy.Field()  # ISO 639-1 (clean pipeline)
    content_hash = scrapy.Field()  # dedup pipeline
    word_count = scrapy.Field()  # clean pipeline
    fetched_url = scrapy.Field()  # the URL the page was fetched from
    http_status = scrapy.Field()
    date_source = scrapy.Field()  # which markup gave published_at, for auditing extraction


class Reject(scrapy.Item):
    """A page that did not become a post, kept so that nothing is lost silently."""

    site = scrapy.Field()
    url = scrapy.Field()
    stage = scrapy.Field()  # fetch | parse | validate
    reason = scrapy.Field()  # one line, e.g. "missing published_at" or "HTTP 404"
    http_status = scrapy.Field()
    raw = scrapy.Field()  # dict of whatever was extracted


class Seen(scrapy.Item):
    """Known posts a listing showed unchanged: the corpus only notes that they were seen."""

    site = scrapy.Field()
    post_ids = scrapy.Field()  # WordPress IDs
    urls = scrapy.Field()  # canonical URLs (sources without IDs, e.g. sitemaps)
