"""Hostile sites against ``scrapy crawl wordpress``: scope, bounds, size limits, robots.txt.

Each test serves one attack from tests/hostile/server.py and asserts what the crawler did:
which requests reached which origin (a second server stands for "any other host" and must
see none), what it stored or rejected and with which reason, and how the run ended. Every
crawl is a subprocess with a timeout and an address-space limit, so a regression fails
instead of hanging or exhausting CI.
"""

from __future__ import annotations

import ast
import itertools
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from corpus.db import get_engine
from corpus.models import CrawlRun
from tests.corpus_check import posts_by_url, rejects, run_crawl
from tests.hostile import HostileServer, Route, gzip_zeros, pages

pytestmark = pytest.mark.e2e

MEMORY_MB = 1024  # the audit saw 1 GB (sitemap) and 4.9 GB (file:///dev/zero)
XML = {"Content-Type": "application/xml; charset=utf-8"}
QUICK = (
    "DOWNLOAD_TIMEOUT=5",
    "RETRY_TIMES=1",
    "RETRY_BACKOFF_BASE=0.01",
    "MEMUSAGE_CHECK_INTERVAL_SECONDS=0.25",  # memusage/max: the peak, not the start
)


class Crawl:
    def __init__(self, result: subprocess.CompletedProcess, database_url: str) -> None:
        self.log = result.stderr
        self.returncode = result.returncode
        self.database_url = database_url
        self.stats = _stats(result.stderr)

    def run(self) -> CrawlRun:
        with get_engine(self.database_url).connect() as db:
            return db.execute(select(CrawlRun)).one()

    def posts(self) -> set[str]:
        return set(posts_by_url(self.database_url))

    def rejects(self) -> dict[str, str]:
        return rejects(self.database_url)


