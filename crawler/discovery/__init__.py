"""How a spider finds a site's posts: REST API, sitemaps, feeds, HTML archives.

Each module holds pure functions from a response to URLs or records, so spiders stay thin
and every source can be tested on its own. ``MODES`` is the order ``auto`` tries them in.
"""

MODES = ("rest", "sitemap", "feed", "archive")
AUTO_ORDER = ("rest", "sitemap", "feed", "archive")
