"""``Known``: what an incremental crawl decides from a listing and the corpus's posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from corpus.known import KnownPost
from crawler.incremental import Known

T = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)
BASE = "https://lsr.com.la"


def known() -> Known:
    return Known(
        [
            KnownPost(1, 10, f"{BASE}/10/", T, gone=False),
            KnownPost(2, 11, f"{BASE}/11/", T, gone=False),
            KnownPost(3, 12, f"{BASE}/12/", T, gone=True),  # deleted on the site, then back?
            KnownPost(4, None, f"{BASE}/%E0%BA%82/", T, gone=False),  # no ID (HTML-only)
        ]
    )


def test_listed_ids_are_unchanged_only_at_the_same_second() -> None:
    corpus = known()
    unchanged, to_fetch = corpus.compare_ids(
        [(10, T), (11, T + timedelta(seconds=1)), (12, T), (13, T), (None, T), (10, None)]
    )
    # 10 unchanged; 11 edited; 12 gone (fetched: is it back?); 13 new; 10 again without a time
    assert (unchanged, to_fetch) == ([10], [11, 12, 13, 10])
    assert corpus.verified_ids == {10}
    assert corpus.listed_ids == {10, 11, 12, 13}


def test_listed_urls_without_a_time_are_left_to_the_revisit_policy() -> None:
    corpus = known()
    unchanged, to_fetch, undated = corpus.compare_urls(
        [
            (f"{BASE}/10/", T),
            (f"{BASE}/11/", None),  # a core sitemap: no lastmod
            (f"{BASE}/12/", None),  # gone: fetched, not left
            (f"{BASE}/99/", None),  # new
        ]
    )
    assert (unchanged, to_fetch, undated) == (
        [f"{BASE}/10/"],
        [f"{BASE}/12/", f"{BASE}/99/"],
        [f"{BASE}/11/"],
    )
    assert corpus.verified_urls == {f"{BASE}/10/"}


def test_any_spelling_of_a_known_url_is_known() -> None:
    corpus = known()
    assert not corpus.any_unknown([f"{BASE}/ຂ/", f"{BASE}/%e0%ba%82/#comments", f"{BASE}/10/"])
    assert corpus.any_unknown([f"{BASE}/10/", f"{BASE}/14/"])


def test_unlisted_live_posts_are_the_removed_or_moved_ones() -> None:
    corpus = known()
    corpus.compare_ids([(10, T)])
    corpus.compare_urls([(f"{BASE}/%E0%BA%82/", T)])
    assert corpus.unlisted_urls() == [f"{BASE}/11/"]  # not the gone one, not the listed ones
