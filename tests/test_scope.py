"""The same-site policy (crawler/scope.py) and the downloader gate that enforces it."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.middlewares import SameSiteMiddleware
from crawler.scope import off_site_reason, origin, same_origin
from crawler.spiders.wordpress import WordPressSpider

BASE = "https://lsr.com.la"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://LSR.com.la./2709/", ("https", "lsr.com.la", 443)),
        ("http://127.0.0.1:8080/x", ("http", "127.0.0.1", 8080)),
        ("http://[::1]/", ("http", "::1", 80)),
        ("file:///etc/passwd", None),
        ("javascript:alert(1)", None),
        ("ftp://lsr.com.la/", None),
        ("http://lsr.com.la:99999/", None),  # a port out of range
        ("http:///nohost", None),
    ],
)
def test_origin(url: str, expected) -> None:
    assert origin(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"{BASE}/2709/", None),
        ("https://lsr.com.la:443/?p=1", None),  # the default port, spelled out
        ("https://www.lsr.com.la/1/", None),  # an extra host of the profile
        ("http://lsr.com.la/1/", "origin http://lsr.com.la:80 is not the site's"),
        ("https://lsr.com.la:8443/1/", "origin https://lsr.com.la:8443 is not the site's"),
        ("https://evil.la/", "origin https://evil.la:443 is not the site's"),
        ("https://lsr.com.la.evil.la/", "origin https://lsr.com.la.evil.la:443 is not the site's"),
        ("http://www.lsr.com.la/1/", "origin http://www.lsr.com.la:80 is not the site's"),
        ("file://lsr.com.la/etc/passwd", "scheme file is not http(s)"),
        ("javascript:alert(1)", "scheme javascript is not http(s)"),
        ("data:text/html,hi", "scheme data is not http(s)"),
        ("//lsr.com.la/x", "scheme none is not http(s)"),
    ],
)
def test_off_site_reason(url: str, reason: str | None) -> None:
    assert off_site_reason(url, BASE, ["www.lsr.com.la"]) == reason
    assert same_origin(url, BASE, ["www.lsr.com.la"]) is (reason is None)


def _spider(tmp_path, **settings) -> tuple:
    crawler = get_crawler(
        WordPressSpider, {"CORPUS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}", **settings}
    )
    crawler.spider = crawler._create_spider(base_url="http://news.test:8000")
    return crawler, SameSiteMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    "url",
    [
        "file:///dev/zero?rest_route=/wp/v2/posts",
        "http://news.test:8001/wp-json/",
        "http://www.news.test:8000/",
        "https://news.test:8000/",
        "data:text/plain,x",
    ],
)
def test_the_gate_refuses_every_other_origin_even_with_dont_filter(tmp_path, url: str) -> None:
    crawler, gate = _spider(tmp_path)
    with pytest.raises(IgnoreRequest, match=r"^off-site: "):
        gate.process_request(Request(url, dont_filter=True))
    assert crawler.stats.get_value("corpus/offsite_refused") == 1


def test_the_gate_lets_the_site_and_its_extra_hosts_through(tmp_path) -> None:
    _, gate = _spider(tmp_path, CORPUS_EXTRA_HOSTS=["www.news.test"])
    for url in ("http://news.test:8000/", "http://www.news.test:8000/?p=1"):
        assert gate.process_request(Request(url, dont_filter=True)) is None
