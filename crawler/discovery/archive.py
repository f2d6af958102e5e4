"""HTML archives: the post links of a listing page and its "next"/"older posts" link."""

from __future__ import annotations

from scrapy.http import Response

# Title links of the listed posts: post_class() marks each with "post-ID" (as class or id);
# block themes list them in a Query Loop, each title a ``wp-block-post-title``.
POST_LINKS = (
    "article[class*='post-'] h1 a::attr(href), article[class*='post-'] h2 a::attr(href), "
    "article[class*='post-'] h3 a::attr(href), article[id^='post-'] h2 a::attr(href), "
    ".entry-title a::attr(href), .post-title a::attr(href), a[rel='bookmark']::attr(href), "
    ".wp-block-post .wp-block-post-title a::attr(href)"
)
NEXT_PAGE = (
    "a.next.page-numbers::attr(href), link[rel='next']::attr(href), a[rel='next']::attr(href), "
    ".nav-previous a::attr(href), .nav-links .older a::attr(href), "
    "a.wp-block-query-pagination-next::attr(href)"
)


def post_links(response: Response) -> list[str]:
    """Links of the posts listed on an archive page (title links of ``post_class`` articles)."""
    # A dict keeps page order and deduplicates in linear time (a list's ``in`` made a page of
    # 200,000 links take minutes).
    links = (response.urljoin(href).split("#", 1)[0] for href in response.css(POST_LINKS).getall())
    return list(dict.fromkeys(links))


def next_page(response: Response) -> str | None:
    href = response.css(NEXT_PAGE).get()
    return response.urljoin(href) if href else None
