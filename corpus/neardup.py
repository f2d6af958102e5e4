"""Near-duplicate detection: MinHash over Lao syllable shingles, banded LSH, exact verification.

Why syllables: Lao is written without spaces, and hashes built on ``str.isalnum()`` tokens drop
Lao vowel signs, so unrelated Lao texts collide. :func:`corpus.lao.syllables` is rule-based and
dictionary-free, so an edit changes only the shingles around it. Shingles are taken from
:func:`corpus.lao.fold`, so ໜ/ຫນ and the other equal spellings shingle alike.

The stages are pure functions over arrays, run in order by :func:`update`:

1. :func:`shingle_hashes`: a post's text to its set of 5-syllable shingle hashes;
2. :func:`signature`: MinHash as datasketch computes it, 256 permutations, stored in
   ``minhash_signatures`` so a run only hashes text it has not seen;
3. :func:`lsh_candidates`: 64 bands of 4 rows. Posts sharing a band *collide*; a pair is a
   *candidate* only when it collides in at least :data:`MIN_BANDS` bands, and a band value
   shared by more than :data:`MAX_BUCKET` posts (a template line, a standard sentence) is
   chained rather than paired. Only pairs involving a post not yet compared are kept;
4. verification: signature agreement first, then the exact Jaccard similarity of the two
   shingle sets decides;
5. clusters: pairs above the threshold are joined; each member points at the cluster's
   earliest-published post in ``near_duplicates`` with its similarity to it.

Why two bands and a bucket limit: with one shared band enough, unrelated posts that share
some common sentences collide at a rate that grows with the corpus, so candidates per post
grew linearly (6 per post at 25k posts, 47 at 200k, see README). A pair of similarity s meets
in a band with probability s^4; it meets in two of 64 bands with 91.5% at s = 0.5 and 99.85% at
0.6, while an unrelated pair at s = 0.3 does with 9.5% instead of 41%.

The banding is done with numpy over the stored signatures rather than with datasketch's
``MinHashLSH``, whose per-bucket Python sets took 1.1 GB and 9 s to index 100,000 posts;
sorted band keys take a few megabytes (see README).

Exact reposts (``posts.duplicate_of_id``) are left to the exact-hash link and never indexed;
posts deleted on their site (``posts.gone_at``) are not indexed either, so a live post is never
paired with a deleted one.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from math import comb
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, func, insert, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from corpus import lao
from corpus.models import MinHashSignature, NearDuplicate, Post, utcnow

SHINGLE = 5  # syllables per shingle
NUM_PERM = 256  # MinHash permutations
SEED = 1
MIN_SHINGLES = 20  # shorter texts (about one sentence) are not compared
DEFAULT_THRESHOLD = 0.5  # Jaccard similarity of shingle sets; chosen in benchmarks/neardup.py
BAND_RECALL = 0.9  # least chance that a pair right at the threshold is a candidate
MIN_BANDS = 2  # bands a pair must share to be a candidate
MAX_BUCKET = 32  # posts sharing one band value beyond which it is boilerplate: chained
VERIFY_SLACK = 0.15  # signature agreement needed before the exact check: threshold - slack
METHOD = f"minhash{NUM_PERM}/syllable{SHINGLE}/fold{lao.NORMALIZATION_VERSION}"

_MIX = np.uint64(0x9E3779B97F4A7C15)
_FOLD = np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)


def pair_method(threshold: float) -> str:
    """The method label of a near-duplicate row: signature method and threshold."""
    return f"{METHOD}/j>={threshold:.2f}"


# -- hashing ------------------------------------------------------------------------------------


_syllable_codes: dict[str, int] = {}


def _codes(tokens: list[str]) -> np.ndarray:
    """A stable 32-bit code per syllable (CRC-32 of its UTF-8), cached for the common ones."""
    if len(_syllable_codes) > 500_000:  # numbers and names keep the vocabulary growing
        _syllable_codes.clear()
    get = _syllable_codes.get
    codes = [get(token) for token in tokens]
    if None in codes:  # one list comprehension, not a numpy store per token: 3x faster
        for i, token in enumerate(tokens):
            if codes[i] is None:
                codes[i] = _syllable_codes[token] = zlib.crc32(token.encode("utf-8"))
    return np.array(codes, dtype=np.uint64)


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the text's shingles of :data:`SHINGLE` syllables.

    Hashes are computed from the syllable codes with integer arithmetic, so they are the same
    in every process (Python's ``hash()`` is not) and cost no string building.
    """
    codes = _codes(lao.syllables(lao.fold(text)))
    if len(codes) < SHINGLE:
        return np.unique(codes.astype(np.uint32))
    count = len(codes) - SHINGLE + 1
    hashed = codes[:count].copy()
    for offset in range(1, SHINGLE):
        hashed = hashed * _MIX + codes[offset : offset + count]
    hashed ^= hashed >> _FOLD
    return np.unique((hashed & _LOW32).astype(np.uint32))


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``MinHash(NUM_PERM, SEED)`` parameters for its "affine32" scheme: odd
    multipliers ``a`` and offsets ``b`` drawn from ``RandomState(SEED)`` in this order."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch applies to every input hash first."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def signature(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature (``NUM_PERM`` uint32 values) of a set of shingle hashes.

    The values of datasketch's ``MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")``
    fed the same hashes (tests/test_neardup.py holds them equal), computed here in numpy:
    importing datasketch loads scipy (0.7 s at the end of every crawl), and its per-value
    Python conversions took most of the signature time.
    """
    a, b = _permutations()
    if not len(hashes):
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    mixed = _fmix32(np.asarray(hashes, dtype=np.uint32)).reshape(-1, 1)
    # uint32 arithmetic wraps modulo 2**32, as theirs; 4,096 rows (4 MB) at a time
    return np.min(
        [(mixed[i : i + 4096] * a + b).min(axis=0) for i in range(0, len(mixed), 4096)], axis=0
    )


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted sets of shingle hashes."""
    if not len(a) or not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


def band_probability(similarity: float, bands: int, rows: int) -> float:
    """Chance that a pair of this similarity shares at least :data:`MIN_BANDS` of the bands."""
    p = similarity**rows
    below = sum(comb(bands, k) * p**k * (1 - p) ** (bands - k) for k in range(MIN_BANDS))
    return 1.0 - below


def bands_for(threshold: float) -> tuple[int, int]:
    """LSH bands and rows: the fewest chance candidates that still catch a pair at the threshold.

    More rows per band mean fewer chance candidates; the rows are as many as keep
    :func:`band_probability` at the threshold at least :data:`BAND_RECALL` (91.5% at 0.5 with
    64 bands of 4 rows, 98.0% at 0.55; pairs further above are caught even more surely).
    """
    best = (NUM_PERM // 2, 2)
    for rows in range(1, NUM_PERM // MIN_BANDS + 1):
        bands = NUM_PERM // rows
        if bands >= MIN_BANDS and band_probability(threshold, bands, rows) >= BAND_RECALL:
            best = (bands, rows)
    return best


# -- the run ------------------------------------------------------------------------------------


@dataclass
class DedupResult:
    signatures: int = 0  # signatures computed in this run
    compared: int = 0  # posts compared against the index in this run
    collisions: int = 0  # pairs sharing at least one LSH band
    candidates: int = 0  # pairs sharing MIN_BANDS bands: verified
    similar: int = 0  # candidate pairs at or above the threshold
    near_duplicates: int = 0  # posts marked as near-duplicates, whole corpus
    clusters: int = 0  # clusters (originals with near-duplicates), whole corpus
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time: the figure a busy machine leaves alone


Progress = Callable[[str, int, int | None], None]


def update(
    engine: Engine,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    rebuild: bool = False,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> DedupResult:
    """Bring the near-duplicate relation up to date; call after every crawl.

    Only posts without a current signature are hashed, and only posts not yet compared (new,
    changed, or in a cluster a change touched) are looked up in the index. A different
    threshold than the stored pairs were found with re-compares every post but reuses the
    signatures; ``rebuild`` starts from nothing.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    started, cpu_started = time.perf_counter(), time.process_time()
    result = DedupResult()
    method = pair_method(threshold)
    with engine.begin() as db:
        if rebuild:
            db.execute(delete(NearDuplicate))
            db.execute(delete(MinHashSignature))
        _invalidate(db, method)
    result.signatures = _compute_signatures(engine, batch_size, progress)
    ids, sigs, pending = _load_signatures(engine)
    result.compared = int(pending.sum())
    if result.compared:
        if progress:
            progress("comparing", 0, None)
        codes, result.collisions = lsh_candidates(sigs, pending, *bands_for(threshold))
        result.candidates = len(codes)
        pairs = _verify(engine, ids, sigs, codes, threshold)
        result.similar = len(pairs)
        with engine.begin() as db:
            _write_clusters(db, pairs, ids[pending].tolist(), method)
            _mark_compared(db, ids[pending].tolist())
    with engine.connect() as db:
        result.near_duplicates = db.execute(select(func.count(NearDuplicate.post_id))).scalar_one()
        result.clusters = db.execute(
            select(func.count(func.distinct(NearDuplicate.original_id)))
        ).scalar_one()
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu_started
    return result


def _invalidate(db: Connection, method: str) -> None:
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
        for chunk in _chunks(reopened, 500):
            db.execute(
                sql_update(MinHashSignature)
                .where(MinHashSignature.post_id.in_(chunk))
                .values(compared_at=None)
            )
    for chunk in _chunks(list(changed), 500):
        db.execute(delete(MinHashSignature).where(MinHashSignature.post_id.in_(chunk)))


def _compute_signatures(engine: Engine, batch_size: int, progress: Progress | None) -> int:
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


def _load_signatures(engine: Engine) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def lsh_candidates(
    sigs: np.ndarray,
    pending: np.ndarray,
    bands: int,
    rows: int,
    *,
    min_bands: int = MIN_BANDS,
    max_bucket: int = MAX_BUCKET,
) -> tuple[np.ndarray, int]:
    """Candidate pairs (as codes i * n + j, i < j) and the number of colliding pairs.

    Each band's values are folded into one 64-bit key; sorting the keys puts posts that share
    the band next to each other. In a bucket of at most ``max_bucket`` posts every pair
    collides; in a bigger one (boilerplate) each post collides with its neighbour in row order
    only, so the work stays linear and a large cluster of real copies is still chained
    together (in row order, the same neighbours meet again in every band they share). A pair
    colliding in ``min_bands`` bands, one of them pending, is a candidate.
    """
    n = len(sigs)
    found: list[np.ndarray] = []
    for band in range(bands):
        columns = sigs[:, band * rows : (band + 1) * rows].astype(np.uint64)
        keys = np.full(n, np.uint64(band + 1), dtype=np.uint64)
        for column in columns.T:
            keys = (keys ^ column) * _MIX
            keys ^= keys >> _FOLD
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        bucket = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
        small = np.bincount(bucket)[bucket] <= max_bucket  # per sorted position
        for offset in range(1, max_bucket):
            same = bucket[:-offset] == bucket[offset:]
            if offset > 1:  # neighbours (offset 1) collide in big buckets too
                same &= small[offset:]
            if not same.any():
                break
            first, second = order[:-offset][same], order[offset:][same]
            keep = pending[first] | pending[second]
            found.append(_codes_of(first[keep], second[keep], n))
    if not found:
        return np.empty(0, dtype=np.int64), 0
    codes, counts = np.unique(np.concatenate(found), return_counts=True)
    return codes[counts >= min_bands], len(codes)


def _codes_of(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    low, high = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    return low * n + high


def _verify(
    engine: Engine, ids: np.ndarray, sigs: np.ndarray, codes: np.ndarray, threshold: float
) -> dict[tuple[int, int], float]:
    """Candidate pairs whose exact shingle Jaccard reaches the threshold, by post id."""
    n = len(ids)
    likely: list[tuple[int, int]] = []
    for start in range(0, len(codes), 10_000):  # 10,000 pairs: 2 x 10 MB of signatures
        chunk = codes[start : start + 10_000]
        left, right = chunk // n, chunk % n
        agreement = (sigs[left] == sigs[right]).sum(axis=1) / NUM_PERM
        keep = agreement >= threshold - VERIFY_SLACK
        likely += zip(ids[left[keep]].tolist(), ids[right[keep]].tolist(), strict=True)
    shingles = _shingles_of(engine, {post for pair in likely for post in pair})
    similar: dict[tuple[int, int], float] = {}
    for a, b in likely:
        similarity = jaccard(shingles[a], shingles[b])
        if similarity >= threshold:
            similar[(a, b)] = round(similarity, 4)
    return similar


def _shingles_of(engine: Engine, post_ids: Iterable[int]) -> dict[int, np.ndarray]:
    found: dict[int, np.ndarray] = {}
    with engine.connect() as db:
        for chunk in _chunks(sorted(post_ids), 500):
            for post_id, text in db.execute(select(Post.id, Post.text).where(Post.id.in_(chunk))):
                found[post_id] = shingle_hashes(text or "")
    return found


def _write_clusters(
    db: Connection, pairs: dict[tuple[int, int], float], compared: list[int], method: str
) -> None:
    """Merge the new pairs into the stored clusters and repoint every touched cluster.

    A cluster is a connected group of similar posts; its original is the earliest published
    (ties: lowest WordPress ID, then row id), as for exact reposts, whatever the crawl order.
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    involved = {post for pair in pairs for post in pair}
    existing = db.execute(
        select(NearDuplicate.post_id, NearDuplicate.original_id, NearDuplicate.similarity)
    ).all()
    stored = {row.post_id: (row.original_id, row.similarity) for row in existing}
    for post_id, (original_id, _) in stored.items():
        union(post_id, original_id)
    for a, b in pairs:
        union(a, b)
    touched = {find(post) for post in involved}
    if not touched:
        return
    clusters: dict[int, list[int]] = {}
    for post in list(parent):
        root = find(post)
        if root in touched:
            clusters.setdefault(root, []).append(post)
    members = [post for group in clusters.values() for post in group]
    order: dict[int, tuple] = {}
    for chunk in _chunks(members, 500):
        for row in db.execute(
            select(Post.id, Post.published_at, Post.post_id).where(Post.id.in_(chunk))
        ):
            wp_id = row.post_id if row.post_id is not None else 2**62
            order[row.id] = (row.published_at, wp_id, row.id)
    rows: list[dict[str, Any]] = []
    missing: list[tuple[int, int]] = []
    now = utcnow()
    for group in clusters.values():
        original = min(group, key=order.__getitem__)
        for post in group:
            if post == original:
                continue
            key = (min(post, original), max(post, original))
            if key in pairs:
                similarity: float | None = pairs[key]
            elif stored.get(post, (None,))[0] == original:
                similarity = stored[post][1]
            else:
                similarity = None
                missing.append((post, original))
            rows.append(
                {
                    "post_id": post,
                    "original_id": original,
                    "similarity": similarity,
                    "method": method,
                    "detected_at": now,
                }
            )
    if missing:  # a member joined through another one: measure it against the original
        shingles = _shingles_of(db.engine, {post for pair in missing for post in pair})
        measured = {pair: round(jaccard(*(shingles[p] for p in pair)), 4) for pair in missing}
        for row in rows:
            if row["similarity"] is None:
                row["similarity"] = measured[(row["post_id"], row["original_id"])]
    for chunk in _chunks(members, 500):
        db.execute(delete(NearDuplicate).where(NearDuplicate.post_id.in_(chunk)))
    if rows:
        db.execute(insert(NearDuplicate), rows)


def _mark_compared(db: Connection, post_ids: list[int]) -> None:
    now = utcnow()
    for chunk in _chunks(post_ids, 500):
        db.execute(
            sql_update(MinHashSignature)
            .where(MinHashSignature.post_id.in_(chunk))
            .values(compared_at=now)
        )


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- reading ------------------------------------------------------------------------------------


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
