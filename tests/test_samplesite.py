"""The sample site, exercised over real HTTP: exact behaviour, traps and ground truth.

Why: every end-to-end crawl test trusts this stand-in for lsr.com.la; if it drifts from its
ground truth, crawler bugs hide. Only the standard library is used to talk to it.
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import re
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from testing.samplesite import SampleSite, SampleSiteServer, check_clean, ground_truth, make_server
from testing.samplesite.content import english_date
from testing.samplesite.faces import Face, face_ground_truth, multipage
from testing.samplesite.lexicon import BOILERPLATE

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ROOT = Path(__file__).resolve().parent.parent


# --- helpers ----------------------------------------------------------------------------------


def undirty(fragment: str) -> str:
    """Inverse of testing.samplesite.dirty for an HTML fragment: these tests' reference cleaner."""
    text = unescape(re.sub(r"<[^>]+>", "", fragment))
    text = text.translate({ord(z): None for z in ZERO_WIDTH}).replace("\xa0", " ")
    text = " ".join(text.split())
    text = re.sub("\u0ecd([\u0ec8-\u0ecb])\u0eb2", "\\1\u0eb3", text)  # ໍ+tone+າ → tone+ຳ
    text = text.replace("\u0ecd\u0eb2", "\u0eb3")  # ໍ+າ → ຳ
    return re.sub("([\u0ec8-\u0ecb])([\u0eb1\u0eb4-\u0eb7\u0ebb\u0ecd\u0ebc])", "\\2\\1", text)


def content_html(page: str) -> str:
    """The post's own paragraphs: .entry-content up to the share buttons."""
    body = page.split('<div class="entry-content">', 1)[1]
    return body.split('<div class="sharedaddy', 1)[0]


