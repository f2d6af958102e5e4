"""Near-duplicate detection: MinHash over Lao syllable shingles, banded LSH, exact verification.

Why syllables: Lao is written without spaces, and hashes built on ``str.isalnum()`` tokens drop
Lao vowel signs, so unrelated Lao texts collide. :func:`text.lao.syllables` is rule-based and
dictionary-free, so an edit changes only the shingles around it. Shingles are taken from
:func:`text.lao.fold`, so ໜ/ຫນ and the other equal spellings shingle alike.

The stages are pure functions over arrays (stages.py), run in order by :func:`update` over
what their store (store.py) reads and writes:

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
from dataclasses import dataclass

from sqlalchemy import Engine

from analysis.neardup import store
from analysis.neardup.stages import (
    BAND_RECALL,
    DEFAULT_THRESHOLD,
    MAX_BUCKET,
    METHOD,
    MIN_BANDS,
    MIN_SHINGLES,
    NUM_PERM,
    SEED,
    SHINGLE,
    band_probability,
    bands_for,
    jaccard,
    likely_pairs,
    lsh_candidates,
    pair_method,
    shingle_hashes,
    signature,
    similar_pairs,
)
from analysis.neardup.store import NearDuplicatePair, Progress, near_duplicate_pairs

__all__ = [
    "BAND_RECALL",
    "DEFAULT_THRESHOLD",
    "MAX_BUCKET",
    "METHOD",
    "MIN_BANDS",
    "MIN_SHINGLES",
    "NUM_PERM",
    "SEED",
    "SHINGLE",
    "DedupResult",
    "NearDuplicatePair",
    "band_probability",
    "bands_for",
    "jaccard",
    "lsh_candidates",
    "near_duplicate_pairs",
    "pair_method",
    "refresh",
    "shingle_hashes",
    "signature",
    "update",
]


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
            store.forget(db)
        store.invalidate(db, method)
    result.signatures = store.compute_signatures(engine, batch_size, progress)
    ids, sigs, pending = store.load_signatures(engine)
    result.compared = int(pending.sum())
    if result.compared:
        if progress:
            progress("comparing", 0, None)
        codes, result.collisions = lsh_candidates(sigs, pending, *bands_for(threshold))
        result.candidates = len(codes)
        likely = likely_pairs(ids, sigs, codes, threshold)
        shingles = store.shingles_of(engine, {post for pair in likely for post in pair})
        pairs = similar_pairs(likely, shingles, threshold)
        result.similar = len(pairs)
        with engine.begin() as db:
            store.write_clusters(db, pairs, method)
            store.mark_compared(db, ids[pending].tolist())
    result.near_duplicates, result.clusters = store.totals(engine)
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu_started
    return result


def refresh(engine: Engine) -> int | None:
    """Re-run detection at the corpus's stored threshold, if it uses near-duplicates at all;
    the number of near-duplicates after, or None. For ``laocorpus rehash``."""
    method = store.stored_method(engine)
    if method is None:
        return None
    threshold = DEFAULT_THRESHOLD
    if method and "/j>=" in method:
        threshold = float(method.rsplit("/j>=", 1)[1])
    return update(engine, threshold).near_duplicates
