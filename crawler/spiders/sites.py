"""One spider per site profile (``scrapy crawl lsr``), made from ``crawler/sites`` at import.

Adding a profile module is enough to get its spider: nothing here names a site.
"""

from crawler.sites import registry
from crawler.spiders.wordpress import WordPressSpider

for _profile in registry().values():
    _spider = type(
        f"{_profile.name.title().replace('_', '')}Spider",
        (WordPressSpider,),
        {"name": _profile.name, "profile": _profile, "__module__": __name__},
    )
    globals()[_spider.__name__] = _spider

del _profile, _spider  # only the named classes: Scrapy's loader would list each twice
