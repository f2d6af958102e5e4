"""No post lost, none overwritten: a bad post fails alone, the run's counters add up, and a
site whose records claim another site's URLs never changes a row of that site."""

from __future__ import annotations

import json
from html import escape

import pytest
from sqlalchemy import select

from corpus import sharedrun
from corpus.db import get_engine, init_db
from corpus.models import CrawlRun, Post, Reject
from crawler.extensions.corpusrun import field_sources
from crawler.monitors import lost_items
from testing.verify import differences
from tests.corpus_check import run_crawl
from tests.hostile.server import HostileServer, Route

POSTS = 300
BAD_DATE = 150  # its date is in year 1
LONG_AUTHOR = 200  # its author is 300 characters long
PUBLISHED = "2020-03-04T10:00:00+07:00"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def post_page(base: str, number: int) -> str:
    published = "0001-01-01T00:00:00+07:00" if number == BAD_DATE else PUBLISHED
    author = "ກ" * 300 if number == LONG_AUTHOR else "somchan"
    return f"""<!DOCTYPE html><html lang="lo"><head><meta charset="UTF-8">
<title>ຂ່າວ {number}</title><link rel="canonical" href="{base}/{number}/">
<meta property="article:published_time" content="{published}"></head>
<body class="post-template-default single single-post postid-{number}">
<article id="post-{number}" class="post-{number} post type-post status-publish hentry">
<header class="entry-header"><h1 class="entry-title">ຂ່າວ ທີ {number}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published"
datetime="{published}">{published}</time></span>
<span class="byline"><span class="author vcard"><a class="url fn n"
href="{base}/author/somchan/">{escape(author)}</a></span></span></div></header>
<div class="entry-content"><p>ຂໍ້ຄວາມຂອງຂ່າວ ທີ {number} ກ່ຽວກັບ ນະຄອນຫຼວງວຽງຈັນ.</p></div>
<footer class="entry-footer"><span class="cat-links"><a href="{base}/category/news/"
rel="category tag">ຂ່າວ</a></span></footer></article></body></html>"""


def hostile_site(server: HostileServer) -> None:
    """A WordPress-like site of POSTS posts found through its sitemap, two of them bad."""
    base = server.url
    xml = {"Content-Type": "application/xml"}
    server.route(
        "/wp-sitemap.xml",
        Route(
            headers=xml,
            body=f'<?xml version="1.0"?><sitemapindex xmlns="{SITEMAP}"><sitemap>'
            f"<loc>{base}/wp-sitemap-posts-post-1.xml</loc></sitemap></sitemapindex>",
        ),
    )
    urls = "".join(f"<url><loc>{base}/{n}/</loc></url>" for n in range(1, POSTS + 1))
    server.route(
        "/wp-sitemap-posts-post-1.xml",
        Route(headers=xml, body=f'<?xml version="1.0"?><urlset xmlns="{SITEMAP}">{urls}</urlset>'),
    )
    for number in range(1, POSTS + 1):
        server.route(f"/{number}/", Route(body=post_page(base, number)))