def _stats(log: str) -> dict:
    """The stats Scrapy dumps at close, as a dict (numbers and strings only)."""
    found = {}
    for key, value in re.findall(r"^[ {]'([^']+)': (.*?),?}?$", log, flags=re.M):
        try:
            found[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            found[key] = value
    return found


def crawl(
    site: HostileServer,
    database_url: str,
    *settings: str,
    discovery: str = "archive",
    timeout: float = 60,
    memory_mb: int = MEMORY_MB,
) -> Crawl:
    result = run_crawl(
        site.url,
        database_url,
        *QUICK,
        *settings,
        spider="wordpress",
        spider_args=(f"discovery={discovery}",),
        timeout=timeout,
        memory_limit_mb=memory_mb,
    )
    assert "MemoryError" not in result.stderr, result.stderr[-3000:]
    return Crawl(result, database_url)


def serve_posts(site: HostileServer) -> None:
    """Every /p/N/ is post N."""

    def post(seen) -> Route:
        number = int(seen.path.strip("/").rsplit("/", 1)[-1])
        return Route(body=pages.post_page(f"http://{seen.headers['host']}{seen.path}", number))

    site.route("/p/*", post)


def post_urls(site: HostileServer, numbers) -> list[str]:
    return [f"{site.url}/p/{n}/" for n in numbers]


@pytest.fixture
def site():
    with HostileServer() as server:
        serve_posts(server)
        yield server


@pytest.fixture
def other():
    """Another origin (same host, another port): whatever happens, it sees no request."""
    with HostileServer() as server:
        server.route("/*", Route(body=pages.post_page("http://elsewhere/", 99)))
        yield server
        assert server.requests == [], server.paths()


# -- 1. scope: no request leaves the site's origin ----------------------------------------------


def test_rest_root_advertised_on_another_origin_is_not_contacted(site, other, sqlite_url):
    link = f'<{other.url}/wp-json/>; rel="https://api.w.org/"'
    site.route("/", Route(headers={"Link": link}, body=pages.listing(post_urls(site, [1]))))
    result = crawl(site, sqlite_url, discovery="rest")
    # The site's own default roots were tried instead (and answered 404); ``other`` saw nothing.
    assert "/wp-json/wp/v2/posts" in {seen.path for seen in site.requests}
    assert result.posts() == set()


def test_rest_root_at_a_file_url_is_never_read(site, sqlite_url):
    link = '<file:///dev/zero?rest_route=/>; rel="https://api.w.org/"'
    site.route("/", Route(headers={"Link": link}, body="<html></html>"))
    result = crawl(site, sqlite_url, discovery="rest", memory_mb=600)
    # REST is the only source allowed and none answers: a failed run (`scrapy crawl` exits 1
    # since the lifecycle, crawler/commands/crawl.py), not a crash
    assert result.returncode == 1 and result.run().failure.startswith("Error rate: ")
    assert "/wp-json/wp/v2/posts" in {seen.path for seen in site.requests}
    assert result.stats["memusage/max"] < 400 * 2**20  # /dev/zero took 4.9 GB
    assert result.posts() == set()


def test_meta_refresh_to_another_origin_is_a_reject(site, other, sqlite_url):
    refresh = f'<meta http-equiv="refresh" content="0; url={other.url}/">'
    site.route("/", Route(body=pages.listing([], head=refresh)))
    result = crawl(site, sqlite_url)
    assert result.rejects() == {f"{site.url}/": "meta refresh off-site"}


def test_meta_refresh_on_the_site_is_followed(site, sqlite_url):
    refresh = '<meta http-equiv="refresh" content="0; url=/home/">'
    site.route("/", Route(body=pages.listing([], head=refresh)))
    site.route("/home/", Route(body=pages.listing(post_urls(site, [4]))))
    result = crawl(site, sqlite_url)
    assert result.posts() == set(post_urls(site, [4]))
    assert result.rejects() == {}


def test_redirect_to_another_port_of_the_same_host_is_a_reject(site, other, sqlite_url):
    site.route("/", Route(body=pages.listing(post_urls(site, [1, 2]))))
    site.route("/p/2/", Route(status=302, headers={"Location": f"{other.url}/p/2/"}))
    result = crawl(site, sqlite_url)
    assert result.posts() == set(post_urls(site, [1]))
    assert result.rejects() == {f"{site.url}/p/2/": "redirect off-site"}


def test_an_extra_host_of_the_site_is_crawled_and_nothing_else(site, sqlite_url, tmp_path):
    """``localhost`` names the same server: allowed only when the site lists it."""
    other_name = f"http://localhost:{site.port}/p/2/"
    site.route("/", Route(body=pages.listing([*post_urls(site, [1]), other_name])))
    result = crawl(site, sqlite_url)
    assert result.posts() == set(post_urls(site, [1]))
    assert [seen.headers["host"] for seen in site.requests if seen.path == "/p/2/"] == []

    result = crawl(site, tmp_sqlite(tmp_path), "CORPUS_EXTRA_HOSTS=localhost")
    assert result.posts() == {*post_urls(site, [1]), other_name}


def test_local_files_listed_by_a_sitemap_or_next_link_are_never_read(
    site, sqlite_url, tmp_path: Path
):
    """A post-shaped local file would be stored as a post if anything read it."""
    local = tmp_path / "local-post.html"
    local.write_text(pages.post_page("http://127.0.0.1/local/", 666), encoding="utf-8")
    host = f"127.0.0.1:{site.port}"
    hostile = [f"file://{host}{local}", f"file://{local}", "javascript:alert(1)", "ftp://x/y"]
    site.route(
        "/wp-sitemap.xml", Route(headers=XML, body=pages.urlset([*hostile, *post_urls(site, [1])]))
    )
    result = crawl(site, sqlite_url, discovery="sitemap")
    assert result.posts() == set(post_urls(site, [1]))
    assert result.rejects() == {}
    assert result.stats["corpus/offsite_skipped"] == 4
    assert "corpus/offsite_refused" not in result.stats  # never even asked the downloader

    site.route("/", Route(body=pages.listing(post_urls(site, [2]), next_page=f"file://{local}")))
    result = crawl(site, tmp_sqlite(tmp_path), discovery="archive")
    assert result.posts() == set(post_urls(site, [2]))
    assert f"not following file://{local}" in result.log


def tmp_sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'second.sqlite'}"


