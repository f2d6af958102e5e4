"""The post schema is declared once (schema/), and every layer agrees with it."""

from __future__ import annotations

from corpus.models import Post as PostRow
from corpus.writer import record_hash
from crawler.items import Post
from schema import COLUMNS, EXPORT_FIELDS, ITEM_FIELDS, POST_FIELDS, RECORD_FIELDS

# posts columns that are the corpus's bookkeeping, not fields of a post
BOOKKEEPING = {
    "id", "record_hash", "char_count", "duplicate_of_id", "first_run_id", "last_run_id",
    "verified_at",
}  # fmt: skip


def test_every_field_is_declared_once() -> None:
    names = [field.name for field in POST_FIELDS]
    assert len(names) == len(set(names))


def test_the_table_holds_exactly_the_stored_fields_and_the_bookkeeping() -> None:
    """A new posts column is declared in schema/ (or named bookkeeping here), and a field
    declared stored has its column: the migrations build the models (test_migrations)."""
    assert set(PostRow.__table__.columns.keys()) == set(COLUMNS) | BOOKKEEPING


def test_the_item_carries_the_item_fields() -> None:
    assert set(Post.fields) == set(ITEM_FIELDS)
    assert {"duplicate_of", "first_seen_at", "gone_at"}.isdisjoint(Post.fields)  # corpus-made


def test_a_change_in_a_hashed_field_changes_the_record_hash_and_nothing_else_does() -> None:
    post = {
        "url": "https://lsr.com.la/1/", "post_id": 1, "title": "ຂ່າວ", "author": "ສົມຈັນ",
        "published_at": None, "modified_at": None, "categories": ["ຂ່າວ"], "tags": [],
        "text": "ຂໍ້ຄວາມ", "language": "lo", "content_hash": "a", "word_count": 1,
        "body_html": "<p>ຂໍ້ຄວາມ</p>", "fetched_url": "https://lsr.com.la/?p=1",
    }  # fmt: skip
    base = record_hash(post)
    for name in post:
        changed = {**post, name: ["changed"] if isinstance(post[name], list) else "changed"}
        assert (record_hash(changed) != base) is (name in RECORD_FIELDS), name


def test_exports_are_typed_and_described() -> None:
    exported = [field for field in POST_FIELDS if field.name in EXPORT_FIELDS]
    assert all(field.parquet and field.description for field in exported)
    assert EXPORT_FIELDS[:2] == ("url", "site")  # the order researchers' files have


def test_every_run_counter_has_its_column_in_runs_and_worker_shares() -> None:
    from corpus.models import CrawlRun, CrawlRunWorker
    from schema import COUNTER_COLUMNS

    for table in (CrawlRun, CrawlRunWorker):
        assert set(COUNTER_COLUMNS) <= set(table.__table__.columns.keys()), table.__name__


def test_the_store_counts_what_the_writer_reports() -> None:
    from dataclasses import fields

    from corpus.writer import BatchResult
    from schema import BATCH_COUNTERS

    assert {c.batch for c in BATCH_COUNTERS} <= {f.name for f in fields(BatchResult)}
