"""Unit tests of the crawl's small components, each built by Scrapy (``get_crawler``) as a crawl
builds it: the dedup and store pipelines and the downloader middlewares. End-to-end crawls reach
them too; these say which component broke, in milliseconds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from corpus.db import get_engine
from corpus.models import Post as PostRow
from corpus.models import Reject as RejectRow
from crawler.items import Post, Reject
from crawler.middlewares import (
    BackoffRetryMiddleware,
    StreamResumeMiddleware,
    StrictRedirectMiddleware,
    Utf8DetectionMiddleware,
)
from crawler.spiders.wordpress import WordPressSpider
from pipelines.dedup import DedupPipeline
from pipelines.store import StorePipeline
from text import lao

BASE = "http://news.test:8000"
LAO = "ສະບາຍດີ ປີໃໝ່ລາວ"


def crawler_for(tmp_path, **settings):
    crawler = get_crawler(
        WordPressSpider, {"CORPUS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}", **settings}
    )
    crawler.spider = crawler._create_spider(base_url=BASE)
    return crawler


def post(n: int, text: str = LAO) -> Post:
    return Post(
        site="wordpress", url=f"{BASE}/{n}/", post_id=n, title=f"ຂ່າວ {n}", author="ສົມຈັນ",
        authors=["ສົມຈັນ"], published_at=datetime(2024, 5, n, 3, 0, tzinfo=UTC),
        modified_at=None, categories=["ຂ່າວ"], tags=[], body_html=f"<p>{text}</p>", text=text,
        language="lo", word_count=2, fetched_url=f"{BASE}/{n}/", http_status=200,
    )  # fmt: skip


# -- dedup ---------------------------------------------------------------------------------


def test_dedup_hashes_each_post_and_drops_a_second_copy_of_a_url(tmp_path) -> None:
    crawler = crawler_for(tmp_path)
    dedup = DedupPipeline.from_crawler(crawler)
    first = dedup.process_item(post(1))
    assert first["content_hash"] == lao.content_hash(LAO)
    assert dedup.process_item(post(2))["content_hash"] == first["content_hash"]  # a repost
    with pytest.raises(DropItem, match=f"already stored in this crawl: {BASE}/1/"):
        dedup.process_item(post(1))
    assert crawler.stats.get_value("corpus/duplicate_url") == 1
    reject = Reject(url=f"{BASE}/1/", reason="HTTP 404")
    assert dedup.process_item(reject) is reject  # only posts are deduplicated


# -- store ---------------------------------------------------------------------------------


def test_store_writes_posts_and_rejects_in_batches_and_counts_what_the_writer_did(
    tmp_path,
) -> None:
    crawler = crawler_for(tmp_path, CORPUS_BATCH_SIZE=2, CORPUS_FLUSH_SECONDS=3600)
    store = StorePipeline.from_crawler(crawler)
    dedup = DedupPipeline.from_crawler(crawler)
    items = [
        dedup.process_item(post(1)),
        dedup.process_item(post(2, "ຂໍ້ຄວາມອື່ນ")),
        Reject(site="wordpress", url=f"{BASE}/3/", stage="fetch", reason="HTTP 404",
               http_status=404, raw={}),
        dedup.process_item(post(4)),  # the text of post 1: an exact repost
    ]  # fmt: skip

    async def run() -> None:
        for item in items:
            assert await store.process_item(item) is item
        await store.close_spider()

    asyncio.run(run())
    stats = crawler.stats.get_stats()
    assert (stats["corpus/store/posts"], stats["corpus/store/rejects"]) == (3, 1)
    assert (stats["corpus/posts_new"], stats["corpus/rejected"]) == (3, 1)
    assert stats["corpus/posts_duplicate"] == 1
    assert stats["corpus/store/accounted"] == 4  # the no-loss monitor's equation holds
    with get_engine(f"sqlite:///{tmp_path / 'c.sqlite'}").connect() as db:
        rows = db.execute(select(PostRow.url, PostRow.duplicate_of_id).order_by(PostRow.id))
        by_url = {url: duplicate for url, duplicate in rows}
        ids = dict(db.execute(select(PostRow.url, PostRow.id)).all())
        assert by_url == {f"{BASE}/1/": None, f"{BASE}/2/": None, f"{BASE}/4/": ids[f"{BASE}/1/"]}
        assert db.execute(select(RejectRow.url, RejectRow.reason)).all() == [
            (f"{BASE}/3/", "HTTP 404")
        ]


def test_store_passes_other_items_through_untouched(tmp_path) -> None:
    store = StorePipeline.from_crawler(crawler_for(tmp_path))
    other = {"kind": "not a corpus item"}

    async def run() -> object:
        passed = await store.process_item(other)
        await store.close_spider()
        return passed

    assert asyncio.run(run()) is other


# -- downloader middlewares ----------------------------------------------------------------


def test_a_page_declared_legacy_but_utf8_is_read_as_utf8(tmp_path) -> None:
    crawler = crawler_for(tmp_path)
    middleware = Utf8DetectionMiddleware.from_crawler(crawler)
    html = f"<html><body><p>{LAO}</p></body></html>".encode()
    declared = HtmlResponse(
        f"{BASE}/1/", body=html, headers={"Content-Type": "text/html; charset=windows-874"}
    )
    assert LAO not in declared.text  # what Scrapy alone would store: mojibake
    fixed = middleware.process_response(Request(declared.url), declared)
    assert LAO in fixed.text
    assert crawler.stats.get_value("corpus/encoding_corrected") == 1
    thai = HtmlResponse(  # really windows-874 (Thai bytes, not UTF-8): left alone
        f"{BASE}/2/",
        body="<p>สวัสดี</p>".encode("cp874"),
        headers={"Content-Type": "text/html; charset=windows-874"},
    )
    assert middleware.process_response(Request(thai.url), thai) is thai
    assert crawler.stats.get_value("corpus/encoding_corrected") == 1


def test_retry_waits_what_the_server_asks_capped_else_backs_off(tmp_path) -> None:
    crawler = crawler_for(tmp_path, RETRY_AFTER_MAX=30, RETRY_BACKOFF_BASE=0.5)
    retry = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request(f"{BASE}/1/")

    def answer(retry_after: str) -> Response:
        return Response(request.url, status=503, headers={"Retry-After": retry_after})

    assert retry.delay(request, answer("5")) == 5.0
    assert retry.delay(request, answer("600")) == 30.0
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    assert 15 <= retry.delay(request, answer(soon)) <= 20
    third = request.replace(meta={"retry_times": 2})  # 0.5 s * 2**2, ±20 % jitter
    assert 1.6 <= retry.delay(third, answer("soon")) <= 2.4


def test_redirects_are_followed_on_the_site_only_and_never_in_a_loop(tmp_path) -> None:
    crawler = crawler_for(tmp_path)
    redirects = StrictRedirectMiddleware.from_crawler(crawler)
    request = Request(f"{BASE}/old/")

    def moved(to: str) -> Response:
        return Response(request.url, status=301, headers={"Location": to}, request=request)

    followed = redirects.process_response(request, moved("/new/"))
    assert isinstance(followed, Request) and followed.url == f"{BASE}/new/"
    with pytest.raises(IgnoreRequest, match=r"^redirect off-site to http://evil\.test/"):
        redirects.process_response(request, moved("http://evil.test/"))
    local = moved("file:///etc/passwd")  # never followed: the 301 itself goes on, as an error
    assert redirects.process_response(request, local) is local
    with pytest.raises(IgnoreRequest, match=rf"^redirect loop: {BASE}/old/"):
        redirects.process_response(request, moved(f"{BASE}/old/"))


def test_a_held_stream_is_answered_from_memory(tmp_path) -> None:
    crawler = crawler_for(tmp_path)
    middleware = StreamResumeMiddleware.from_crawler(crawler)
    crawler.spider.streams = {"sitemap-1": object()}
    held = Request(f"{BASE}/wp-sitemap.xml", meta={"stream_key": "sitemap-1"})
    answer = middleware.process_request(held)
    assert isinstance(answer, Response) and answer.flags == ["stream"]
    other = Request(f"{BASE}/wp-sitemap.xml", meta={"stream_key": "sitemap-2"})
    assert middleware.process_request(other) is None  # another worker's: downloaded again
    assert middleware.process_request(Request(f"{BASE}/")) is None
