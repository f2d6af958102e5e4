"""The generic ``wordpress`` spider on every face of the sample site, with no configuration.

Each theme × permalink style × REST mode must give a corpus equal to the ground truth, and
each explicit discovery source must give the same posts.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from corpus.db import get_engine
from corpus.models import CrawlRun
from testing.samplesite.faces import PERMALINKS, REST_MODES, THEMES, Face, face_ground_truth
from testing.samplesite.server import make_server
from testing.verify import differences
from tests.corpus_check import run_crawl

pytestmark = pytest.mark.e2e

FACES = [Face(t, p, r) for t, p, r in itertools.product(THEMES, PERMALINKS, REST_MODES)]
EXPECTED_SOURCE = {"on": "rest", "rest_route": "rest", "off": "sitemap"}


def crawl_face(site, face: Face, database_url: str, *args: str):
    with make_server(site, theme=face.theme, permalinks=face.permalinks, rest=face.rest) as srv:
        result = run_crawl(srv.base_url, database_url, spider="wordpress", spider_args=args)
        return result, srv.base_url, srv.request_log


def dateless_only(truth: dict) -> list[str]:
    return [r["path"] for r in truth["rejects"] if r["reason"] == "missing published_at"]


@pytest.mark.parametrize("face", FACES, ids=lambda f: f"{f.theme}-{f.permalinks}-rest_{f.rest}")
def test_zero_configuration_crawl_equals_ground_truth(site, face: Face, sqlite_url: str) -> None:
    truth = face_ground_truth(site, face)
    result, base_url, requests = crawl_face(site, face, sqlite_url)
    assert result.returncode == 0, result.stderr[-3000:]
    problems = differences(
        get_engine(sqlite_url),
        truth,
        base_url,
        site="127.0.0.1",
        reject_paths=dateless_only(truth),
    )
    assert not problems, "\n".join(problems[:20])
    source = EXPECTED_SOURCE[face.rest]
    assert f"discovery: {source} at" in result.stderr
    with get_engine(sqlite_url).connect() as db:
        assert db.execute(select(CrawlRun.discovery)).scalar_one() == source
    if source == "rest":  # the API lists 100 posts a request: few requests in all
        assert len(requests) <= 6, requests


@pytest.mark.parametrize("discovery", ["rest", "sitemap", "feed", "archive"])
@pytest.mark.parametrize(
    "face",
    [Face("lsr", "pretty", "on"), Face("newsbox", "plain", "on")],
    ids=["lsr-pretty", "newsbox-plain"],
)
def test_every_discovery_source_gives_the_same_posts(site, face, discovery, sqlite_url) -> None:
    truth = face_ground_truth(site, face)
    result, base_url, _ = crawl_face(site, face, sqlite_url, f"discovery={discovery}", "site=lsr")
    assert result.returncode == 0, result.stderr[-3000:]
    problems = differences(
        get_engine(sqlite_url), truth, base_url, reject_paths=dateless_only(truth)
    )
    assert not problems, "\n".join(problems[:20])
    assert f"discovery: {discovery} at" in result.stderr


def test_blocked_rest_falls_back_and_says_why(site, sqlite_url) -> None:
    result, _, requests = crawl_face(
        site, Face("lsr", "pretty", "off"), sqlite_url, "discovery=rest"
    )
    assert result.returncode == 1  # nothing could be crawled: `scrapy crawl` says it failed
    assert "no discovery source worked" in result.stderr
    assert "rest unavailable (HTTP 401)" in result.stderr
    assert [status for _, path, status in requests if "wp/v2/posts" in path] == [401, 401]
