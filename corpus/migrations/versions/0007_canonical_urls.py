"""Stored URLs in their one canonical form: an IRI and its percent-encoded form are one post.

Revision ID: 0007_canonical_urls
Revises: 0006_revisit_verification
Create Date: 2026-12-01

Every ``posts.url`` and ``rejects.url`` is rewritten by :func:`text.urls.canonical_url`
(w3lib's canonicalization, without tracking parameters or the default port). Rows of one
site that now share a URL are one post read through two spellings, and are merged:

- the post kept is the one with a WordPress ID, else the one seen last; it takes the group's
  first sighting and first run;
- the others' revisions, duplicate links and near-duplicate pairs move to it; their terms and
  MinHash signatures go (the kept row has its own);
- two rows with different WordPress IDs are two posts: both stay, the second under its old URL.

Rejects of one URL merge into the one seen last, with their sightings added up. Downgrading
keeps the canonical URLs: every release reads them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from alembic import op

from text.urls import canonical_url

revision = "0007_canonical_urls"
down_revision = "0006_revisit_verification"
branch_labels = None
depends_on = None

posts = sa.table(
    "posts",
    *map(sa.column, ("id", "site", "url", "post_id", "first_seen_at", "last_seen_at")),
    sa.column("first_run_id"),
    sa.column("duplicate_of_id"),
)
rejects = sa.table("rejects", *map(sa.column, ("id", "site", "url", "last_seen_at", "times_seen")))
revisions = sa.table("post_revisions", sa.column("post_id"))
post_terms = sa.table("post_terms", sa.column("post_id"))
signatures = sa.table("minhash_signatures", sa.column("post_id"))
near = sa.table("near_duplicates", sa.column("post_id"), sa.column("original_id"))


def _groups(rows: Iterable[Any]) -> dict[tuple[str, str], list[Any]]:
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        grouped[(row.site, canonical_url(row.url))].append(row)
    return grouped


def _merge_post(db: sa.Connection, kept: Any, gone: Any) -> None:
    for table, column in ((revisions, "post_id"), (posts, "duplicate_of_id")):
        db.execute(table.update().where(table.c[column] == gone.id).values({column: kept.id}))
    for column in ("post_id", "original_id"):
        # A pair of the two spellings would pair the kept post with itself.
        other = "original_id" if column == "post_id" else "post_id"
        db.execute(near.delete().where(near.c[column] == gone.id, near.c[other] == kept.id))
        db.execute(near.update().where(near.c[column] == gone.id).values({column: kept.id}))
    for table in (post_terms, signatures):
        db.execute(table.delete().where(table.c.post_id == gone.id))
    db.execute(posts.delete().where(posts.c.id == gone.id))


def _canonical_posts(db: sa.Connection) -> None:
    rows = db.execute(sa.select(*posts.c)).all()
    renames: list[tuple[int, str]] = []
    for (_, url), group in _groups(rows).items():
        group.sort(
            key=lambda r: (r.post_id is not None, r.url == url, r.last_seen_at, r.id),
            reverse=True,
        )
        kept, first = group[0], min(group, key=lambda r: (r.first_seen_at, r.id))
        ids = {kept.post_id}
        for row in group[1:]:
            if row.post_id is not None and row.post_id not in ids:
                ids.add(row.post_id)  # another post under the same URL: left as it was
                continue
            _merge_post(db, kept, row)
        if first.id != kept.id:
            db.execute(
                posts.update()
                .where(posts.c.id == kept.id)
                .values(first_seen_at=first.first_seen_at, first_run_id=first.first_run_id)
            )
        if kept.url != url:
            renames.append((kept.id, url))
    _rename(db, posts, renames)


def _canonical_rejects(db: sa.Connection) -> None:
    rows = db.execute(sa.select(*rejects.c)).all()
    renames: list[tuple[int, str]] = []
    for (_, url), group in _groups(rows).items():
        group.sort(key=lambda r: (r.last_seen_at, r.id), reverse=True)
        kept = group[0]
        if len(group) > 1:
            seen = sum(r.times_seen or 0 for r in group)
            db.execute(rejects.update().where(rejects.c.id == kept.id).values(times_seen=seen))
            db.execute(rejects.delete().where(rejects.c.id.in_([r.id for r in group[1:]])))
        if kept.url != url:
            renames.append((kept.id, url))
    _rename(db, rejects, renames)


def _rename(db: sa.Connection, table: sa.TableClause, renames: list[tuple[int, str]]) -> None:
    if renames:
        db.execute(
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(url=sa.bindparam("new")),
            [{"row_id": row_id, "new": url} for row_id, url in renames],
        )


def upgrade() -> None:
    db = op.get_bind()
    _canonical_posts(db)
    _canonical_rejects(db)


def downgrade() -> None:
    """Nothing to undo: earlier releases read canonical URLs as they read any other."""
