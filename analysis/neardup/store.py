"""The store of near-duplicate detection: every SQL statement it runs, nothing it decides.

It reads texts and signatures out of the corpus for the stages (stages.py) and writes back
their signatures (``minhash_signatures``) and clusters (``near_duplicates``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, func, insert, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from analysis.neardup import stages
from analysis.neardup.stages import METHOD, MIN_SHINGLES, NUM_PERM, shingle_hashes, signature
from corpus.models import MinHashSignature, NearDuplicate, Post, utcnow

Progress = Callable[[str, int, int | None], None]


def invalidate(db: Connection, method: str) -> None:
    """Drop signatures whose text changed, and re-open the clusters such changes touch."""
    db.execute(delete(MinHashSignature).where(MinHashSignature.method != METHOD))
    stale = (
        select(MinHashSignature.post_id)
        .join(Post, Post.id == MinHashSignature.post_id)
        .where(
            or_(
                Post.content_hash != MinHashSignature.content_hash,
                Post.duplicate_of_id.is_not(None),
                Post.gone_at.is_not(None),
            )
        )
    )
    changed = set(db.execute(stale).scalars())
    if db.execute(select(NearDuplicate.post_id).where(NearDuplicate.method != method)).first():
        db.execute(delete(NearDuplicate))  # another threshold: every pair is decided again
        db.execute(sql_update(MinHashSignature).values(compared_at=None))
    elif changed:
        originals = set(
            db.execute(
                select(NearDuplicate.original_id).where(
                    or_(
                        NearDuplicate.post_id.in_(changed),
                        NearDuplicate.original_id.in_(changed),
                    )
                )
            ).scalars()
        )
        members = set(
            db.execute(
                select(NearDuplicate.post_id).where(NearDuplicate.original_id.in_(originals))
            ).scalars()
        )
        db.execute(delete(NearDuplicate).where(NearDuplicate.original_id.in_(originals)))
        reopened = list((members | originals) - changed)
        for chunk in chunks(reopened, 500):
            db.execute(
                sql_update(MinHashSignature)
                .where(MinHashSignature.post_id.in_(chunk))
                .values(compared_at=None)
            )
    for chunk in chunks(list(changed), 500):
        db.execute(delete(MinHashSignature).where(MinHashSignature.post_id.in_(chunk)))


def compute_signatures(engine: Engine, batch_size: int, progress: Progress | None) -> int:
    """Hash every canonical live post that has no signature, one committed batch at a time."""
    missing = (
        select(Post.id)
        .outerjoin(MinHashSignature, MinHashSignature.post_id == Post.id)
        .where(
            MinHashSignature.post_id.is_(None),
            Post.duplicate_of_id.is_(None),
            Post.gone_at.is_(None),
        )
    )
    with engine.connect() as db:
        total = db.execute(select(func.count()).select_from(missing.subquery())).scalar_one()
    done, last_id = 0, 0
    if progress:
        progress("hashing", 0, total)
    while True:
        with engine.connect() as db:
            rows = db.execute(
                select(Post.id, Post.content_hash, Post.text)
                .outerjoin(MinHashSignature, MinHashSignature.post_id == Post.id)
                .where(
                    MinHashSignature.post_id.is_(None),
                    Post.duplicate_of_id.is_(None),
                    Post.gone_at.is_(None),
                    Post.id > last_id,
                )
                .order_by(Post.id)
                .limit(batch_size)
            ).all()
        if not rows:
            return done
        now = utcnow()
        values = []
        for row in rows:
            hashes = shingle_hashes(row.text or "")
            enough = len(hashes) >= MIN_SHINGLES
            values.append(
                {
                    "post_id": row.id,
                    "content_hash": row.content_hash,
                    "method": METHOD,
                    "shingles": len(hashes),
                    "signature": signature(hashes).tobytes() if enough else None,
                    "computed_at": now,
                    "compared_at": None,
                }
            )
        with engine.begin() as db:
            db.execute(insert(MinHashSignature), values)
        done += len(rows)
        last_id = rows[-1].id
        if progress:
            progress("hashing", done, total)


def load_signatures(engine: Engine) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every stored signature: post ids, an (n, NUM_PERM) uint32 array, and 'not compared'."""
    with engine.connect() as db:
        count = db.execute(
            select(func.count()).where(MinHashSignature.signature.is_not(None))
        ).scalar_one()
        ids = np.empty(count, dtype=np.int64)
        sigs = np.empty((count, NUM_PERM), dtype=np.uint32)
        pending = np.zeros(count, dtype=bool)
        rows = db.execution_options(yield_per=5000).execute(
            select(
                MinHashSignature.post_id,
                MinHashSignature.signature,
                MinHashSignature.compared_at.is_(None),
            )
            .where(MinHashSignature.signature.is_not(None))
            .order_by(MinHashSignature.post_id)
        )
        n = 0
        for post_id, blob, new in rows:
            if n == count:  # a concurrent writer added one since the count
                break
            ids[n], pending[n] = post_id, bool(new)
            sigs[n] = np.frombuffer(blob, dtype=np.uint32)
            n += 1
    return ids[:n], sigs[:n], pending[:n]