def crawl(base: str, database_url: str, *settings: str):
    result = run_crawl(
        base,
        database_url,
        "CORPUS_BATCH_SIZE=100",
        *settings,
        spider="wordpress",
        spider_args=("discovery=sitemap", "site=hostile"),
        timeout=180,
        memory_limit_mb=2048,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def run_row(database_url: str):
    """The latest crawl run's row."""
    with get_engine(database_url).connect() as db:
        return db.execute(select(CrawlRun).order_by(CrawlRun.id.desc())).first()


def stored(database_url: str) -> tuple[list[int], dict[str, tuple[str, str]]]:
    with get_engine(database_url).connect() as db:
        ids = sorted(db.execute(select(Post.post_id).where(Post.site == "hostile")).scalars())
        rejects = {
            r.url: (r.stage, r.reason)
            for r in db.execute(select(Reject.url, Reject.stage, Reject.reason))
        }
    return ids, rejects


def test_lost_items_names_each_loss() -> None:
    whole = {
        "corpus/pipeline/posts": 10,
        "corpus/store/posts": 8,
        "corpus/validate/rejected": 1,
        "corpus/duplicate_url": 1,
        "corpus/store/rejects": 3,
        "corpus/store/accounted": 11,
    }
    assert lost_items(whole) == []
    assert lost_items({**whole, "corpus/store/accounted": 9}) == [
        "2 of 11 items handed to the corpus lost"
    ]
    assert lost_items({**whole, "corpus/store/lost": 1}) == [
        "1 of 11 items handed to the corpus lost"
    ]
    assert lost_items({**whole, "corpus/pipeline/posts": 13}) == [
        "3 of 13 posts lost in the pipelines"
    ]


@pytest.mark.e2e
def test_one_bad_post_among_300_is_one_reject(database_url: str) -> None:
    with HostileServer() as server:
        hostile_site(server)
        crawl(server.url, database_url)
    ids, rejects = stored(database_url)
    assert ids == [n for n in range(1, POSTS + 1) if n != BAD_DATE]
    assert rejects == {
        f"{server.url}/{BAD_DATE}/": (
            "validate",
            "published_at 0001-01-01T00:00:00+07:00 is before 1900-01-01",
        )
    }
    with get_engine(database_url).connect() as db:
        author = db.execute(select(Post.author).where(Post.post_id == LONG_AUTHOR)).scalar_one()
    assert author == "ກ" * 255  # truncated to its column, on either backend
    run = run_row(database_url)
    assert (run.status, run.failure) == ("finished", None)
    assert (run.posts_new, run.rejected) == (POSTS - 1, 1)  # scraped = stored + rejected


@pytest.mark.e2e
def test_without_validation_the_writer_still_loses_nothing(postgres_url: str) -> None:
    """The second line of defence: what the database refuses becomes a store reject."""
    pipelines = {
        "pipelines.clean.CleanPipeline": 100,
        "pipelines.dedup.DedupPipeline": 300,
        "pipelines.store.StorePipeline": 400,
    }
    with HostileServer() as server:
        hostile_site(server)
        crawl(server.url, postgres_url, f"ITEM_PIPELINES={json.dumps(pipelines)}")
    ids, rejects = stored(postgres_url)
    assert ids == [n for n in range(1, POSTS + 1) if n not in (LONG_AUTHOR, BAD_DATE)]
    refused = "database refused the post: "
    assert rejects == {
        f"{server.url}/{LONG_AUTHOR}/": (
            "store",
            refused + "StringDataRightTruncation: value too long for type character varying(255)",
        ),
        f"{server.url}/{BAD_DATE}/": ("store", refused + "OverflowError: date value out of range"),
    }
    run = run_row(postgres_url)
    assert (run.status, run.failure) == ("finished", None)
    assert (run.posts_new, run.rejected) == (POSTS - 2, 2)


@pytest.mark.e2e
def test_a_site_claiming_another_sites_urls_changes_none_of_its_rows(
    server, truth, database_url: str
) -> None:
    """Site "mirror" serves REST records whose links are site lsr's very URLs."""
    base = server.base_url
    first = run_crawl(base, database_url)
    assert first.returncode == 0, first.stderr[-3000:]
    engine = get_engine(database_url)
    with engine.connect() as db:
        before = [tuple(r) for r in db.execute(select(Post).order_by(Post.id)).all()]
        rejects_before = [tuple(r) for r in db.execute(select(Reject).order_by(Reject.id))]
    second = run_crawl(
        base, database_url, spider="wordpress", spider_args=("discovery=rest", "site=mirror")
    )
    assert second.returncode == 0, second.stderr[-3000:]
    with engine.connect() as db:
        lsr = select(Post).where(Post.site == "lsr").order_by(Post.id)
        after = [tuple(r) for r in db.execute(lsr).all()]
        lsr_rejects = select(Reject).where(Reject.site == "lsr").order_by(Reject.id)
        rejects_after = [tuple(r) for r in db.execute(lsr_rejects)]
    assert after == before and rejects_after == rejects_before
    listed = [r["path"] for r in truth["rejects"] if r["reason"] == "missing published_at"]
    mirrored = differences(engine, truth, base, site="mirror", reject_paths=listed)
    assert mirrored == []  # and the mirror has every post of its own, at the same URLs
    run = run_row(database_url)
    assert run.posts_new == len(truth["posts"])
    # which source gave each field, one count per post the REST records gave (dateless too)
    assert {field: sum(counts.values()) for field, counts in run.field_sources.items()} == (
        dict.fromkeys(run.field_sources, run.posts_new + run.rejected)
    )
    assert "author" in run.field_sources


def test_field_sources_from_stats_and_summed_across_workers(sqlite_url: str) -> None:
    stats = {
        "corpus/field_source/author/rest-embed": 3,
        "corpus/field_source/author/html": 1,
        "corpus/field_source/categories/terms-endpoint": 4,
        "corpus/field_source/broken": 2,  # no source: not a field count
        "corpus/posts_new": 4,
    }
    sources = field_sources(stats)
    assert sources == {
        "author": {"html": 1, "rest-embed": 3},
        "categories": {"terms-endpoint": 4},
    }
    engine = init_db(sqlite_url)
    run_id = sharedrun.open_run(engine, "lsr", {"base_url": "http://127.0.0.1:9"})
    one, two = sharedrun.join(engine, run_id, "a:1"), sharedrun.join(engine, run_id, "b:2")
    sharedrun.report(engine, run_id, one, {}, {}, None, sources)
    sharedrun.report(engine, run_id, two, {}, {}, None, {"author": {"html": 2, "users": 1}})
    assert sharedrun.run_row(engine, run_id)["field_sources"] == {
        "author": {"html": 3, "rest-embed": 3, "users": 1},
        "categories": {"terms-endpoint": 4},
    }
