"""REST that never loses a field: the sample site with its users route blocked, or with
``_embed`` ignored, must still give every author and category of the ground truth; a run that
cannot read the authors anywhere must end failed, with the reason in its crawl run."""

from __future__ import annotations

import math
import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from corpus.db import get_engine
from corpus.models import CrawlRun
from testing.samplesite.content import AUTHOR_BY_LOGIN, SampleSite
from testing.samplesite.faces import Face, face_ground_truth
from testing.samplesite.groundtruth import ground_truth
from testing.samplesite.server import make_server
from testing.verify import differences
from tests.corpus_check import run_crawl

pytestmark = pytest.mark.e2e

FACES = [Face("lsr", "pretty"), Face("newsbox", "plain")]


def crawl(site, face: Face, fault: str, database_url: str, *, bylines: bool = True):
    with make_server(
        site,
        theme=face.theme,
        permalinks=face.permalinks,
        rest=face.rest,
        rest_fault=fault,
        bylines=bylines,
    ) as server:
        result = run_crawl(server.base_url, database_url, spider="wordpress")
        return result, server.base_url, [path for _, path, _ in server.request_log]


def the_run(database_url: str) -> CrawlRun:
    with get_engine(database_url).connect() as db:
        return db.execute(select(CrawlRun)).one()


def rest_route(path: str) -> str | None:
    """The REST route a request asked for ("wp/v2/users/3"; "" for the root index), in both
    forms (/wp-json/… and /?rest_route=/…); None for a page that is not REST."""
    match = re.match(r"(?:/wp-json/|/\?rest_route=/)([^?&]*)", path)
    return match[1] if match else None


def expected_sources(site, fault: str) -> dict[str, dict[str, int]]:
    """Where each field must come from: every post the API lists, per the site's content."""
    listed = len(site.posts)
    tagged = sum(1 for post in site.posts if post.tags)
    by_id = {"users_blocked": "rest-embed", "embed_ignored": "terms-endpoint"}[fault]
    author = {"users_blocked": "html", "embed_ignored": "users-endpoint"}[fault]
    return {
        "author": {author: listed},
        "categories": {by_id: listed},
        "tags": {"rest-record": listed - tagged, by_id: tagged},
    }


def term_lookups(site, taxonomy: str) -> int:
    """Terms requests a crawl needs: one per listing page (newest first, 100 a page) that
    holds a term no earlier page held; names already known are not asked again."""
    listing = list(reversed(site.posts))
    known: set[str] = set()
    requests = 0
    for start in range(0, len(listing), 100):
        terms = {slug for post in listing[start : start + 100] for slug in getattr(post, taxonomy)}
        requests += bool(terms - known)
        known |= terms
    return requests


@pytest.mark.parametrize("fault", ["users_blocked", "embed_ignored"])
@pytest.mark.parametrize("face", FACES, ids=["lsr-pretty", "newsbox-plain"])
def test_crippled_rest_still_stores_every_author_and_category(site, face, fault, sqlite_url):
    truth = face_ground_truth(site, face)
    result, base_url, requests = crawl(site, face, fault, sqlite_url)
    assert result.returncode == 0, result.stderr[-3000:]
    dateless = [r["path"] for r in truth["rejects"] if r["reason"] == "missing published_at"]
    problems = differences(
        get_engine(sqlite_url), truth, base_url, site="127.0.0.1", reject_paths=dateless
    )
    assert not problems, "\n".join(problems[:20])
    run = the_run(sqlite_url)
    assert (run.status, run.discovery, run.failure) == ("finished", "rest", None)
    assert run.field_sources == expected_sources(site, fault)

    routes = Counter(rest_route(path) for path in requests)
    authors = {f"wp/v2/users/{AUTHOR_BY_LOGIN[p.author].id}" for p in site.posts}
    users = {route for route in routes if route and route.startswith("wp/v2/users")}
    assert users == authors  # each author asked for by ID, never the user list
    pages = routes["wp/v2/posts"]
    assert pages == 2  # 120 posts, 100 a page
    assert sum(routes[u] for u in users) == len(authors)  # once each: names are cached
    html_pages = [p for p in requests if rest_route(p) is None and p not in ("/", "/robots.txt")]
    if fault == "users_blocked":  # the author comes from each post's own page
        assert len(html_pages) == len(site.posts)
        assert routes["wp/v2/categories"] == routes["wp/v2/tags"] == 0
    else:  # one terms request per taxonomy and listing page, no HTML
        assert html_pages == []
        assert routes["wp/v2/categories"] == term_lookups(site, "categories")
        assert routes["wp/v2/tags"] == term_lookups(site, "tags")
    assert routes[""] == 1  # the root index, once


