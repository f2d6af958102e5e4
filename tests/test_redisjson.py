"""The distributed queue's JSON serializer: requests survive it, code never runs from it."""

from __future__ import annotations

import pickle
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import scrapy
from scrapy.http import JsonRequest
from scrapy.utils.request import request_from_dict

from crawler import redisjson
from crawler.items import Post

VTE = ZoneInfo("Asia/Vientiane")


def round_trip(request: scrapy.Request) -> scrapy.Request:
    data = redisjson.dumps(request.to_dict())
    assert isinstance(data, bytes)
    return request_from_dict(redisjson.loads(data))


def test_a_multi_page_post_travels_in_meta() -> None:
    post = Post(
        site="lsr",
        url="http://127.0.0.1:8000/2709/",
        post_id=2709,
        title="ຫົວຂໍ້",
        authors=["ນາງ ກ"],
        published_at=datetime(2016, 11, 25, 9, 30, tzinfo=VTE),
        modified_at=None,
        categories=["ຂ່າວ"],
    )
    request = scrapy.Request(
        "http://127.0.0.1:8000/2709/2/",
        meta={
            "post": post,
            "pages": ["http://127.0.0.1:8000/2709/3/"],
            "page_number": 2,
            "redirect_urls": ["http://127.0.0.1:8000/?p=2709"],
            "span": (1, 2),
        },
        headers={"If-None-Match": '"abc"'},
        body=b"\x00\xff",
        priority=5,
        dont_filter=True,
    )
    back = round_trip(request)
    assert back.meta["post"] == post and isinstance(back.meta["post"], Post)
    assert back.meta["post"]["published_at"] == post["published_at"]  # the same instant
    assert back.meta["span"] == (1, 2) and back.meta["page_number"] == 2
    assert back.headers.getlist("If-None-Match") == [b'"abc"']
    assert (back.url, back.body, back.priority, back.dont_filter) == (
        request.url, b"\x00\xff", 5, True,
    )  # fmt: skip


def test_a_dict_using_a_tag_as_key_stays_a_dict() -> None:
    back = round_trip(scrapy.Request("http://x.la/", meta={"note": {"__bytes": "aGk="}}))
    assert back.meta["note"] == {"__bytes": "aGk="}


def test_json_requests_keep_their_class() -> None:
    back = round_trip(JsonRequest("http://x.la/wp-json/", data={"a": 1}))
    assert type(back) is JsonRequest


def test_what_the_queue_refuses() -> None:
    with pytest.raises(TypeError, match=r"^object cannot be queued in Redis"):
        redisjson.dumps(scrapy.Request("http://x.la/", meta={"x": object()}).to_dict())
    with pytest.raises(ValueError):  # a pickle, as the default serializer would read it
        redisjson.loads(pickle.dumps({"url": "http://x.la/"}))
    hostile = b'{"url":"http://x.la/","_class":"os.system"}'
    with pytest.raises(ValueError, match=r"^request class 'os.system' is not allowed"):
        redisjson.loads(hostile)
    with pytest.raises(ValueError, match=r"^unknown item type 'Evil'"):
        redisjson.loads(b'{"url":"http://x.la/","meta":{"p":{"__item":"Evil","fields":{}}}}')


def test_the_distributed_scheduler_uses_it() -> None:
    from crawler import settings

    assert settings.SCHEDULER_SERIALIZER == "crawler.redisjson"


def test_the_redis_queue_holds_json(redis_url: str, redis_prefix: str) -> None:
    import json

    import redis

    from crawler.distributed import LifoPriorityQueue
    from crawler.spiders.wordpress import WordPressSpider

    server = redis.Redis.from_url(redis_url)
    spider = WordPressSpider(base_url="http://127.0.0.1:8000", site="lsr")
    queue = LifoPriorityQueue(server, spider, f"{redis_prefix}:requests", serializer=redisjson)
    post = Post(url="http://127.0.0.1:8000/7/", title="ເຈັດ", categories=["ຂ່າວ"])
    queue.push(
        scrapy.Request(
            "http://127.0.0.1:8000/7/2/", callback=spider.parse_post_page, meta={"post": post}
        )
    )
    (raw,) = server.zrange(f"{redis_prefix}:requests", 0, -1)
    stored = json.loads(raw)
    assert stored["callback"] == "parse_post_page"
    assert stored["meta"]["post"] == {"__item": "Post", "fields": dict(post)}
    back = queue.pop()
    assert back.meta["post"] == post and back.callback == spider.parse_post_page
