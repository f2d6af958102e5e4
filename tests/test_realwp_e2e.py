"""``scrapy crawl wordpress -a base_url=...`` against real WordPress, compared with its truth.

Every theme × REST mode of Debian's WordPress 6.1, each with one of the four permalink styles
(each style appears with every theme), crawled with no configuration into a fresh SQLite
corpus. The corpus must equal what WordPress itself states, field by field: see
``testing/realwp/compare.py`` for the checks and ``testing/realwp/content.py`` for the posts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from corpus.db import dispose_engines, get_engine
from corpus.models import CrawlRun
from publish.export import iter_posts
from testing.realwp import Variant, WordPressSite, theme_rest_grid
from testing.realwp.compare import compare
from tests.corpus_check import rejects, run_crawl

pytestmark = pytest.mark.e2e

GRID = theme_rest_grid()


@pytest.mark.parametrize("realwp_site", GRID, indirect=True, ids=[v.name for v in GRID])
def test_corpus_equals_wordpress_ground_truth(realwp_site: WordPressSite, tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    result = run_crawl(realwp_site.base_url, database_url, spider="wordpress", timeout=240)
    try:
        report = compare(
            realwp_site.truth,
            iter_posts(get_engine(database_url)),
            rejects(database_url),
            name=realwp_site.variant.name,
        )
    finally:
        dispose_engines()
    if result.returncode != 0:
        report.add("exit code", "scrapy crawl", result.returncode, 0)
    print(report.render(examples=5))  # shown with -rA or on failure
    assert not report, report.render() + "\n--- crawl log tail ---\n" + result.stderr[-2500:]


BLOCK_THEME = Variant("twentytwentythree", "date", "on")


@pytest.mark.parametrize("discovery", ["sitemap", "feed", "archive"])
@pytest.mark.parametrize(
    "realwp_site",
    [pytest.param(BLOCK_THEME, marks=pytest.mark.xdist_group("realwp-discovery"))],
    indirect=True,
    ids=[BLOCK_THEME.name],
)
def test_every_discovery_source_gives_wordpress_ground_truth(
    realwp_site: WordPressSite, discovery: str, tmp_path: Path
) -> None:
    """A block theme's sitemaps, feed pages and Query Loop archives each reach every post."""
    database_url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    result = run_crawl(
        realwp_site.base_url,
        database_url,
        spider="wordpress",
        spider_args=(f"discovery={discovery}",),
        timeout=240,
    )
    try:
        report = compare(
            realwp_site.truth,
            iter_posts(get_engine(database_url)),
            rejects(database_url),
            name=f"{realwp_site.variant.name} via {discovery}",
        )
    finally:
        dispose_engines()
    if result.returncode != 0:
        report.add("exit code", "scrapy crawl", result.returncode, 0)
    assert not report, report.render() + "\n--- crawl log tail ---\n" + result.stderr[-2500:]
    with get_engine(database_url).connect() as db:
        assert db.execute(select(CrawlRun.discovery)).scalar_one() == discovery
