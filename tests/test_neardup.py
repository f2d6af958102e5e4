"""Near-duplicate detection: exactly the planted reposts, incrementally, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import select, update

from analysis import neardup
from corpus.db import init_db
from corpus.models import MinHashSignature, NearDuplicate, Post
from tests.truth_corpus import BASE_URL, planted_pairs, write_posts
from text import lao


def found_pairs(engine) -> dict[tuple[str, str], float]:
    return {(p.url, p.original_url): p.similarity for p in neardup.near_duplicate_pairs(engine)}


def test_sample_site_near_duplicates_are_exactly_the_planted_ones(truth, database_url) -> None:
    engine = write_posts(database_url, truth["posts"])
    result = neardup.update(engine)

    found, planted = found_pairs(engine), planted_pairs(truth)
    true_positives = len(found.keys() & planted)
    precision, recall = true_positives / len(found), true_positives / len(planted)
    assert (precision, recall) == (1.0, 1.0), (sorted(found), sorted(planted))
    assert all(neardup.DEFAULT_THRESHOLD <= s <= 1.0 for s in found.values())
    assert (result.near_duplicates, result.clusters) == (4, 4)
    assert result.signatures == result.compared == len(truth["posts"]) - len(truth["reposts"])
    # neither the exact repost nor the posts sharing boilerplate are near-duplicates
    flagged = {url for pair in found for url in pair}
    assert BASE_URL + truth["reposts"][0]["path"] not in flagged
    for group in truth["boilerplate"]:
        assert not flagged & {BASE_URL + path for path in group["paths"]}
    # nothing new: nothing hashed, nothing compared, nothing changed
    again = neardup.update(engine)
    assert (again.signatures, again.compared, again.near_duplicates) == (0, 0, 4)
    assert found_pairs(engine) == found


def test_incremental_and_out_of_order(truth, sqlite_url) -> None:
    """Reposts crawled before their originals still point at the originals in the end."""
    reposts = {n["path"] for n in truth["near_duplicates"]} | {truth["reposts"][0]["path"]}
    first = [p for p in truth["posts"] if p["path"] in reposts]
    rest = [p for p in truth["posts"] if p["path"] not in reposts]
    engine = write_posts(sqlite_url, first)
    assert neardup.update(engine).near_duplicates == 0  # no originals yet

    write_posts(sqlite_url, rest)
    result = neardup.update(engine)
    # only the new posts were hashed; the exact repost, now a duplicate, left the index
    assert result.signatures == len(rest)
    assert result.compared == len(rest)
    assert set(found_pairs(engine)) == planted_pairs(truth)
    with engine.connect() as db:
        repost = db.execute(
            select(Post.id).where(Post.url == BASE_URL + truth["reposts"][0]["path"])
        ).scalar_one()
        assert (
            db.execute(select(MinHashSignature).where(MinHashSignature.post_id == repost)).first()
            is None
        )


def test_changed_text_moves_a_post_and_threshold_reuses_signatures(truth, sqlite_url) -> None:
    engine = write_posts(sqlite_url, truth["posts"])
    neardup.update(engine)
    before = found_pairs(engine)
    # a near-duplicate is re-crawled with another post's text and a line more
    moved = truth["near_duplicates"][0]["path"]
    involved = {p for n in truth["near_duplicates"] for p in (n["path"], n["original_path"])}
    framed = {p for group in truth["boilerplate"] for p in group["paths"]}
    exact = {truth["reposts"][0]["path"], truth["reposts"][0]["original_path"]}
    other = next(p for p in truth["posts"] if p["path"] not in involved | framed | exact | {moved})
    text = other["text"] + "\n\nທີ່ມາ: ໜັງສືພິມປະຊາຊົນ"
    with engine.begin() as db:
        db.execute(
            update(Post)
            .where(Post.url == BASE_URL + moved)
            .values(text=text, content_hash=lao.content_hash(text))
        )
    result = neardup.update(engine)
    # it is hashed again; it and its former original are compared again, nothing else
    assert (result.signatures, result.compared) == (1, 2)
    published = {p["path"]: p["published_at"] for p in truth["posts"]}
    original, copy = sorted(
        (moved, other["path"]), key=lambda p: datetime.fromisoformat(published[p])
    )
    expected = {pair for pair in before if pair[0] != BASE_URL + moved}
    expected.add((BASE_URL + copy, BASE_URL + original))
    assert set(found_pairs(engine)) == expected

    # a stricter threshold decides every pair again from the stored signatures
    strict = neardup.update(engine, threshold=0.95)
    assert strict.signatures == 0 and strict.compared == len(truth["posts"]) - 1
    now = found_pairs(engine)
    assert set(now) == {pair for pair, s in measured(engine, expected).items() if s >= 0.95}
    assert 0 < len(now) < len(expected)
    with engine.connect() as db:
        assert set(db.execute(select(NearDuplicate.method)).scalars()) == {
            neardup.pair_method(0.95)
        }

    rebuilt = neardup.update(engine, rebuild=True)
    assert rebuilt.signatures == len(truth["posts"]) - 1
    assert set(found_pairs(engine)) == expected


def measured(engine, pairs) -> dict[tuple[str, str], float]:
    """The exact similarity of the given pairs, measured from their texts."""
    with engine.connect() as db:
        texts = {url: text for url, text in db.execute(select(Post.url, Post.text))}
    return {
        (a, b): neardup.jaccard(neardup.shingle_hashes(texts[a]), neardup.shingle_hashes(texts[b]))
        for a, b in pairs
    }


def test_short_posts_are_left_out_once(sqlite_url) -> None:
    posts = [
        {
            "path": f"/{n}/",
            "post_id": n,
            "title": "ສັ້ນ",
            "author": "admin",
            "published_at": f"2020-01-0{n}T08:00:00+07:00",
            "categories": ["ຂ່າວ"],
            "tags": [],
            "text": text,
            "language": "lo",
        }
        for n, text in ((1, "ກອງປະຊຸມໄດ້ປິດລົງ."), (2, "ກອງປະຊຸມໄດ້ປິດລົງແລ້ວ."))
    ]
    engine = write_posts(sqlite_url, posts)
    result = neardup.update(engine)
    assert (result.signatures, result.compared, result.near_duplicates) == (2, 0, 0)
    with engine.connect() as db:
        rows = db.execute(select(MinHashSignature.shingles, MinHashSignature.signature)).all()
    assert all(shingles < neardup.MIN_SHINGLES and sig is None for shingles, sig in rows)
    assert neardup.update(engine).signatures == 0


def test_lao_vowel_signs_and_tone_marks_count(seed_text: str) -> None:
    """Texts that differ only in vowel signs and tone marks are different texts.

    A tokenizer that keeps only ``str.isalnum()`` characters sees the same consonants in both;
    syllable shingles keep the marks, so the two are not near-duplicates.
    """
    text = lao.normalize(seed_text)
    swap = str.maketrans(
        "\u0eb4\u0eb5\u0eb8\u0eb9\u0ec8\u0ec9\u0eb1\u0ebb",
        "\u0eb8\u0eb9\u0eb4\u0eb5\u0ec9\u0ec8\u0ebb\u0eb1",
    )
    other = text.translate(swap)
    assert other != text
    assert [c for c in text if c.isalnum()] == [c for c in other if c.isalnum()]
    similarity = neardup.jaccard(neardup.shingle_hashes(text), neardup.shingle_hashes(other))
    assert similarity < 0.2


@pytest.mark.parametrize("size", [0, 1, 19, 4095, 4096, 4097, 20_000])
def test_signatures_are_datasketchs(seed_text: str, size: int) -> None:
    """The numpy MinHash gives datasketch's affine32 values, so stored signatures stay valid."""
    from datasketch import MinHash

    rng = np.random.default_rng(size)
    drawn = np.unique(rng.integers(0, 2**32, size, dtype=np.uint64).astype(np.uint32))
    for hashes in (drawn, neardup.shingle_hashes(seed_text)):
        reference = MinHash(
            num_perm=neardup.NUM_PERM, seed=neardup.SEED, hashfunc=int, scheme="affine32"
        )
        reference.update_batch(hashes.tolist())
        ours = neardup.signature(hashes)
        assert ours.dtype == np.uint32 and ours.shape == (neardup.NUM_PERM,)
        assert ours.tolist() == np.asarray(reference.hashvalues, dtype=np.uint32).tolist()


