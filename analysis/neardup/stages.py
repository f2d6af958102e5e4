"""The pure stages of near-duplicate detection: arrays in, arrays out, no database.

Why apart from their store (store.py): each stage can be tested, benchmarked and swapped on
its own, as datatrove composes its dedup steps; ``update`` in ``__init__`` runs them in order
over what the store reads and writes back what they decide.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from functools import cache
from math import comb

import numpy as np

from text import lao

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


# -- candidates and verification -------------------------------------------------------------


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


def likely_pairs(
    ids: np.ndarray, sigs: np.ndarray, codes: np.ndarray, threshold: float
) -> list[tuple[int, int]]:
    """Candidate pairs (by post id) whose signatures agree enough to be worth the exact check."""
    n = len(ids)
    likely: list[tuple[int, int]] = []
    for start in range(0, len(codes), 10_000):  # 10,000 pairs: 2 x 10 MB of signatures
        chunk = codes[start : start + 10_000]
        left, right = chunk // n, chunk % n
        agreement = (sigs[left] == sigs[right]).sum(axis=1) / NUM_PERM
        keep = agreement >= threshold - VERIFY_SLACK
        likely += zip(ids[left[keep]].tolist(), ids[right[keep]].tolist(), strict=True)
    return likely


def similar_pairs(
    likely: Iterable[tuple[int, int]], shingles: dict[int, np.ndarray], threshold: float
) -> dict[tuple[int, int], float]:
    """The pairs whose exact shingle Jaccard reaches the threshold, with it (4 decimals)."""
    similar: dict[tuple[int, int], float] = {}
    for a, b in likely:
        similarity = jaccard(shingles[a], shingles[b])
        if similarity >= threshold:
            similar[(a, b)] = round(similarity, 4)
    return similar


# -- clusters ---------------------------------------------------------------------------------


def touched_clusters(
    links: Iterable[tuple[int, int]], pairs: Iterable[tuple[int, int]]
) -> list[list[int]]:
    """The connected groups of posts that the new ``pairs`` touch, given the stored ``links``
    (post, original): each a list of post ids."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    pairs = list(pairs)
    for a, b in [*links, *pairs]:
        union(a, b)
    touched = {find(post) for pair in pairs for post in pair}
    clusters: dict[int, list[int]] = {}
    for post in list(parent):
        root = find(post)
        if root in touched:
            clusters.setdefault(root, []).append(post)
    return list(clusters.values())


def point_at_originals(
    clusters: list[list[int]],
    order: dict[int, tuple],
    pairs: dict[tuple[int, int], float],
    stored: dict[int, tuple[int, float]],
) -> list[tuple[int, int, float | None]]:
    """Each member of each cluster pointed at its original, the member first in ``order``
    (earliest published, then lowest WordPress ID, then row id), with the similarity known
    for the pair (new, or stored for the same original), else None: to be measured."""
    links: list[tuple[int, int, float | None]] = []
    for group in clusters:
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
            links.append((post, original, similarity))
    return links
