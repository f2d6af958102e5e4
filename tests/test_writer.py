"""The corpus writer on both backends: identity, updates, reposts, rejects."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from corpus import lao
from corpus.db import init_db
from corpus.export import iter_posts
from corpus.models import Post, Reject
from corpus.writer import CorpusWriter

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
