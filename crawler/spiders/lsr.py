"""``scrapy crawl lsr [-a base_url=URL]``: the lsr.com.la archive."""

from crawler.sites import get_profile
from crawler.spiders.wordpress import WordPressSpider


class LsrSpider(WordPressSpider):
    name = "lsr"
    profile = get_profile("lsr")