def shingles_of(engine: Engine, post_ids: Iterable[int]) -> dict[int, np.ndarray]:
    found: dict[int, np.ndarray] = {}
    with engine.connect() as db:
        for chunk in chunks(sorted(post_ids), 500):
            for post_id, text in db.execute(select(Post.id, Post.text).where(Post.id.in_(chunk))):
                found[post_id] = shingle_hashes(text or "")
    return found


def write_clusters(db: Connection, pairs: dict[tuple[int, int], float], method: str) -> None:
    """Merge the new pairs into the stored clusters and repoint every touched cluster.

    A cluster is a connected group of similar posts; its original is the earliest published
    (ties: lowest WordPress ID, then row id), as for exact reposts, whatever the crawl order.
    """
    existing = db.execute(
        select(NearDuplicate.post_id, NearDuplicate.original_id, NearDuplicate.similarity)
    ).all()
    stored = {row.post_id: (row.original_id, row.similarity) for row in existing}
    links = [(post_id, original_id) for post_id, (original_id, _) in stored.items()]
    clusters = stages.touched_clusters(links, pairs)
    if not clusters:
        return
    members = [post for group in clusters for post in group]
    order: dict[int, tuple] = {}
    for part in chunks(members, 500):
        for row in db.execute(
            select(Post.id, Post.published_at, Post.post_id).where(Post.id.in_(part))
        ):
            wp_id = row.post_id if row.post_id is not None else 2**62
            order[row.id] = (row.published_at, wp_id, row.id)
    pointed = stages.point_at_originals(clusters, order, pairs, stored)
    missing = [(post, original) for post, original, similarity in pointed if similarity is None]
    measured: dict[tuple[int, int], float] = {}
    if missing:  # a member joined through another one: measure it against the original
        shingles = shingles_of(db.engine, {post for pair in missing for post in pair})
        measured = {
            pair: round(stages.jaccard(*(shingles[p] for p in pair)), 4) for pair in missing
        }
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "post_id": post,
            "original_id": original,
            "similarity": similarity if similarity is not None else measured[(post, original)],
            "method": method,
            "detected_at": now,
        }
        for post, original, similarity in pointed
    ]
    for part in chunks(members, 500):
        db.execute(delete(NearDuplicate).where(NearDuplicate.post_id.in_(part)))
    if rows:
        db.execute(insert(NearDuplicate), rows)


def mark_compared(db: Connection, post_ids: list[int]) -> None:
    now = utcnow()
    for chunk in chunks(post_ids, 500):
        db.execute(
            sql_update(MinHashSignature)
            .where(MinHashSignature.post_id.in_(chunk))
            .values(compared_at=now)
        )


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def totals(engine: Engine) -> tuple[int, int]:
    """Near-duplicates and clusters in the whole corpus."""
    with engine.connect() as db:
        posts = db.execute(select(func.count(NearDuplicate.post_id))).scalar_one()
        clusters = db.execute(
            select(func.count(func.distinct(NearDuplicate.original_id)))
        ).scalar_one()
    return posts, clusters


def stored_method(engine: Engine) -> str | None:
    """The method label the stored pairs were found with; None when the corpus has never
    been indexed (no signatures at all)."""
    with engine.connect() as db:
        if db.execute(select(MinHashSignature.post_id).limit(1)).first() is None:
            return None
        return db.execute(select(NearDuplicate.method).limit(1)).scalar() or ""


def forget(db: Connection) -> None:
    """Every signature and pair, for a rebuild from nothing."""
    db.execute(delete(NearDuplicate))
    db.execute(delete(MinHashSignature))


@dataclass(frozen=True)
class NearDuplicatePair:
    url: str
    original_url: str
    similarity: float
    method: str
    detected_at: datetime


def near_duplicate_pairs(engine: Engine, site: str | None = None) -> list[NearDuplicatePair]:
    """Every near-duplicate with the URL of its original, in post order."""
    original = aliased(Post)
    query = (
        select(
            Post.url,
            original.url,
            NearDuplicate.similarity,
            NearDuplicate.method,
            NearDuplicate.detected_at,
        )
        .join(NearDuplicate, NearDuplicate.post_id == Post.id)
        .join(original, original.id == NearDuplicate.original_id)
        .order_by(Post.id)
    )
    if site:
        query = query.where(Post.site == site)
    with engine.connect() as db:
        return [NearDuplicatePair(*row) for row in db.execute(query)]