def test_authors_lost_everywhere_fail_the_run(site, sqlite_url) -> None:
    """Users route blocked and a theme without bylines: the records name an author ID on
    every post, yet no name can be read. The run must not end "finished"."""
    face = Face("lsr", "pretty")
    result, _, _ = crawl(site, face, "users_blocked", sqlite_url, bylines=False)
    run = the_run(sqlite_url)
    listed = len(site.posts)
    assert run.status == "failed"
    assert run.failure == f"Field loss: author empty on {listed} of {listed} posts"
    assert run.field_sources["author"] == {"unresolved": listed}
    assert "monitor failed: Field loss: author empty" in result.stderr


def test_coverage_drop_against_earlier_runs_fails(site, sqlite_url) -> None:
    """A full run that read every author, then a run that reads none: the drop fails it,
    although this run alone could not tell that the site shows authors."""
    face = Face("lsr", "pretty")
    first, _, _ = crawl(site, face, "none", sqlite_url)
    assert first.returncode == 0, first.stderr[-3000:]
    # The second run sees a theme without bylines and no REST at all (sitemap discovery).
    with make_server(site, rest="off", bylines=False) as server:
        run_crawl(server.base_url, sqlite_url, spider="wordpress", spider_args=("mode=full",))
    with get_engine(sqlite_url).connect() as db:
        runs = db.execute(
            select(CrawlRun.status, CrawlRun.discovery, CrawlRun.failure).order_by(CrawlRun.id)
        ).all()
    listed = len(site.posts)
    assert [tuple(run) for run in runs] == [
        ("finished", "rest", None),
        (
            "failed",
            "sitemap",
            f"Field loss: author empty on {listed} of {listed} posts, earlier runs 100%",
        ),
    ]


def test_incremental_run_with_users_blocked_fetches_only_changes(sqlite_url) -> None:
    """Epoch 1 in full, then epoch 2 (posts added, edited, removed) with the users route
    blocked: the sweep lists IDs, the changed records come by ID, their authors from their
    pages, and the corpus equals the epoch-2 ground truth (the removed post kept, gone)."""
    first_site, second_site = SampleSite(epoch=1), SampleSite(epoch=2)
    with make_server(first_site) as server:
        base, port = server.base_url, server.port
        first = run_crawl(base, sqlite_url, spider="wordpress")
        assert first.returncode == 0, first.stderr[-3000:]
    truth = ground_truth(second_site)
    with make_server(second_site, port, rest_fault="users_blocked") as server:
        second = run_crawl(base, sqlite_url, spider="wordpress")
        requests = [path for _, path, _ in server.request_log]
    assert second.returncode == 0, second.stderr[-3000:]
    # The dateless post has no modification time to compare: every incremental run refetches it.
    dateless = [r["path"] for r in truth["rejects"] if r["reason"] == "missing published_at"]
    problems = differences(
        get_engine(sqlite_url), truth, base, site="127.0.0.1", reject_paths=dateless
    )
    removed = truth["removed_paths"]
    assert problems == [f"unexpected post {base}{removed[0]}"]  # kept, marked gone
    changed = sorted(truth["added_paths"] + truth["edited_paths"] + dateless)
    listing = [parse_qs(urlsplit(p).query) for p in requests if rest_route(p) == "wp/v2/posts"]
    sweeps = [q for q in listing if "include" not in q]
    includes = [q for q in listing if "include" in q]
    assert len(sweeps) == math.ceil(len(second_site.posts) / 100)
    assert 1 <= len(includes) <= len(sweeps)  # at most one by-ID request per sweep page
    fetched = sorted(int(i) for q in includes for i in q["include"][0].split(","))
    assert fetched == sorted(int(path.strip("/")) for path in changed)  # only what changed
    pages = sorted(p for p in requests if rest_route(p) is None and p not in ("/", "/robots.txt"))
    assert pages == sorted(changed + removed)  # authors of changed posts, and the removed probe
    with get_engine(sqlite_url).connect() as db:
        runs = db.execute(select(CrawlRun.mode, CrawlRun.status, CrawlRun.field_sources)).all()
    assert [tuple(r)[:2] for r in runs] == [("full", "finished"), ("incremental", "finished")]
    assert runs[1].field_sources["author"] == {"html": len(changed)}
