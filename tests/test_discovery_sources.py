"""Unit tests of each discovery source of the spider and its fallback chain, on sample-site
pages rendered in process (testing.samplesite.routes.Router), against the sample site's own data.

The spider is the real one, built by Scrapy (``get_crawler``) over a throw-away SQLite corpus;
end-to-end crawls reach the same code, these say which source broke, in milliseconds.
"""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.items import Reject
from crawler.spiders.wordpress import WordPressSpider
from testing.samplesite.content import PER_PAGE, SampleSite
from testing.samplesite.faces import DEFAULT_FACE, Links
from testing.samplesite.routes import Router

BASE = "http://news.test:8000"  # never contacted: the router answers in process


class NoHeaders:
    def get(self, name: str, default: None = None, /) -> None:
        return None


@pytest.fixture(scope="module")
def site() -> tuple[SampleSite, Router, Links]:
    sample = SampleSite(posts=120, seed=1)
    return sample, Router(sample), Links.of(BASE, DEFAULT_FACE)


@pytest.fixture
def spider(tmp_path) -> WordPressSpider:
    crawler = get_crawler(
        WordPressSpider, {"CORPUS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}"}
    )
    crawler.spider = crawler._create_spider(base_url=BASE)
    return crawler.spider


def answer(router: Router, request: Request, kind: type[TextResponse] = HtmlResponse) -> Response:
    """The sample site's answer to ``request``, as Scrapy would hand it to the callback."""
    target = request.url.removeprefix(BASE)
    got = router.handle(target, NoHeaders(), BASE)
    headers = [*got.headers, ("Content-Type", got.content_type or "")]
    return kind(request.url, status=got.status, headers=headers, body=got.body, request=request)


def requests_of(output) -> list[Request]:
    return [thing for thing in output if isinstance(thing, Request)]


def post_urls(output) -> list[str]:
    return [r.url for r in requests_of(output) if r.callback.__name__ == "parse_post"]


def http_failure(request: Request, status: int) -> Failure:
    failure = Failure(HttpError(Response(request.url, status=status, request=request)))
    failure.request = request  # as Scrapy's errback call sets it
    return failure


# -- the fallback chain ----------------------------------------------------------------------


def test_the_chain_starts_with_rest_and_carries_the_sources_left_in_meta(spider) -> None:
    first = spider.next_source("starting")  # what start() yields
    assert [r.url for r in first] == [f"{BASE}/"]
    assert first[0].meta["mode"] == "rest"
    assert first[0].meta["modes_left"] == ["sitemap", "feed", "archive"]


def test_a_failed_probe_tries_its_alternative_then_the_next_source(spider) -> None:
    spider.modes_left = ["feed", "archive"]
    probe = next(iter(spider._start_sitemap()))
    assert (probe.url, probe.meta["alternatives"]) == (
        f"{BASE}/wp-sitemap.xml",
        [f"{BASE}/?sitemap=index"],
    )
    [retry] = spider.probe_failed(http_failure(probe, 404))
    assert (retry.url, retry.meta["alternatives"]) == (f"{BASE}/?sitemap=index", [])
    [feed_probe] = spider.probe_failed(http_failure(retry, 404))
    assert (feed_probe.url, feed_probe.meta["mode"]) == (f"{BASE}/feed/", "feed")
    assert feed_probe.meta["modes_left"] == ["archive"]


def test_the_chain_follows_the_probe_meta_not_the_process_that_made_it(spider) -> None:
    """A distributed worker gets a probe another worker made: its meta says what is left."""
    probe = spider._probe(f"{BASE}/feed/", spider.parse_feed, [], "feed")
    probe.meta["modes_left"] = ["archive"]
    spider.modes_left = []  # this process never started the chain
    archive_pages = list(spider.probe_failed(http_failure(probe, 403)))
    assert [(r.url, r.meta["mode"]) for r in archive_pages] == [(f"{BASE}/", "archive")]
    assert spider.crawler.stats.get_value("corpus/discovery") is None


def test_no_source_left_sets_discovery_none(spider) -> None:
    spider.modes_left = []
    assert spider.next_source("feed unavailable (HTTP 404)") == []
    assert spider.crawler.stats.get_value("corpus/discovery") == "none"


# -- REST ------------------------------------------------------------------------------------


def test_the_rest_source_finds_the_api_and_lists_the_newest_posts_a_page_at_a_time(
    spider, site
) -> None:
    sample, router, links = site
    [home] = spider.next_source("starting")
    [index] = spider.parse_rest_home(answer(router, home))
    assert index.meta["roots"] == [f"{BASE}/wp-json/", f"{BASE}/?rest_route=/"]
    assert index.meta["modes_left"] == ["sitemap", "feed", "archive"]  # the chain goes on
    [listing] = spider.parse_rest_index(answer(router, index, TextResponse))
    assert listing.callback.__name__ == "parse_rest_posts"
    output = list(spider.parse_rest_posts(answer(router, listing, TextResponse)))
    newest = sample.newest[:100]
    items = [thing for thing in output if not isinstance(thing, Request)]
    assert [item["post_id"] for item in items] == [post.id for post in newest]
    assert [item["url"] for item in items] == [links.post(post.id) for post in newest]
    [page_two] = requests_of(output)
    assert (page_two.meta["page"], page_two.meta["root"]) == (2, f"{BASE}/wp-json/")
    assert spider.crawler.stats.get_value("corpus/discovery") == "rest"


