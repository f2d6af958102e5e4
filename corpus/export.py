"""Reading posts out of the corpus for researchers: filtered, streamed in id order.

Rows are fetched in keyset-paginated batches, so exporting a large corpus keeps memory flat.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from corpus.models import Post, PostTerm, Term

EXPORT_FIELDS = (
    "url",
    "site",
    "post_id",
    "title",
    "author",
    "published_at",
    "modified_at",
    "categories",
    "tags",
    "text",
    "language",
    "content_hash",
    "duplicate_of",
    "word_count",
    "first_seen_at",
    "last_seen_at",
)
_TIME_FIELDS = ("published_at", "modified_at", "first_seen_at", "last_seen_at")


@dataclass(frozen=True)
class PostFilter:
    site: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    exclude_duplicates: bool = False


_COLUMNS = tuple(f for f in EXPORT_FIELDS if f not in ("categories", "tags", "duplicate_of"))


def iter_posts(
    engine: Engine, filters: PostFilter = PostFilter(), batch_size: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every matching post as a dict of :data:`EXPORT_FIELDS`, in ascending id order."""
    original = aliased(Post)
    query = (
        select(Post.id, *(getattr(Post, c) for c in _COLUMNS), original.url.label("duplicate_of"))
        .outerjoin(original, Post.duplicate_of_id == original.id)
        .order_by(Post.id)
        .limit(batch_size)
    )
    if filters.site:
        query = query.where(Post.site == filters.site)
    if filters.since:
        query = query.where(Post.published_at >= filters.since)
    if filters.until:
        query = query.where(Post.published_at < filters.until)
    if filters.exclude_duplicates:
        query = query.where(Post.duplicate_of_id.is_(None))
    last_id = 0
    while True:
        with engine.connect() as connection:
            rows = connection.execute(query.where(Post.id > last_id)).all()
            if not rows:
                return
            terms = _terms_of(connection, [row.id for row in rows])
        for row in rows:
            yield _as_record(row._mapping, terms.get(row.id, {}))
        last_id = rows[-1].id


def _terms_of(connection, post_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    rows = connection.execute(
        select(PostTerm.post_id, Term.taxonomy, Term.name)
        .join(Term, Term.id == PostTerm.term_id)
        .where(PostTerm.post_id.in_(post_ids))
        .order_by(PostTerm.post_id, PostTerm.position)
    ).all()
    terms: dict[int, dict[str, list[str]]] = {}
    for post_id, taxonomy, name in rows:
        terms.setdefault(post_id, {}).setdefault(taxonomy, []).append(name)
    return terms


def _as_record(row: Mapping[str, Any], terms: dict[str, list[str]]) -> dict[str, Any]:
    record = {field: row.get(field) for field in EXPORT_FIELDS}
    record["categories"] = terms.get("category", [])
    record["tags"] = terms.get("tag", [])
    for field in _TIME_FIELDS:
        if record[field] is not None:
            record[field] = record[field].isoformat()
    return record


def write_jsonl(
    records: Iterator[dict[str, Any]], output: TextIO, fields: tuple[str, ...] = EXPORT_FIELDS
) -> int:
    """One JSON object per line, UTF-8 Lao kept as is; returns the number of lines."""
    count = 0
    for record in records:
        output.write(json.dumps({f: record[f] for f in fields}, ensure_ascii=False))
        output.write("\n")
        count += 1
    return count


def export_jsonl(engine: Engine, path: Path, filters: PostFilter = PostFilter()) -> int:
    """Write to a temporary file and rename, so a failed export never leaves half a file."""
    temporary = path.with_name(path.name + ".partial")
    with temporary.open("w", encoding="utf-8") as output:
        count = write_jsonl(iter_posts(engine, filters), output)
    temporary.replace(path)
    return count
