"""The pure stages of near-duplicate detection, each on inputs small enough to check by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from analysis.neardup import stages

T = [datetime(2024, 1, day, tzinfo=UTC) for day in range(1, 6)]


def test_only_the_clusters_new_pairs_touch_are_returned() -> None:
    links = [(2, 1), (7, 6)]  # stored: 2 is a near-duplicate of 1, 7 of 6
    assert sorted(map(sorted, stages.touched_clusters(links, [(3, 4)]))) == [[3, 4]]
    assert sorted(map(sorted, stages.touched_clusters(links, [(2, 5)]))) == [[1, 2, 5]]
    joined = stages.touched_clusters(links, [(1, 6)])  # one new pair joins both stored ones
    assert sorted(map(sorted, joined)) == [[1, 2, 6, 7]]
    assert stages.touched_clusters(links, []) == []


def test_every_member_points_at_the_earliest_published_post() -> None:
    order = {1: (T[2], 10, 1), 2: (T[0], 20, 2), 5: (T[1], 5, 5)}
    stored = {1: (5, 0.7)}  # before, 1 pointed at 5 with similarity 0.7
    links = stages.point_at_originals([[1, 2, 5]], order, {(2, 5): 0.9}, stored)
    # 2 is the earliest: 5 gets the new pair's similarity; 1 has no known one against 2
    assert sorted(links) == [(1, 2, None), (5, 2, 0.9)]


def test_ties_in_time_go_to_the_lowest_wordpress_id_then_row() -> None:
    order = {1: (T[0], 30, 1), 2: (T[0], 12, 2), 3: (T[0], 12, 3)}
    links = stages.point_at_originals([[1, 2, 3]], order, {(1, 2): 0.8, (2, 3): 0.6}, {})
    assert sorted(links) == [(1, 2, 0.8), (3, 2, 0.6)]


def test_a_stored_similarity_is_kept_when_the_original_stays() -> None:
    order = {1: (T[0], 1, 1), 2: (T[1], 2, 2), 3: (T[2], 3, 3)}
    links = stages.point_at_originals([[1, 2, 3]], order, {(2, 3): 0.75}, {2: (1, 0.66)})
    assert sorted(links) == [(2, 1, 0.66), (3, 1, None)]


def test_similar_pairs_are_those_at_or_above_the_threshold_by_exact_jaccard() -> None:
    shingles = {
        1: np.array([1, 2, 3, 4], dtype=np.uint32),
        2: np.array([1, 2, 3, 5], dtype=np.uint32),  # 3 shared of 5: 0.6
        3: np.array([1, 2, 6, 7], dtype=np.uint32),  # with 1: 2 of 6: 0.3333
        4: np.array([], dtype=np.uint32),
    }
    found = stages.similar_pairs([(1, 2), (1, 3), (1, 4)], shingles, 0.5)
    assert found == {(1, 2): 0.6}
    assert stages.similar_pairs([(1, 3)], shingles, 0.3333) == {(1, 3): 0.3333}


def test_likely_pairs_keep_signatures_that_agree_within_the_slack() -> None:
    perm = stages.NUM_PERM
    base = np.arange(perm, dtype=np.uint32)
    half = base.copy()
    half[perm // 2 :] += 1_000_000  # agrees with base in exactly half the positions
    little = base.copy()
    little[perm // 8 :] += 2_000_000  # agrees with each of the others in an eighth
    sigs = np.stack([base, half, little])
    ids = np.array([10, 20, 30])
    n = len(ids)
    codes = np.array([0 * n + 1, 0 * n + 2, 1 * n + 2])  # pairs (0,1), (0,2), (1,2)
    # threshold 0.6, slack 0.15: agreement of at least 0.45 is worth the exact check
    assert stages.likely_pairs(ids, sigs, codes, 0.6) == [(10, 20)]
    assert stages.likely_pairs(ids, sigs, codes, 0.25) == [(10, 20), (10, 30), (20, 30)]
