"""lsr.com.la: a Lao news blog on WordPress with post-ID permalinks (``/2709/``).

Its theme shows the date as "25th Nov2016" above the title and the author as "by somchan",
which the generic extraction reads as it is. The archive is walked like a reader would (home
pagination, category archives, sidebar links), so dead links and flaky pages surface as rejects.
"""

from crawler.sites import SiteProfile

SITE = SiteProfile(
    name="lsr",
    base_url="https://lsr.com.la",
    language="lo",
    discovery=("archive",),
    follow_category_archives=True,
    post_path_pattern=r"^/(\d+)/$",
    selectors={"date_text": ".entry-header .posted-on"},
)