@pytest.mark.parametrize("threshold", [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
def test_bands_catch_a_pair_at_the_threshold(threshold: float) -> None:
    bands, rows = neardup.bands_for(threshold)
    assert bands * rows <= neardup.NUM_PERM
    assert neardup.band_probability(threshold, bands, rows) >= neardup.BAND_RECALL
    # one row more per band would miss too many pairs at the threshold
    more = rows + 1
    assert neardup.band_probability(threshold, neardup.NUM_PERM // more, more) < 0.9


def test_band_probability_is_the_binomial_tail() -> None:
    """At 0.5 with 64 bands of 4 rows a band matches with 1/16: P(at least 2 of 64)."""
    p = 1 / 16
    expected = 1 - (1 - p) ** 64 - 64 * p * (1 - p) ** 63
    assert neardup.band_probability(0.5, 64, 4) == pytest.approx(expected, abs=1e-12)
    assert round(expected, 4) == 0.9153
    assert neardup.bands_for(neardup.DEFAULT_THRESHOLD) == (64, 4)


def test_lsh_candidates_need_two_bands_and_chain_big_buckets() -> None:
    """Pairs are candidates from two shared bands; a bucket of 40 posts yields 39 links.

    Signatures are built so that the expected pairs are known exactly: posts 0-39 agree in
    bands 0 and 1 (a 40-post bucket, over MAX_BUCKET, in both); posts 40 and 41 share
    bands 2 and 3; posts 42 and 43 share band 4 only.
    """
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 2**32, size=(44, neardup.NUM_PERM), dtype=np.uint64).astype(np.uint32)
    sigs[:40, :8] = sigs[0, :8]
    sigs[41, 8:16] = sigs[40, 8:16]
    sigs[43, 16:20] = sigs[42, 16:20]
    pending = np.ones(44, dtype=bool)
    codes, collisions = neardup.lsh_candidates(sigs, pending, 64, 4)
    pairs = {(int(c // 44), int(c % 44)) for c in codes}
    chain = {(i, i + 1) for i in range(39)}
    assert pairs == chain | {(40, 41)}
    assert collisions == 39 + 1 + 1
    # nothing pending: nothing to compare
    none = neardup.lsh_candidates(sigs, np.zeros(44, dtype=bool), 64, 4)
    assert (len(none[0]), none[1]) == (0, 0)
    # a small bucket (5 posts, under MAX_BUCKET) gives every pair
    few = sigs[:5].copy()
    few_codes, _ = neardup.lsh_candidates(few, np.ones(5, dtype=bool), 64, 4)
    assert len(few_codes) == 10


def test_live_posts_are_never_paired_with_deleted_ones(truth, sqlite_url) -> None:
    """A post deleted on its site leaves the index: its pair goes, and comes back with it."""
    engine = write_posts(sqlite_url, truth["posts"])
    neardup.update(engine)
    planted = planted_pairs(truth)
    assert set(found_pairs(engine)) == planted
    copy, original = sorted(planted)[0]

    def set_gone(urls: set[str], value: datetime | None) -> None:
        with engine.begin() as db:
            db.execute(update(Post).where(Post.url.in_(urls)).values(gone_at=value))

    gone = datetime(2025, 1, 1, tzinfo=UTC)
    set_gone({original}, gone)
    result = neardup.update(engine)
    assert set(found_pairs(engine)) == planted - {(copy, original)}
    assert result.near_duplicates == len(planted) - 1
    with engine.connect() as db:
        ids = select(Post.id).where(Post.url == original)
        assert (
            db.execute(select(MinHashSignature).where(MinHashSignature.post_id.in_(ids))).first()
            is None
        )
    # both deleted: still no pair (deleted posts are out of the index, not paired together)
    set_gone({copy}, gone)
    assert neardup.update(engine).near_duplicates == len(planted) - 1
    assert set(found_pairs(engine)) == planted - {(copy, original)}
    # both back on the site: hashed and compared again, the pair returns
    set_gone({copy, original}, None)
    again = neardup.update(engine)
    assert (again.signatures, set(found_pairs(engine))) == (2, planted)


def test_default_threshold_is_measured(tmp_path) -> None:
    """The default separates planted near-duplicates from every unrelated pair.

    A 2,000-post generated corpus (planted reposts of the four kinds, exact reposts, pairs of
    unrelated posts sharing boilerplate): the exact similarity of every pair of posts, then the
    detector itself. ``make bench`` runs the same measurement on 25,000 posts.
    """
    from benchmarks import corpusgen
    from benchmarks.neardup import precision_recall, sweep

    path = tmp_path / "generated.sqlite"
    corpusgen.generate(path, 2000)
    measured = sweep(path)
    default = next(r for r in measured["sweep"] if r["threshold"] == neardup.DEFAULT_THRESHOLD)
    assert (default["precision"], default["recall"]) == (1.0, 1.0)
    assert measured["planted"] >= 20 and measured["boilerplate_pairs"] >= 10
    assert measured["most_similar_unrelated"] < neardup.DEFAULT_THRESHOLD - 0.1
    assert min(measured["least_similar_planted"].values()) > neardup.DEFAULT_THRESHOLD + 0.05

    neardup.update(init_db(f"sqlite:///{path}"))
    found = precision_recall(path, corpusgen.truth_of(path)["near_duplicates"])
    assert (found["precision"], found["recall"]) == (1.0, 1.0), found
