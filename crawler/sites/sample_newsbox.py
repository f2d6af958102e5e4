"""sample_newsbox: http://127.0.0.1:8000

Describe the site and its theme here, and why any setting below differs from the generic
WordPress rules (see CONTRIBUTING.md).
"""

from crawler.sites import SiteProfile

SITE = SiteProfile(
    name="sample_newsbox",
    base_url="http://127.0.0.1:8000",
    language="lo",
    # discovery=("rest", "sitemap", "feed", "archive"),  # the default order
    # selectors={"date_text": ".post-date"},  # only what the generic extraction misses
    # boilerplate=(".newsletter-box",),  # extra blocks to drop from the body
)