# -- 2. bounds: memory and time -------------------------------------------------------------------


def test_a_15_mb_sitemap_is_streamed_not_queued(site, sqlite_url):
    """300,000 URLs: the queue holds a chunk at a time; the run ends on its budget."""
    entries = post_urls(site, range(1, 300_001))
    body = pages.urlset(entries).encode()
    assert len(body) > 15 * 2**20 - 2**20  # about 15 MB, under DOWNLOAD_MAXSIZE (16 MB)
    site.route("/wp-sitemap.xml", Route(headers=XML, body=body))
    result = crawl(
        site, sqlite_url, "CLOSESPIDER_PAGECOUNT=300", discovery="sitemap", memory_mb=800
    )
    assert result.stats["finish_reason"] == "closespider_pagecount"
    # Queued: the sitemap, chunks of 500 posts and their continuation requests; not 300,000.
    assert result.stats["scheduler/enqueued"] <= 3 * 500
    assert result.stats["memusage/max"] < 500 * 2**20
    run = result.run()
    assert (run.status, run.finish_reason) == ("failed", "closespider_pagecount")
    assert "budget exhausted: CLOSESPIDER_PAGECOUNT=300" in run.failure


def test_a_listing_page_with_200000_links_is_read_quickly(site, sqlite_url):
    links = "".join(f'<a rel="bookmark" href="/p/{n}/">{n}</a>' for n in range(1, 200_001))
    site.route("/", Route(body=f"<html><body>{links}</body></html>"))
    result = crawl(site, sqlite_url, "CLOSESPIDER_PAGECOUNT=100", timeout=90)
    assert result.rejects() == {}
    assert result.stats["finish_reason"] == "closespider_pagecount"
    assert result.stats["scheduler/enqueued"] <= 3 * 500


def test_a_pagination_trap_alternating_two_pages_ends(site, sqlite_url):
    """Page N lists posts A (odd N) or B (even N) and always links to page N+1."""

    def page(seen) -> Route:
        number = int(seen.path.strip("/").rsplit("/", 1)[-1] or 1)
        posts = [1, 2] if number % 2 else [3, 4]
        return Route(body=pages.listing(post_urls(site, posts), f"/page/{number + 1}/"))

    site.route("/", page)
    site.route("/page/*", page)
    result = crawl(site, sqlite_url)
    listing_pages = [p for p in site.paths() if not p.startswith(("/p/", "/robots"))]
    assert listing_pages == ["/", "/page/2/", "/page/3/"]
    assert result.posts() == set(post_urls(site, [1, 2, 3, 4]))
    assert result.stats["finish_reason"] == "finished"
    assert "/page/3/ lists no post an earlier page of it did not" in result.log


def test_an_endless_listing_stops_at_its_page_cap(site, sqlite_url):
    def page(seen) -> Route:
        number = int(seen.path.strip("/").rsplit("/", 1)[-1] or 1)
        return Route(body=pages.listing(post_urls(site, [number]), f"/page/{number + 1}/"))

    site.route("/", page)
    site.route("/page/*", page)
    result = crawl(site, sqlite_url, "CORPUS_MAX_LISTING_PAGES=5")
    assert result.posts() == set(post_urls(site, range(1, 6)))
    assert "/page/6/" not in site.paths()
    assert "CORPUS_MAX_LISTING_PAGES (5 pages)" in result.log
    assert result.stats["corpus/limits_hit"] == 1