def paragraphs(page: str) -> list[str]:
    """Clean paragraphs of a post page, empty and image-only ones dropped."""
    found = (undirty(p) for p in re.findall(r"<p>(.*?)</p>", content_html(page), re.S))
    return [p for p in found if p]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    """GET without following redirects; returns (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def get_text(url: str) -> str:
    """GET that must succeed, retrying a 503 after Retry-After as a polite crawler would."""
    status, headers, body = fetch(url)
    if status == 503:
        time.sleep(float(headers.get("Retry-After", "1")) / 20)
        status, headers, body = fetch(url)
    assert status == 200, (url, status)
    return body.decode("utf-8")


def later_pages(page: str) -> list[str]:
    """Clean paragraphs of pages 2.. of a post split with <!--nextpage--> (wp_link_pages)."""
    block = re.search(r'<div class="page-links">(.*?)</div>', page)
    hrefs = re.findall(r'<a href="([^"]+)" class="post-page-numbers">', block[1] if block else "")
    return [p for href in hrefs for p in paragraphs(get_text(unescape(href)))]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> SampleSite:
    return SampleSite(posts=120, seed=1)


@pytest.fixture(scope="module")
def truth(site: SampleSite) -> dict[str, Any]:
    return ground_truth(site)


@pytest.fixture(scope="module")
def server(site: SampleSite) -> Iterator[SampleSiteServer]:
    with make_server(site, port=0) as srv:
        yield srv


@pytest.fixture(scope="module")
def base(server: SampleSiteServer) -> str:
    return server.base_url


# --- archive pages, traps ---------------------------------------------------------------------


def test_home_pagination_reaches_last_page_then_404(site: SampleSite, base: str) -> None:
    url: str | None = base + "/"
    seen: list[int] = []
    pages = 0
    while url:
        page = get_text(url)
        pages += 1
        main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
        seen += [int(i) for i in re.findall(r'<article id="post-(\d+)"', main)]
        nxt = re.search(r'<a class="next page-numbers" href="([^"]+)"', page)
        url = nxt.group(1) if nxt else None
    assert pages == math.ceil(120 / 10) == 12
    assert seen == [p.id for p in site.newest]  # newest first, every post once
    assert fetch(f"{base}/page/13/")[0] == 404
    assert fetch(f"{base}/page/1/")[0] == 301
    assert fetch(f"{base}/no/such/thing/")[0] == 404


def test_transient_503_once_then_200(site: SampleSite, truth: dict[str, Any]) -> None:
    assert truth["transient"] == {"/page/3/": 1}
    with make_server(site) as srv:
        status, headers, _ = fetch(srv.base_url + "/page/3/")
        assert (status, headers["Retry-After"]) == (503, "1")
        assert fetch(srv.base_url + "/page/3/")[0] == 200
        assert fetch(srv.base_url + "/page/3/")[0] == 200
        assert srv.request_log == [
            ("GET", "/page/3/", 503),
            ("GET", "/page/3/", 200),
            ("GET", "/page/3/", 200),
        ]


def test_dead_link_in_sidebar_404s(site: SampleSite, truth: dict[str, Any], base: str) -> None:
    dead = f"/{site.dead_id}/"
    assert {"path": dead, "reason": "HTTP 404"} in truth["rejects"]
    assert site.posts[0].id < site.dead_id < site.posts[-1].id
    assert site.dead_id not in site.by_id
    for path in ("/", f"/{site.posts[5].id}/", "/category/news/"):
        sidebar = get_text(base + path).split('id="recent-posts-2"', 1)[1].split("</section>")[0]
        assert f'href="{base}{dead}"' in sidebar
    assert fetch(base + dead)[0] == 404
    assert fetch(f"{base}/?p={site.dead_id}")[0] == 404


def test_robots_txt(base: str) -> None:
    status, headers, body = fetch(base + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert body.decode() == (
        "User-agent: *\nDisallow: /wp-admin/\nDisallow: /category/members/\n"
        f"Allow: /wp-admin/admin-ajax.php\n\nSitemap: {base}/wp-sitemap.xml\n"
    )


def test_members_category_is_linked_everywhere_and_shared(
    site: SampleSite, truth: dict[str, Any], base: str
) -> None:
    assert truth["disallowed_prefixes"] == ["/wp-admin/", "/category/members/"]
    for path in ("/", f"/{site.posts[0].id}/", "/tag/asean/", "/no-such-page/"):
        _, _, body = fetch(base + path)
        assert f'href="{base}/category/members/"' in body.decode()
    members = [p for p in truth["posts"] if "ສະມາຊິກ" in p["categories"]]
    assert members and all(len(p["categories"]) >= 2 for p in members)


# --- post pages against the ground truth ------------------------------------------------------


def test_every_post_page_matches_ground_truth(
    site: SampleSite, truth: dict[str, Any], base: str
) -> None:
    assert truth["post_count"] == 120 and len(truth["posts"]) == 119
    multipage_id, _ = multipage(site)
    conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=10)
    dirty_seen = 0
    for expected in truth["posts"]:
        conn.request("GET", expected["path"])
        response = conn.getresponse()
        page = response.read().decode("utf-8")
        assert response.status == 200, expected["path"]
        h1 = re.search(r'<h1 class="entry-title">(.*?)</h1>', page, re.S)
        assert h1 and undirty(h1.group(1)) == expected["title"]
        assert paragraphs(page) + later_pages(page) == expected["text"].split("\n\n")
        assert ('<div class="page-links">' in page) == (expected["post_id"] == multipage_id)
        assert f'href="{base}/author/{expected["author"]}/">{expected["author"]}</a>' in page
        footer = page.split('<footer class="entry-footer">', 1)[1].split("</footer>", 1)[0]
        cats = footer.split('class="cat-links"', 1)[1].split("</span>", 1)[0]
        assert re.findall(r'rel="category tag">([^<]+)</a>', cats) == expected["categories"]
        assert re.findall(r'rel="tag">([^<]+)</a>', footer) == expected["tags"]
        posted = re.search(r'<span class="posted-on">(.*?)</span>', page)
        assert posted, expected["path"]
        stamp = re.search(r'<time class="entry-date published" datetime="([^"]+)"', posted[1])
        if stamp:
            assert stamp.group(1) == expected["published_at"]
        else:  # visible date only: that day at midnight
            assert expected["published_at"].endswith("T00:00:00+07:00")
            day = expected["published_at"][:10]
            assert f">{english_date(site.by_id[expected['post_id']].published)}</a>" in posted[1]
            assert site.by_id[expected["post_id"]].published.date().isoformat() == day
        updated = re.search(r'<time class="updated" datetime="([^"]+)"', page)
        assert (updated.group(1) if updated else None) == expected["modified_at"]
        for junk in ("Comments are closed.", "ແບ່ງປັນ:", "not content"):
            assert junk not in expected["text"]
        raw = content_html(page)
        if expected["path"] in truth["dirty_paths"]:
            dirty_seen += 1
            assert any(z in raw for z in ZERO_WIDTH)
        else:
            assert not any(z in raw for z in ZERO_WIDTH + "\xa0")
    conn.close()
    assert dirty_seen >= len(truth["posts"]) // 3 - 1


def test_dateless_post_is_served_but_rejected(
    site: SampleSite, truth: dict[str, Any], base: str
) -> None:
    path = f"/{site.dateless_id}/"
    assert {"path": path, "reason": "missing published_at"} in truth["rejects"]
    assert path not in {p["path"] for p in truth["posts"]}
    page = get_text(base + path)
    assert 'class="posted-on"' not in page and "<time" not in page
    assert "article:modified_time" not in page
    status, headers, _ = fetch(base + path)
    assert status == 200 and headers.get("Last-Modified") is None
    record = json.loads(get_text(f"{base}/wp-json/wp/v2/posts/{site.dateless_id}"))
    assert record["date"] is None and record["modified"] is None
    home = "".join(get_text(f"{base}/page/{k}/") for k in range(2, 13)) + get_text(base + "/")
    assert f'<article id="post-{site.dateless_id}"' in home


def test_exact_repost(site: SampleSite, truth: dict[str, Any], base: str) -> None:
    (pair,) = truth["reposts"]
    by_path = {p["path"]: p for p in truth["posts"]}
    new, old = by_path[pair["path"]], by_path[pair["original_path"]]
    assert new["post_id"] > old["post_id"] and new["published_at"] > old["published_at"]
    assert (new["title"], new["text"], new["categories"]) == (
        old["title"],
        old["text"],
        old["categories"],
    )
    assert new["duplicate_of_path"] == old["path"] and old["duplicate_of_path"] is None
    assert [p for p in truth["posts"] if p["duplicate_of_path"]] == [new]
    order = [p.id for p in site.newest]
    assert order.index(new["post_id"]) < order.index(old["post_id"])
    same_title = [n for n in truth["near_duplicates"] if n["edit"] != "headline"]
    assert len({p["title"] for p in truth["posts"]}) == len(truth["posts"]) - 1 - len(same_title)


def test_near_duplicate_reposts(site: SampleSite, truth: dict[str, Any]) -> None:
    planted = truth["near_duplicates"]
    assert sorted(n["edit"] for n in planted) == ["credit", "headline", "paragraph", "words"]
    by_path = {p["path"]: p for p in truth["posts"]}
    exact = {truth["reposts"][0]["path"], truth["reposts"][0]["original_path"]}
    for pair in planted:
        new, old = by_path[pair["path"]], by_path[pair["original_path"]]
        assert new["post_id"] > old["post_id"] and new["published_at"] > old["published_at"]
        assert new["duplicate_of_path"] is None and new["text"] != old["text"]
        assert (new["author"], new["categories"], new["tags"]) == (
            old["author"],
            old["categories"],
            old["tags"],
        )
        assert (new["title"] == old["title"]) == (pair["edit"] != "headline")
        assert not {pair["path"], pair["original_path"]} & exact
        new_paras, old_paras = new["text"].split("\n\n"), old["text"].split("\n\n")
        if pair["edit"] == "credit":
            assert new_paras[:-1] == old_paras and len(new_paras[-1]) < 60
        elif pair["edit"] == "paragraph":
            assert len(new_paras) == len(old_paras) - 1 and set(new_paras) < set(old_paras)
        else:  # one figure, or three words, edited in place
            changed = [
                (a, b)
                for a, b in zip(old["text"].split(" "), new["text"].split(" "), strict=True)
                if a != b
            ]
            assert len(changed) == (1 if pair["edit"] == "headline" else 3)
    sources = [n["original_path"] for n in planted] + [n["path"] for n in planted]
    assert len(set(sources)) == 2 * len(planted)  # no post plays two parts


def test_unrelated_posts_share_boilerplate(site: SampleSite, truth: dict[str, Any]) -> None:
    by_path = {p["path"]: p for p in truth["posts"]}
    near = {n["path"] for n in truth["near_duplicates"]}
    near |= {n["original_path"] for n in truth["near_duplicates"]}
    assert len(truth["boilerplate"]) == 3
    for group in truth["boilerplate"]:
        first, second = (by_path[path] for path in group["paths"])
        for post in (first, second):
            assert post["text"].startswith(group["opening"] + " ")
            assert post["text"].endswith(" " + group["closing"])
            assert post["path"] not in near
        bodies = [
            p["text"][len(group["opening"]) + 1 : -len(group["closing"]) - 1]
            for p in (first, second)
        ]
        assert not set(bodies[0].split(". ")) & set(bodies[1].split(". "))


def test_titles_carry_entities(truth: dict[str, Any], base: str) -> None:
    amp = next(p for p in truth["posts"] if "&" in p["title"])
    page = get_text(base + amp["path"])
    h1 = re.search(r'<h1 class="entry-title">(.*?)</h1>', page, re.S)
    assert h1 and "&amp;" in h1.group(1) and undirty(h1.group(1)) == amp["title"]
    assert f"<title>{h1.group(1)} | LSR</title>" in page
    assert any(c in p["title"] for p in truth["posts"] for c in '“”–"')


def test_conditional_get_and_last_modified(site: SampleSite, base: str) -> None:
    post = next(p for p in site.posts if p.modified and p.date_style == "time")
    status, headers, _ = fetch(f"{base}/{post.id}/")
    last_modified = headers["Last-Modified"]
    assert status == 200 and last_modified.endswith("GMT")
    assert fetch(f"{base}/{post.id}/", {"If-Modified-Since": last_modified})[0] == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert fetch(f"{base}/{post.id}/", {"If-Modified-Since": older})[0] == 200


def test_html_pages_announce_the_rest_api(site: SampleSite, base: str) -> None:
    for path in ("/", f"/{site.posts[3].id}/", "/author/somchan/"):
        status, headers, body = fetch(base + path)
        assert f'<{base}/wp-json/>; rel="https://api.w.org/"' in headers.get_all("Link")
        assert f'<link rel="https://api.w.org/" href="{base}/wp-json/">' in body.decode()
    status, headers, _ = fetch(f"{base}/?p={site.posts[3].id}")
    assert (status, headers["Location"]) == (301, f"{base}/{site.posts[3].id}/")


def test_absolute_urls_follow_the_host_header(site: SampleSite, base: str) -> None:
    _, _, body = fetch(base + "/", {"Host": "lsr.example:8080"})
    assert 'href="http://lsr.example:8080/category/news/"' in body.decode()
    assert f"{base}/" not in body.decode()


# --- REST API, sitemaps, feed -----------------------------------------------------------------


def test_rest_api_totals_and_paging(site: SampleSite, base: str) -> None:
    index = json.loads(get_text(base + "/wp-json/"))
    assert index["namespaces"] == ["wp/v2"] and "/wp/v2/posts" in index["routes"]
    ids: list[int] = []
    for page in (1, 2):
        status, headers, body = fetch(f"{base}/wp-json/wp/v2/posts?per_page=100&page={page}")
        assert status == 200
        assert (headers["X-WP-Total"], headers["X-WP-TotalPages"]) == ("120", "2")
        ids += [r["id"] for r in json.loads(body)]
    assert ids == [p.id for p in site.newest]
    status, _, body = fetch(f"{base}/wp-json/wp/v2/posts?per_page=100&page=3")
    assert status == 400 and json.loads(body)["code"] == "rest_post_invalid_page_number"
    assert fetch(f"{base}/wp-json/wp/v2/posts?per_page=101")[0] == 400
    status, headers, body = fetch(f"{base}/?rest_route=/wp/v2/posts&page=2&_embed")
    assert status == 200 and headers["X-WP-Total"] == "120" and headers["X-WP-TotalPages"] == "12"
    first = json.loads(body)[0]
    post = site.by_id[first["id"]]
    assert first["_embedded"]["author"][0]["name"] == post.author
    cats, tags = first["_embedded"]["wp:term"]
    assert [c["slug"] for c in cats] == list(post.categories)
    assert [t["slug"] for t in tags] == list(post.tags)
    asc = json.loads(get_text(f"{base}/wp-json/wp/v2/posts?orderby=modified&order=asc&per_page=5"))
    assert [r["id"] for r in asc] == [
        p.id for p in sorted(site.posts, key=lambda p: (p.last_modified, p.id))[:5]
    ]
    for kind, total in (("categories", "9"), ("tags", "16"), ("users", "4")):
        status, headers, _ = fetch(f"{base}/wp-json/wp/v2/{kind}?per_page=100")
        assert (status, headers["X-WP-Total"]) == (200, total)


def test_rest_record_matches_ground_truth(truth: dict[str, Any], base: str) -> None:
    expected = next(p for p in truth["posts"] if p["modified_at"])
    record = json.loads(get_text(f"{base}/wp-json/wp/v2/posts/{expected['post_id']}"))
    assert record["date"] == expected["published_at"][:19]
    assert record["modified"] == expected["modified_at"][:19]
    assert undirty(record["title"]["rendered"]) == expected["title"]
    rendered = record["content"]["rendered"]
    found = [undirty(p) for p in re.findall(r"<p>(.*?)</p>", rendered, re.S)]
    assert [p for p in found if p] == expected["text"].split("\n\n")


def test_sitemap_lists_every_post(site: SampleSite, base: str) -> None:
    status, headers, body = fetch(base + "/wp-sitemap.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    locs = [e.text for e in ET.fromstring(body).iter(SITEMAP_NS + "loc")]
    assert f"{base}/wp-sitemap-posts-post-1.xml" in locs
    assert f"{base}/wp-sitemap-taxonomies-category-1.xml" in locs
    assert f"{base}/wp-sitemap-users-1.xml" in locs
    urls: dict[str, str | None] = {}
    for loc in (x for x in locs if x and "posts-post" in x):
        for url in ET.fromstring(get_text(loc)).iter(SITEMAP_NS + "url"):
            lastmod = url.find(SITEMAP_NS + "lastmod")
            urls[url.findtext(SITEMAP_NS + "loc") or ""] = None if lastmod is None else lastmod.text
    assert set(urls) == {f"{base}/{p.id}/" for p in site.posts}
    seed = site.by_id[site.seed_post_id]
    assert urls[f"{base}/{seed.id}/"] == seed.last_modified.isoformat()
    assert fetch(base + "/wp-sitemap-posts-post-2.xml")[0] == 404


def test_feed_has_the_ten_newest(site: SampleSite, base: str) -> None:
    status, headers, body = fetch(base + "/feed/")
    assert status == 200 and "rss+xml" in headers["Content-Type"]
    items = ET.fromstring(body).findall("./channel/item")
    assert [i.findtext("link") for i in items] == [f"{base}/{p.id}/" for p in site.newest[:10]]
    first = site.newest[0]
    assert items[0].findtext("guid") == f"{base}/?p={first.id}"
    dc = "{http://purl.org/dc/elements/1.1/}creator"
    assert items[0].findtext(dc) == first.author
    assert undirty(items[0].findtext("title") or "") == first.title


# --- protocol ---------------------------------------------------------------------------------


def test_keep_alive_two_requests_one_connection(base: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=10)
    conn.request("GET", "/robots.txt")
    first = conn.getresponse()
    assert first.version == 11 and first.getheader("Content-Length")
    first.read()
    sock = conn.sock
    conn.request("HEAD", "/")
    second = conn.getresponse()
    assert second.status == 200 and int(second.getheader("Content-Length") or 0) > 1000
    assert second.read() == b""
    assert conn.sock is sock  # the same socket served both requests
    conn.close()


def test_main_serves_and_writes_ground_truth(tmp_path: Path) -> None:
    out = tmp_path / "truth.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "testing.samplesite",
            "--port",
            "0",
            "--posts",
            "40",
            "--seed",
            "3",
            "--ground-truth",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        assert fetch(url + "/robots.txt")[0] == 200
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data == face_ground_truth(SampleSite(posts=40, seed=3), Face())
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert err == ""


# --- the model --------------------------------------------------------------------------------


def test_determinism(truth: dict[str, Any], site: SampleSite, base: str) -> None:
    assert ground_truth(SampleSite(posts=120, seed=1)) == truth
    other = ground_truth(SampleSite(posts=120, seed=2))
    assert other != truth and other["posts"][0]["text"] != truth["posts"][0]["text"]
    path = truth["dirty_paths"][0]
    assert fetch(base + path)[2] == fetch(base + path)[2]


def test_clean_text_invariants_hold_for_every_post(site: SampleSite) -> None:
    for post in site.posts:
        for text in (post.title, *site.paragraphs(post)):
            check_clean(text)
            assert unicodedata.is_normalized("NFC", text)
            assert not any(c in text for c in ZERO_WIDTH + "\xa0\n\t")
            assert text == text.strip() and "  " not in text
            assert "\u0ecd\u0eb2" not in text
            assert not re.search("[\u0ec8-\u0ecb][\u0eb1\u0eb4-\u0eb7\u0ebb\u0ecd\u0ebc]", text)
        assert 2 <= len(site.paragraphs(post)) <= 6
    with pytest.raises(ValueError):
        check_clean("ນ\u0ecd\u0eb2")


def test_ids_dates_and_authors(site: SampleSite, truth: dict[str, Any]) -> None:
    ids = [p.id for p in site.posts]
    gaps = {b - a for a, b in itertools.pairwise(ids)}
    assert 90 <= ids[0] <= 110 and gaps <= set(range(1, 8)) and len(gaps) > 3
    assert [p.published for p in site.posts] == sorted(p.published for p in site.posts)
    assert site.posts[0].published.year >= 2014 and site.posts[-1].published.year <= 2024
    assert all(p.published.second == 0 and p.published.utcoffset() for p in site.posts)
    assert set(truth["authors"]) == {p["author"] for p in truth["posts"]}
    assert sum(1 for p in truth["posts"] if p["modified_at"]) >= 10
    assert len(truth["dirty_paths"]) == 40


def test_traps_exist_for_small_sites() -> None:
    for seed in range(1, 6):
        small = SampleSite(posts=40, seed=seed)
        data = ground_truth(small)
        assert len(data["posts"]) == 39 and len(data["rejects"]) == 2
        assert len(data["reposts"]) == 1 and len(data["dirty_paths"]) >= 14
        assert len(data["near_duplicates"]) == 4 and len(data["boilerplate"]) == 3
        assert any("&" in p["title"] for p in data["posts"])
        assert any("ສະມາຊິກ" in p["categories"] for p in data["posts"])
        assert {p.date_style for p in small.posts} == {"time", "text", "none"}
        assert any(p["modified_at"] for p in data["posts"])
        assert len(small.newest) > 20  # /page/3/ exists for the transient trap
    with pytest.raises(ValueError):
        SampleSite(posts=39)


def test_unrelated_posts_rarely_share_sentences(site: SampleSite) -> None:
    owners: dict[str, set[int]] = {}
    boilerplate = {s for opening, closing in BOILERPLATE for s in (opening, closing)}
    for post in site.posts:
        if post.repost_of is None and post.near_duplicate_of is None:
            for para in site.paragraphs(post):
                for sentence in re.split(r"(?<=\.) ", para):
                    for phrase in boilerplate:
                        sentence = sentence.replace(phrase, "").strip()
                    owners.setdefault(sentence, set()).add(post.id)
    shared = sum(1 for ids in owners.values() if len(ids) > 1)
    assert shared <= len(owners) // 100


def test_twenty_thousand_posts_build_fast() -> None:
    started = time.perf_counter()
    big = SampleSite(posts=20_000, seed=5)
    assert time.perf_counter() - started < 10
    same_title = sum(1 for _, _, edit in big.near_duplicates if edit != "headline")
    assert len(big.posts) == 20_000 and len({p.title for p in big.posts}) == 19_999 - same_title
    for post in big.posts[::997]:
        for para in big.paragraphs(post):
            check_clean(para)
