"""The corpus writer on both backends: identity, updates, reposts, rejects."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from corpus.db import init_db
from corpus.models import Post, Reject
from corpus.writer import CorpusWriter
from publish.export import iter_posts
from text import lao

VTE = ZoneInfo("Asia/Vientiane")
BASE = datetime(2016, 11, 25, 9, 30, tzinfo=VTE)


def post(post_id: int, text: str, *, days: int = 0, title: str = "ຫົວຂໍ້", **extra) -> dict:
    record = {
        "site": "lsr",
        "url": f"https://lsr.com.la/{post_id}/",
        "post_id": post_id,
        "title": title,
        "author": "somchan",
        "published_at": BASE + timedelta(days=days),
        "modified_at": None,
        "categories": ["ຂ່າວ", "ສັງຄົມ"],
        "tags": ["ອາຊຽນ"],
        "body_html": f"<p>{text}</p>",
        "text": text,
        "language": "lo",
        "content_hash": lao.content_hash(text),
        "word_count": lao.word_count(text),
    }
    record.update(extra)
    return record


def duplicates(url: str) -> dict[int, int | None]:
    return {r["post_id"]: r["duplicate_of"] for r in iter_posts(init_db(url))}


def test_repost_points_at_earliest_copy_whatever_the_order(database_url: str) -> None:
    writer = CorpusWriter(init_db(database_url))
    repost, original = post(2800, "ແມ່ນ້ຳຂອງ", days=30), post(2709, "ແມ່ນ້ຳຂອງ")
    first = writer.write([repost])
    second = writer.write([original, post(2710, "ວຽງຈັນ", days=1)])
    assert (first.new, first.duplicate) == (1, 0)
    assert (second.new, second.duplicate) == (2, 1)
    assert duplicates(database_url) == {2800: "https://lsr.com.la/2709/", 2709: None, 2710: None}


def test_rewrite_is_unchanged_and_edit_is_an_update(database_url: str) -> None:
    writer = CorpusWriter(init_db(database_url))
    writer.write([post(1, "ໜຶ່ງ"), post(2, "ສອງ")])
    again = writer.write([post(1, "ໜຶ່ງ"), post(2, "ສອງ", title="ຫົວຂໍ້ໃໝ່")])
    assert (again.new, again.updated, again.unchanged) == (0, 1, 1)
    records = {r["post_id"]: r for r in iter_posts(init_db(database_url))}
    assert records[2]["title"] == "ຫົວຂໍ້ໃໝ່"
    assert records[1]["categories"] == ["ຂ່າວ", "ສັງຄົມ"] and records[1]["tags"] == ["ອາຊຽນ"]


def test_moved_post_keeps_its_row(database_url: str) -> None:
    """Same WordPress ID at a new URL (e.g. http → https) updates the row, never adds one."""
    engine = init_db(database_url)
    writer = CorpusWriter(engine)
    writer.write([post(5, "ຫ້າ", url="http://lsr.com.la/5/")])
    result = writer.write([post(5, "ຫ້າ")])
    assert (result.new, result.updated) == (0, 1)
    with engine.connect() as db:
        assert db.execute(select(Post.url)).scalars().all() == ["https://lsr.com.la/5/"]


def test_reject_is_one_row_per_url_and_cleared_when_the_post_parses(database_url: str) -> None:
    engine = init_db(database_url)
    writer = CorpusWriter(engine)
    reject = {
        "site": "lsr",
        "url": "https://lsr.com.la/7/",
        "stage": "validate",
        "reason": "missing published_at",
        "http_status": 200,
        "raw": {"title": "ເຈັດ"},
    }
    writer.write([], [reject])
    writer.write([], [reject])
    with engine.connect() as db:
        rows = db.execute(select(Reject.url, Reject.times_seen, Reject.raw)).all()
    assert [(r.url, r.times_seen, r.raw) for r in rows] == [
        ("https://lsr.com.la/7/", 2, {"title": "ເຈັດ"})
    ]
    writer.write([post(7, "ເຈັດ")])
    with engine.connect() as db:
        assert db.execute(select(Reject.url)).all() == []


def test_times_come_back_aware_and_equal(database_url: str) -> None:
    writer = CorpusWriter(init_db(database_url))
    modified = BASE + timedelta(hours=5)
    writer.write([post(9, "ເກົ້າ", modified_at=modified)])
    record = next(iter_posts(init_db(database_url)))
    assert datetime.fromisoformat(record["published_at"]) == BASE
    assert datetime.fromisoformat(record["modified_at"]) == modified
    assert record["published_at"] == "2016-11-25T02:30:00+00:00"


# -- one bad post never loses its batch --------------------------------------------------------

Y1 = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=7)))
BAD_POSTS = {  # the cases: (changes, fails on SQLite too)
    101: ({"post_id": 10**23}, True),
    102: ({"post_id": "abc"}, True),
    103: ({"post_id": 2**70}, True),
    104: ({"post_id": 7.5}, True),  # never stored as post 7 (or 8)
    105: ({"published_at": Y1}, True),
    106: ({"author": "ກ" * 300}, False),  # PostgreSQL: varchar(255)
    107: ({"url": "https://lsr.com.la/" + "ກ" * 3000}, False),  # varchar(2048)
    108: ({"author": "som\x00chan"}, False),  # PostgreSQL refuses NUL in text
}


def stored_rows(engine) -> dict[str, tuple]:
    with engine.connect() as db:
        rows = db.execute(select(Post.url, Post.post_id, Post.title, Post.author)).all()
    return {row.url: tuple(row) for row in rows}


def test_a_batch_with_bad_posts_stores_every_neighbour(database_url: str) -> None:
    engine = init_db(database_url)
    writer = CorpusWriter(engine)
    writer.write([post(7, "ເຈັດ")])
    before = stored_rows(engine)
    postgres = engine.dialect.name == "postgresql"
    batch, bad_urls, numbers = [], [], {}
    for number in range(100, 110):
        changes, everywhere = BAD_POSTS.get(number, ({}, False))
        record = {**post(number, f"ຂໍ້ຄວາມ {number}"), **changes}
        batch.append(record)
        numbers[record["url"][:2048]] = number
        if number in BAD_POSTS and (everywhere or postgres):
            bad_urls.append(record["url"])
    result = writer.write(batch)

    assert result.accounted == len(batch) and result.lost == 0
    assert result.store_rejected == result.rejected == len(bad_urls)
    assert result.new == len(batch) - len(bad_urls)
    stored = stored_rows(engine)
    assert stored["https://lsr.com.la/7/"] == before["https://lsr.com.la/7/"]  # 7.5 is not 7
    assert sorted(stored) == sorted(
        {"https://lsr.com.la/7/"} | {r["url"] for r in batch} - set(bad_urls)
    )
    with engine.connect() as db:
        rejects = {r.url: r for r in db.execute(select(Reject))}
    assert sorted(rejects) == sorted(u[:2048] for u in bad_urls)  # exactly one per bad post
    assert {r.stage for r in rejects.values()} == {"store"}
    reasons = {numbers[url]: r.reason for url, r in rejects.items()}
    refused = "database refused the post: "
    assert reasons[101] == (
        refused + "ValueError: post_id 100000000000000000000000 is not a 64-bit integer"
    )
    assert reasons[102] == refused + "ValueError: post_id 'abc' is not a 64-bit integer"
    assert reasons[103] == (
        refused + "ValueError: post_id 1180591620717411303424 is not a 64-bit integer"
    )
    assert reasons[104] == refused + "ValueError: post_id 7.5 is not a 64-bit integer"
    assert reasons[105] == refused + "OverflowError: date value out of range"
    if postgres:
        assert reasons[106] == (
            refused + "StringDataRightTruncation: value too long for type character varying(255)"
        )
        assert reasons[107] == (
            refused + "StringDataRightTruncation: value too long for type character varying(2048)"
        )
        assert reasons[108].startswith(refused + "DataError: ") and "NUL" in reasons[108]
        assert rejects[batch[7]["url"][:2048]].raw["url"] == batch[7]["url"]  # kept whole in raw
        assert "\x00" not in str(rejects[batch[8]["url"]].raw)
    assert all("\n" not in r.reason for r in rejects.values())


# -- site-scoped identity ----------------------------------------------------------------------


def test_a_site_cannot_touch_another_sites_rows_even_at_its_urls(database_url: str) -> None:
    engine = init_db(database_url)
    writer = CorpusWriter(engine)
    writer.write([post(1, "ໜຶ່ງ"), post(2, "ສອງ", days=5)])
    writer.write([], [{"site": "lsr", "url": "https://lsr.com.la/9/", "stage": "fetch",
                       "reason": "HTTP 500", "http_status": 500, "raw": {}}])  # fmt: skip
    with engine.connect() as db:
        before = [tuple(r) for r in db.execute(select(Post).order_by(Post.id)).all()]
        reject_before = [tuple(r) for r in db.execute(select(Reject)).all()]

    # Site B claims A's URLs and IDs, A's text with an earlier date, and A's dead link.
    hostile = [post(1, "ໃໝ່", site="mirror", title="ປອມ"), post(2, "ສອງ", days=-100, site="mirror")]
    result = writer.write(
        hostile,
        [
            {
                "site": "mirror",
                "url": "https://lsr.com.la/2/",
                "stage": "fetch",
                "reason": "HTTP 404",
                "http_status": 404,
                "raw": {},
            },
            {
                "site": "mirror",
                "url": "https://lsr.com.la/9/",
                "stage": "fetch",
                "reason": "HTTP 403",
                "http_status": 403,
                "raw": {},
            },
        ],
    )
    counts = (result.new, result.updated, result.gone, result.rejected, result.absorbed)
    assert counts == (2, 0, 1, 1, 1)
    assert result.duplicate == 0  # A's text, yet no repost across sites
    assert writer.mark_seen("mirror", post_ids=[1, 2], urls=["https://lsr.com.la/2/"]) == 2
    with engine.connect() as db:
        after = [tuple(r) for r in db.execute(select(Post).where(Post.site == "lsr")).all()]
        reject_after = [tuple(r) for r in db.execute(select(Reject).where(Reject.site == "lsr"))]
        mirror = db.execute(
            select(Post.url, Post.post_id, Post.title, Post.duplicate_of_id)
            .where(Post.site == "mirror")
            .order_by(Post.post_id)
        ).all()
    assert after == before and reject_after == reject_before
    assert [tuple(r) for r in mirror] == [
        ("https://lsr.com.la/1/", 1, "ປອມ", None),
        ("https://lsr.com.la/2/", 2, "ຫົວຂໍ້", None),
    ]


def test_authors_are_stored_and_default_to_author(database_url: str) -> None:
    engine = init_db(database_url)
    writer = CorpusWriter(engine)
    writer.write([post(1, "ໜຶ່ງ", authors=["ນາງ ກ", "ທ້າວ ຂ"], author="ນາງ ກ"), post(2, "ສອງ"),
                  post(3, "ສາມ", author=None)])  # fmt: skip
    records = {r["post_id"]: r["authors"] for r in iter_posts(engine)}
    assert records == {1: ["ນາງ ກ", "ທ້າວ ຂ"], 2: ["somchan"], 3: []}
    again = writer.write([post(1, "ໜຶ່ງ", authors=["ນາງ ກ"], author="ນາງ ກ"), post(2, "ສອງ")])
    assert (again.updated, again.unchanged) == (1, 1)  # a lost co-author is a change