def test_an_endless_chain_of_sitemap_indexes_ends(site, sqlite_url):
    def index(seen) -> Route:
        number = int(re.sub(r"\D", "", seen.path) or 0)
        child = f"{site.url}/wp-sitemap-posts-post-{number + 1}.xml"
        return Route(headers=XML, body=pages.sitemap_index([child]))

    site.route("/wp-sitemap.xml", index)
    site.route("/wp-sitemap-posts-post-*", index)
    result = crawl(site, sqlite_url, "CORPUS_MAX_SITEMAP_DEPTH=3", discovery="sitemap")
    sitemaps = [p for p in site.paths() if "sitemap" in p]
    assert sitemaps == [
        "/wp-sitemap.xml",
        "/wp-sitemap-posts-post-1.xml",
        "/wp-sitemap-posts-post-2.xml",
    ]
    assert "nests deeper than CORPUS_MAX_SITEMAP_DEPTH (3)" in result.log


def test_a_wide_sitemap_index_stops_at_the_sitemap_cap(site, sqlite_url):
    children = [f"{site.url}/wp-sitemap-posts-post-{n}.xml" for n in range(1, 11)]
    site.route("/wp-sitemap.xml", Route(headers=XML, body=pages.sitemap_index(children)))
    for n in range(1, 11):
        body = pages.urlset(post_urls(site, [n]))
        site.route(f"/wp-sitemap-posts-post-{n}.xml", Route(headers=XML, body=body))
    result = crawl(site, sqlite_url, "CORPUS_MAX_SITEMAPS=4", discovery="sitemap")
    assert result.posts() == set(post_urls(site, range(1, 5)))
    assert "more than CORPUS_MAX_SITEMAPS (4) sitemaps" in result.log


# -- 3. size limits become rejects with a reason --------------------------------------------------


def test_a_gzip_bomb_post_is_a_reject_with_its_reason(site, sqlite_url):
    site.route("/", Route(body=pages.listing(post_urls(site, [1, 2]))))
    bomb = Route(headers={"Content-Encoding": "gzip"}, body=gzip_zeros(64))
    site.route("/p/2/", bomb)
    result = crawl(site, sqlite_url, memory_mb=800)
    assert result.posts() == set(post_urls(site, [1]))
    assert result.rejects() == {f"{site.url}/p/2/": "page larger than 16 MB after decompression"}


