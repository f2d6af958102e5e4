"""The discovery sources read what real WordPress serves: core sitemaps, the RSS feed and the
archive pages, in a classic theme and in both block themes, each listing exactly WordPress's
own posts (its ground truth).

WordPress lists a password-protected post like any other; the crawl skips it on its page
(tests/test_realwp_e2e.py), so discovery must list it here.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from crawler.discovery import archive, feed, sitemap
from testing.realwp import Variant, WordPressSite

SITES = [
    Variant("twentytwentyone", "postname"),
    Variant("twentytwentytwo", "date"),
    Variant("twentytwentythree", "post_id"),
]
PARAMS = [
    pytest.param(v, id=v.name, marks=pytest.mark.xdist_group(f"discovery-{v.name}")) for v in SITES
]
pytestmark = pytest.mark.parametrize("realwp_site", PARAMS, indirect=True)


def fetch(url: str, kind: type[TextResponse] = HtmlResponse) -> TextResponse:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return kind(answer.geturl(), body=answer.read(), encoding="utf-8")


def listed(site: WordPressSite) -> set[str]:
    """Every post WordPress shows a visitor a link to: the readable ones and the protected."""
    protected = {a.urls[0] for a in site.truth.absent if a.reason == "password"}
    return {post.url for post in site.truth.posts} | protected


def test_core_sitemaps_list_every_post(realwp_site: WordPressSite) -> None:
    kind, children = sitemap.entries(fetch(f"{realwp_site.base_url}/wp-sitemap.xml", XmlResponse))
    assert kind == "sitemapindex"
    posts = [c["loc"] for c in children if sitemap.is_posts_sitemap(c["loc"])]
    assert posts == [f"{realwp_site.base_url}/wp-sitemap-posts-post-1.xml"]  # not pages, terms
    kind, entries = sitemap.entries(fetch(posts[0], XmlResponse))
    assert kind == "urlset"
    locs = [entry["loc"] for entry in entries]
    assert len(locs) == len(set(locs)) and set(locs) == listed(realwp_site)


def test_feed_pages_list_every_post_newest_first(realwp_site: WordPressSite) -> None:
    links: list[str] = []
    for page in range(1, 10):
        url = feed.page_url(f"{realwp_site.base_url}/feed/", page)
        try:
            found = feed.item_links(fetch(url, XmlResponse))
        except urllib.error.HTTPError as past_the_end:  # WordPress: 404 after the last page
            assert past_the_end.code == 404
            break
        assert len(found) == 10 or page > 1  # posts_per_rss
        links += found
    assert len(links) == len(set(links)) and set(links) == listed(realwp_site)
    published = {post.url: post.published for post in realwp_site.truth.posts}
    readable = [published[link] for link in links if link in published]
    assert readable == sorted(readable, reverse=True)


def test_archive_pages_reach_every_post_sticky_first(realwp_site: WordPressSite) -> None:
    page: str | None = f"{realwp_site.base_url}/"
    pages: list[list[str]] = []
    while page and len(pages) < 10:
        response = fetch(page)
        pages.append(archive.post_links(response))
        page = archive.next_page(response)
    assert len(pages) == 5  # 41 links, 10 a page (the sticky post comes on top of page 1)
    links = [link for listing in pages for link in listing]
    assert set(links) == listed(realwp_site)
    sticky = [post.url for post in realwp_site.truth.posts if post.sticky]
    assert pages[0][: len(sticky)] == sticky
