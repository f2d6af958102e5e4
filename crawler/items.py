"""The two kinds of item a spider yields: a post, or a page that could not become one."""

from __future__ import annotations

import scrapy

from schema import ITEM_FIELDS

# One blog post as the corpus stores it; pipelines fill the derived fields. Its fields are
# schema.POST_FIELDS' item fields (declared there once, with their descriptions).
Post = type(
    "Post",
    (scrapy.Item,),
    {"__module__": __name__, **{name: scrapy.Field() for name in ITEM_FIELDS}},
)


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