def test_a_50_mb_sitemap_is_a_reject_with_its_reason(site, sqlite_url):
    child = f"{site.url}/wp-sitemap-posts-post-1.xml"
    site.route("/wp-sitemap.xml", Route(headers=XML, body=pages.sitemap_index([child])))

    def fifty_megabytes():  # sent chunked, without Content-Length
        yield b'<?xml version="1.0"?><urlset>'
        entry = f"<url><loc>{site.url}/p/1/</loc></url>".encode()
        block = entry * (2**20 // len(entry))
        for _ in range(50):
            yield block

    site.route("/wp-sitemap-posts-post-1.xml", Route(headers=XML, body=fifty_megabytes))
    result = crawl(site, sqlite_url, discovery="sitemap", memory_mb=800)
    assert result.rejects() == {child: "page larger than 16 MB"}


# -- 4. robots.txt --------------------------------------------------------------------------------


def test_robots_txt_answering_500_disallows_the_whole_site(site, sqlite_url):
    site.route("/robots.txt", Route(status=500))
    site.route("/", Route(body=pages.listing(post_urls(site, [1]))))
    result = crawl(site, sqlite_url)
    assert site.paths() == ["/robots.txt", "/robots.txt"]  # one retry, then nothing
    assert "robots.txt forbids the whole site" in result.log
    run = result.run()
    assert (run.status, run.finish_reason) == ("failed", "robotstxt_forbidden")
    why = "robots.txt forbids the whole site (robots.txt is unreachable: HTTP 500)"
    assert f"Finish reason: {why}" in run.failure


def test_robots_txt_that_times_out_is_tried_twice_briefly(site, sqlite_url):
    site.route("/robots.txt", Route(delay=4, body="User-agent: *\nAllow: /\n"))
    site.route("/", Route(body=pages.listing(post_urls(site, [1]))))
    result = crawl(site, sqlite_url, "ROBOTSTXT_TIMEOUT=1")
    assert site.paths() == ["/robots.txt", "/robots.txt"]
    assert "unreachable (TimeoutError after 2 tries)" in result.log
    assert result.run().finish_reason == "robotstxt_forbidden"


def test_robots_txt_answering_404_allows_everything(site, sqlite_url):
    site.route("/", Route(body=pages.listing(post_urls(site, [1]))))
    result = crawl(site, sqlite_url)
    assert result.posts() == set(post_urls(site, [1]))
    assert result.run().status == "finished"


def test_robots_txt_crawl_delay_spaces_the_requests(site, sqlite_url):
    site.route("/robots.txt", Route(body="User-agent: *\nCrawl-delay: 1\nAllow: /\n"))
    site.route("/", Route(body=pages.listing(post_urls(site, [1, 2, 3]))))
    result = crawl(site, sqlite_url, "ROBOTSTXT_CRAWL_DELAY_ON_LOOPBACK=True")
    assert result.posts() == set(post_urls(site, [1, 2, 3]))
    assert result.stats["corpus/robotstxt_crawl_delay"] == 1.0
    arrivals = [seen.at for seen in site.requests if seen.path != "/robots.txt"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    # Scrapy spaces the sends; on a busy machine one arrival may come a little early when the
    # one before it was late, so each gap may lose some of the delay but never the total.
    assert len(gaps) == 3 and min(gaps) >= 0.8 and sum(gaps) >= 3 * 0.95, gaps


def test_robots_txt_crawl_delay_is_not_applied_to_a_loopback_mirror(site, sqlite_url):
    site.route("/robots.txt", Route(body="User-agent: *\nCrawl-delay: 30\n"))
    site.route("/", Route(body=pages.listing(post_urls(site, [1, 2]))))
    result = crawl(site, sqlite_url, timeout=30)
    assert result.posts() == set(post_urls(site, [1, 2]))
    assert "corpus/robotstxt_crawl_delay" not in result.stats


# -- streaming keeps a normal site whole ---------------------------------------------------------


@pytest.mark.parametrize("discovery", ["sitemap", "archive"])
def test_streamed_in_small_chunks_the_sample_site_equals_its_ground_truth(
    site_truth, discovery: str, sqlite_url: str
) -> None:
    """Chunks of 7: every sitemap and listing page is handed out over several continuations,
    in a full and then an incremental crawl; the corpus is still exactly the ground truth."""
    from testing.samplesite.faces import Face, face_ground_truth
    from testing.samplesite.server import make_server
    from testing.verify import differences

    sample, face = site_truth, Face("lsr", "pretty", "on")
    truth = face_ground_truth(sample, face)
    dateless = [r["path"] for r in truth["rejects"] if r["reason"] == "missing published_at"]
    with make_server(sample, theme=face.theme, permalinks=face.permalinks, rest=face.rest) as srv:
        for mode in ("full", "incremental"):
            result = run_crawl(
                srv.base_url,
                sqlite_url,
                "CORPUS_STREAM_CHUNK=7",
                spider="wordpress",
                spider_args=(f"discovery={discovery}", "site=lsr", f"mode={mode}"),
                timeout=300,
                memory_limit_mb=MEMORY_MB,
            )
            assert result.returncode == 0, result.stderr[-3000:]
            problems = differences(
                get_engine(sqlite_url), truth, srv.base_url, reject_paths=dateless
            )
            assert not problems, (mode, problems[:20])
    if discovery == "sitemap":  # lastmod says "unchanged" for all (an archive stops early)
        assert _stats(result.stderr)["corpus/posts_unchanged"] == len(truth["posts"])


@pytest.fixture
def site_truth():
    from testing.samplesite.server import SampleSite

    return SampleSite(posts=120, seed=1)
