"""``laocorpus demo``'s checks: the crawled corpus against what the sample site planted.

Why a job of its own: the demo is the README's proof that a crawl is exact, so it compares the
corpus field by field with the sample site's ground truth (testing/verify.py) and the
near-duplicates with the planted reposts, and the command only prints the verdicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TruthCheck:
    posts: int  # posts the sample site planted
    reposts: int
    rejects: int
    problems: list[str]  # every difference, in words; empty when the corpus is exact


@dataclass(frozen=True)
class NearDuplicateCheck:
    planted: set[tuple[str, str]]  # (url, original url) pairs the sample site planted
    found: set[tuple[str, str]]
    seconds: float

    @property
    def missed(self) -> list[tuple[str, str]]:
        return sorted(self.planted - self.found)

    @property
    def unexpected(self) -> list[tuple[str, str]]:
        return sorted(self.found - self.planted)


@contextmanager
def sample_site(posts: int, seed: int, port: int) -> Iterator[tuple[Any, Any]]:
    """The sample site served on 127.0.0.1 while the block runs: on ``port``, else a free one."""
    from testing.samplesite.server import SampleSite, make_server

    site = SampleSite(posts=posts, seed=seed)
    try:
        server = make_server(site, port=port)
    except OSError:
        server = make_server(site, port=0)
    with server:
        yield site, server


def check_ground_truth(url: str, site: Any, base_url: str) -> TruthCheck:
    """Compare the corpus with what the sample site planted, field by field."""
    from corpus.db import init_db
    from testing.samplesite.groundtruth import ground_truth
    from testing.verify import differences

    truth = ground_truth(site)
    problems = differences(init_db(url), truth, base_url)
    return TruthCheck(len(truth["posts"]), len(truth["reposts"]), len(truth["rejects"]), problems)


def check_near_duplicates(url: str, site: Any, base_url: str, spider: str) -> NearDuplicateCheck:
    """Find near-duplicates and compare them with the reposts the sample site planted."""
    from analysis import neardup
    from corpus.db import init_db
    from testing.samplesite.groundtruth import ground_truth

    engine = init_db(url)
    result = neardup.update(engine)
    planted = {
        (base_url + pair["path"], base_url + pair["original_path"])
        for pair in ground_truth(site)["near_duplicates"]
    }
    found = {(p.url, p.original_url) for p in neardup.near_duplicate_pairs(engine, spider)}
    return NearDuplicateCheck(planted, found, result.seconds)
