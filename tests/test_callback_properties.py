"""Random bytes as post pages, REST bodies and sitemaps: a callback never crashes, and what
reaches the corpus is a valid post or a reject.

The spider is the real one, built by Scrapy (``get_crawler``) over a throw-away SQLite corpus;
the responses are Scrapy's own classes around arbitrary bodies, and every post a callback
yields goes through the real clean and validate pipelines, as in a crawl.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import Post, Reject, Seen
from crawler.scope import same_origin
from crawler.spiders.wordpress import WordPressSpider
from pipelines.clean import CleanPipeline
from pipelines.validate import ValidatePipeline

BASE = "https://news.example"  # never contacted: responses are built in the test
ROOT = f"{BASE}/wp-json/"
LIMIT = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
# What a hostile REST listing may hold: records with the right keys and any values.
rest_records = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            key: json_values
            for key in ("id", "link", "title", "content", "date_gmt", "modified_gmt", "author")
        },
    )
    | json_values,
    max_size=4,
)
html_parts = st.sampled_from(
    [
        "<article id='post-7' class='post-7 hentry'>",
        "<h1 class='entry-title'>ກ",
        "<div class='entry-content'><p>ຂໍ້ຄວາມ ",
        "<time class='published' datetime='2024-02-30T99:00'>",
        "<time class='entry-date published' datetime='2024-01-02T03:04:05+07:00'>",
        "<a rel='category tag' href='javascript:x'>",
        "<div class='page-links'><a href='file:///etc/passwd'>2</a>",
        '<script type=\'application/ld+json\'>{"@type":"NewsArticle","author":[{}]}',
        "</div>",
        "</article>",
        "\x00",
        "&#0;&#xD800;",
        "<link rel='canonical' href='http://other.example/x'>",
    ]
)
pages = st.one_of(
    st.binary(max_size=3000),
    st.lists(html_parts | st.text(max_size=20), max_size=30).map(lambda p: "".join(p).encode()),
)


@pytest.fixture(scope="module")
def spider() -> WordPressSpider:
    folder = Path(tempfile.mkdtemp(prefix="lnc-props-"))
    crawler = get_crawler(
        WordPressSpider,
        settings_dict={"CORPUS_DATABASE_URL": f"sqlite:///{folder / 'corpus.sqlite'}"},
    )
    crawler.spider = crawler._create_spider(base_url=BASE)
    return crawler.spider


def _drain(spider: WordPressSpider, outputs) -> None:
    """Run what a callback yields as the engine would; check every item reaching the store."""
    clean = CleanPipeline()
    validate = ValidatePipeline.from_crawler(spider.crawler)
    for output in outputs:
        assert isinstance(output, Request | Post | Reject | Seen), type(output)
        if isinstance(output, Post):
            checked = validate.process_item(clean.process_item(output))
            if isinstance(checked, Post):
                _assert_valid(checked)
            else:
                assert isinstance(checked, Reject) and checked["reason"]


def _assert_valid(post: Post) -> None:
    fields = ItemAdapter(post)
    assert isinstance(fields["title"], str) and fields["title"].strip()
    assert isinstance(fields["text"], str) and fields["text"].strip()
    assert "\x00" not in fields["text"] + fields["title"]
    published = fields["published_at"]
    assert isinstance(published, datetime) and published.tzinfo is not None
    assert same_origin(fields["url"], BASE), fields["url"]
    post_id = fields.get("post_id")
    assert post_id is None or (type(post_id) is int and 0 < post_id < 2**63)
    for name in ("authors", "categories", "tags"):
        assert all(isinstance(value, str) for value in fields.get(name) or [])


@LIMIT
@given(body=pages)
def test_any_post_page_becomes_a_valid_post_or_a_reject(spider, body: bytes) -> None:
    url = f"{BASE}/7/"
    response = HtmlResponse(url, body=body, request=Request(url, callback=spider.parse_post))
    _drain(spider, spider.parse_post(response))


@LIMIT
@given(records=rest_records, raw=st.binary(max_size=500), use_raw=st.booleans())
def test_any_rest_listing_becomes_valid_posts_or_rejects(
    spider, records, raw: bytes, use_raw: bool
) -> None:
    url = f"{ROOT}wp/v2/posts?page=2"
    body = raw if use_raw else json.dumps(records).encode()
    request = Request(url, meta={"page": 2, "pages": 3, "root": ROOT})
    response = TextResponse(
        url, body=body, headers={"Content-Type": "application/json"}, request=request
    )
    _drain(spider, spider.parse_rest_posts(response))


@LIMIT
@given(body=st.binary(max_size=3000) | st.text(max_size=300).map(str.encode))
def test_any_sitemap_body_never_crashes(spider, body: bytes) -> None:
    url = f"{BASE}/wp-sitemap-posts-post-1.xml"
    prefix = b'<?xml version="1.0"?><urlset><url><loc>'
    for candidate in (body, prefix + body):
        response = XmlResponse(url, body=candidate, request=Request(url))
        _drain(spider, spider.parse_sitemap(response))


def test_a_well_formed_page_passes_the_same_checks(spider) -> None:
    """The checks above accept a real post: they are not vacuous."""
    url = f"{BASE}/7/"
    body = (
        "<html><body class='single postid-7'><article id='post-7' class='post-7 hentry'>"
        "<h1 class='entry-title'>ຂ່າວ</h1><time class='entry-date published' "
        "datetime='2024-01-02T03:04:05+07:00'>2 Jan</time>"
        "<div class='entry-content'><p>ຂໍ້ຄວາມ ພາສາລາວ</p></div></article></body></html>"
    ).encode()
    response = HtmlResponse(url, body=body, request=Request(url), encoding="utf-8")
    (post,) = spider.parse_post(response)
    checked = ValidatePipeline.from_crawler(spider.crawler).process_item(
        CleanPipeline().process_item(post)
    )
    assert isinstance(checked, Post)
    _assert_valid(checked)
    assert (checked["post_id"], checked["title"], checked["text"]) == (7, "ຂ່າວ", "ຂໍ້ຄວາມ ພາສາລາວ")