# -- sitemaps ----------------------------------------------------------------------------------


def test_the_sitemap_source_lists_exactly_the_sites_posts(spider, site) -> None:
    sample, router, links = site
    probe = next(iter(spider._start_sitemap()))
    [child] = requests_of(spider.parse_sitemap(answer(router, probe, XmlResponse)))
    assert child.url == f"{BASE}/wp-sitemap-posts-post-1.xml"  # posts only, not pages or terms
    assert child.meta["corpus_sitemap_depth"] == 2
    assert spider.crawler.stats.get_value("corpus/discovery") == "sitemap"
    urls = post_urls(spider.parse_sitemap(answer(router, child, XmlResponse)))
    assert len(urls) == len(set(urls)) == 120
    assert set(urls) == {links.post(post.id) for post in sample.posts}


def test_a_probe_that_is_no_sitemap_moves_on(spider, site) -> None:
    _, router, _ = site
    spider.modes_left = ["feed"]
    probe = spider._probe(f"{BASE}/", spider.parse_sitemap, [], "sitemap")
    [feed_probe] = spider.parse_sitemap(answer(router, probe, XmlResponse))
    assert feed_probe.url == f"{BASE}/feed/"


# -- feeds -----------------------------------------------------------------------------------


def test_the_feed_source_lists_the_newest_posts_and_asks_for_the_next_page(spider, site) -> None:
    sample, router, links = site
    probe = next(iter(spider._start_feed()))
    output = list(spider.parse_feed(answer(router, probe, XmlResponse)))
    assert post_urls(output) == [links.post(post.id) for post in sample.newest[:PER_PAGE]]
    [next_page] = [r for r in requests_of(output) if r.callback.__name__ == "parse_feed"]
    assert next_page.url == f"{BASE}/feed/?paged=2"
    assert (next_page.meta["feed_page"], next_page.meta["feed_url"]) == (2, f"{BASE}/feed/")
    page_two = post_urls(spider.parse_feed(answer(router, next_page, XmlResponse)))
    assert page_two == [links.post(post.id) for post in sample.newest[PER_PAGE : 2 * PER_PAGE]]


def test_a_feed_that_ignores_paged_ends_at_its_first_repeat(spider, site) -> None:
    _, router, _ = site
    probe = next(iter(spider._start_feed()))
    list(spider.parse_feed(answer(router, probe, XmlResponse)))
    again = Request(f"{BASE}/feed/", meta={"feed_page": 2, "feed_url": f"{BASE}/feed/"})
    assert list(spider.parse_feed(answer(router, again, XmlResponse))) == []


# -- HTML archives -----------------------------------------------------------------------------


def test_the_archive_source_lists_a_page_and_follows_its_pagination(spider, site) -> None:
    sample, router, links = site
    [home] = spider._start_archive()
    output = list(spider.parse_archive(answer(router, home)))
    assert post_urls(output) == [links.post(post.id) for post in sample.newest[:PER_PAGE]]
    [next_page] = [r for r in requests_of(output) if r.callback.__name__ == "parse_archive"]
    assert next_page.url == f"{BASE}/page/2/"
    assert next_page.meta["corpus_listing"] == f"{BASE}/"
    assert spider.crawler.stats.get_value("corpus/discovery") == "archive"


def test_an_archive_page_showing_only_posts_already_listed_ends_the_listing(spider, site) -> None:
    _, router, _ = site
    [home] = spider._start_archive()
    list(spider.parse_archive(answer(router, home)))
    trap = Request(f"{BASE}/", meta={"corpus_listing": f"{BASE}/"})  # page 1 again, as "next"
    output = list(spider.parse_archive(answer(router, trap)))
    assert [r for r in requests_of(output) if r.callback.__name__ == "parse_archive"] == []


# -- failures ----------------------------------------------------------------------------------


def test_a_failed_post_page_is_a_reject_under_the_url_the_site_listed(spider) -> None:
    listed = f"{BASE}/7/"
    request = spider._post_request(f"{BASE}/moved/").replace(meta={"redirect_urls": [listed]})
    [reject] = spider.on_error(http_failure(request, 500))
    assert isinstance(reject, Reject)
    assert (reject["url"], reject["stage"], reject["reason"], reject["http_status"]) == (
        listed,
        "fetch",
        "HTTP 500",
        500,
    )
