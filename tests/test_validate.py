"""The validate pipeline: each rule of the table, with the exact reject reason or truncation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from itemadapter import ItemAdapter
from scrapy.utils.test import get_crawler

from corpus.models import Post as PostRow
from corpus.models import Term
from crawler.items import Post, Reject
from crawler.spiders.wordpress import WordPressSpider
from pipelines.clean import CleanPipeline
from pipelines.validate import (
    EARLIEST,
    TITLE_LENGTH,
    Context,
    ValidatePipeline,
    check_post,
    stat_key,
)

BASE = "https://lsr.com.la"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CONTEXT = Context(site="lsr", base_url=BASE, extra_hosts=("www.lsr.com.la",), now=NOW)
VTE = timezone(timedelta(hours=7))


def item(**changes) -> Post:
    fields = {
        "site": "lsr",
        "url": f"{BASE}/2709/",
        "post_id": 2709,
        "title": "ຫົວຂໍ້",
        "author": "somchan",
        "authors": ["somchan"],
        "published_at": datetime(2016, 11, 25, 9, 30, tzinfo=VTE),
        "modified_at": None,
        "categories": ["ຂ່າວ"],
        "tags": ["ອາຊຽນ"],
        "text": "ຂໍ້ຄວາມ",
        "language": "lo",
    }
    fields.update(changes)
    return Post(**{k: v for k, v in fields.items() if v is not ...})


def reason(**changes) -> str | None:
    return check_post(ItemAdapter(item(**changes)), CONTEXT)[0]


def test_a_good_post_passes_untouched() -> None:
    post = item()
    assert check_post(ItemAdapter(post), CONTEXT) == (None, [])
    assert post["title"] == "ຫົວຂໍ້" and post["authors"] == ["somchan"]


@pytest.mark.parametrize(
    ("post_id", "expected"),
    [
        (1, None),
        (2**63 - 1, None),
        (None, None),  # unknown: identified by URL
        (0, "post_id 0 is not a positive 64-bit integer"),
        (-5, "post_id -5 is not a positive 64-bit integer"),
        (2**63, "post_id 9223372036854775808 is not a positive 64-bit integer"),
        (2**70, "post_id 1180591620717411303424 is not a positive 64-bit integer"),
        (10**23, "post_id 100000000000000000000000 is not a positive 64-bit integer"),
        (7.5, "post_id 7.5 is not a positive 64-bit integer"),  # never post 7
        (7.0, "post_id 7.0 is not a positive 64-bit integer"),
        ("abc", "post_id 'abc' is not a positive 64-bit integer"),
        ("7", "post_id '7' is not a positive 64-bit integer"),
        (True, "post_id True is not a positive 64-bit integer"),
    ],
)
def test_post_id_is_a_positive_int64(post_id, expected) -> None:
    assert reason(post_id=post_id) == expected


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (EARLIEST, None),
        (NOW + timedelta(hours=23), None),
        (datetime(1899, 12, 31, 23, tzinfo=UTC), "published_at 1899-12-31T23:00:00+00:00 is "
         "before 1900-01-01"),
        (datetime(1, 1, 1, tzinfo=VTE), "published_at 0001-01-01T00:00:00+07:00 is before "
         "1900-01-01"),
        (NOW + timedelta(days=1, seconds=1), "published_at 2026-12-02T09:00:01+00:00 is more "
         "than 1 day in the future"),
        (datetime(2016, 1, 1), "published_at is not a timezone-aware datetime"),
        ("2016-01-01", "published_at is not a timezone-aware datetime"),
    ],
)  # fmt: skip
def test_published_at_in_a_plausible_range(published, expected) -> None:
    assert reason(published_at=published) == expected


def test_modified_at_follows_the_same_range() -> None:
    assert reason(modified_at=datetime(1, 1, 1, tzinfo=UTC)) == (
        "modified_at 0001-01-01T00:00:00+00:00 is before 1900-01-01"
    )
    assert reason(modified_at=NOW) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{BASE}/2709/", None),
        ("https://www.lsr.com.la/2709/", None),  # an extra host of the site
        ("javascript:alert(1)", "url 'javascript:alert(1)' is off the site: scheme javascript "
         "is not http(s)"),
        ("file:///etc/passwd", "url 'file:///etc/passwd' is off the site: scheme file is not "
         "http(s)"),
        ("https://other.la/2709/", "url 'https://other.la/2709/' is off the site: origin "
         "https://other.la:443 is not the site's"),
        ("https://lsr.com.la:8443/1/", "url 'https://lsr.com.la:8443/1/' is off the site: "
         "origin https://lsr.com.la:8443 is not the site's"),
        (f"{BASE}/{'a' * 3000}/", "url longer than 2048 characters"),
        (["x"], "url is not a string"),
    ],
)  # fmt: skip
def test_url_is_an_http_url_of_the_site(url, expected) -> None:
    assert reason(url=url) == expected


def test_the_post_must_belong_to_the_crawled_site() -> None:
    assert reason(site="other") == "site 'other' is not this crawl's site 'lsr'"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": {"rendered": "x"}}, "title is not a string"),
        ({"author": {"name": "x"}}, "author is not a string"),
        ({"authors": "somchan"}, "authors is not a list of strings"),
        ({"authors": [{"name": "x"}]}, "authors is not a list of strings"),
        ({"categories": [1, 2]}, "categories is not a list of strings"),
        ({"tags": "ອາຊຽນ"}, "tags is not a list of strings"),
        ({"text": ["x"]}, "text is not a string"),
        ({"language": "x" * 17}, "language longer than 16 characters"),
    ],
)
def test_field_types(changes, expected) -> None:
    assert reason(**changes) == expected


def test_required_fields_keep_their_reasons() -> None:
    assert reason(title="") == "missing title"
    assert reason(published_at=None) == "missing published_at"
    assert reason(text="") == "missing text"
    assert reason(text="àº\u0081") == "undecodable text (wrong encoding)"


def test_long_metadata_is_truncated_to_the_columns() -> None:
    name_length = PostRow.__table__.c.author.type.length
    term_length = Term.__table__.c.name.type.length
    assert (name_length, term_length) == (255, 255)
    post = item(
        title="ກ" * 1_000_000,
        author="ຂ" * 300,
        authors=["ຂ" * 300, "somchan"],
        categories=["ຄ" * 256 + "1", "ຄ" * 256 + "2", "ຂ່າວ"],  # one prefix once cut
        tags=["ງ" * 255],
    )
    assert check_post(ItemAdapter(post), CONTEXT) == (
        None,
        ["title", "author", "authors", "categories"],
    )
    assert post["title"] == "ກ" * TITLE_LENGTH and TITLE_LENGTH == 1000
    assert post["author"] == "ຂ" * 255
    assert post["authors"] == ["ຂ" * 255, "somchan"]
    assert post["categories"] == ["ຄ" * 255, "ຂ່າວ"]
    assert post["tags"] == ["ງ" * 255]


def test_author_is_the_first_of_authors() -> None:
    post = item(author=None, authors=["ນາງ ກ", "ທ້າວ ຂ"])
    assert check_post(ItemAdapter(post), CONTEXT) == (None, [])
    assert post["author"] == "ນາງ ກ"


def test_nul_bytes_are_stripped_by_clean_and_wrong_types_survive_it() -> None:
    post = item(
        title="ຫົວ\x00ຂໍ້",
        author="som\x00chan",
        authors=["som\x00chan"],
        categories=["ຂ່າວ\x00"],
        body_html="<p>ຂໍ້\x00ຄວາມ</p>",
    )
    CleanPipeline().process_item(post)
    assert (post["title"], post["author"], post["authors"]) == ("ຫົວຂໍ້", "somchan", ["somchan"])
    assert (post["categories"], post["text"]) == (["ຂ່າວ"], "ຂໍ້ຄວາມ")
    hostile = item(title={"rendered": "x"}, authors=[{"name": "x"}], body_html="<p>ກ</p>")
    CleanPipeline().process_item(hostile)  # no crash: validate rejects it
    assert reason(title={"rendered": "x"}) == "title is not a string"


def test_the_pipeline_turns_a_bad_post_into_a_counted_reject() -> None:
    crawler = get_crawler(settings_dict={"CORPUS_EXTRA_HOSTS": ["www.lsr.com.la"]})
    crawler.spider = WordPressSpider(base_url=BASE, site="lsr")
    pipeline = ValidatePipeline.from_crawler(crawler)
    good = pipeline.process_item(item(url="https://www.lsr.com.la/1/", title="ກ" * 1001))
    assert isinstance(good, Post) and len(good["title"]) == 1000
    bad = pipeline.process_item(item(post_id=7.5, fetched_url=f"{BASE}/7/"))
    assert isinstance(bad, Reject)
    assert (bad["site"], bad["url"], bad["stage"], bad["reason"]) == (
        "lsr",
        f"{BASE}/2709/",
        "validate",
        "post_id 7.5 is not a positive 64-bit integer",
    )
    hostile = pipeline.process_item(item(url="javascript:alert(1)", fetched_url=f"{BASE}/8/"))
    assert hostile["url"] == "javascript:alert(1)"  # what the page claimed, kept for inspection
    stats = crawler.stats.get_stats()
    assert stats["corpus/validate/rejected"] == 2
    assert stats["corpus/rejected/invalid post_id"] == 1
    assert stats["corpus/rejected/invalid url"] == 1
    assert stats["corpus/truncated/title"] == 1


def test_stat_keys_never_carry_the_value() -> None:
    assert stat_key("post_id 10 is not a positive 64-bit integer") == "invalid post_id"
    assert stat_key("missing published_at") == "missing published_at"
    assert stat_key("undecodable text (wrong encoding)") == "undecodable text (wrong encoding)"


def test_truncation_never_splits_a_lao_syllable() -> None:
    title = "ກ" * 999 + "ກີ້" + "ຂ" * 10  # the cut falls inside ກີ້ (3 code points)
    post = item(title=title)
    assert check_post(ItemAdapter(post), CONTEXT) == (None, ["title"])
    assert post["title"] == "ກ" * 999


def test_a_post_needs_a_url() -> None:
    assert reason(url=None) == "missing url"
