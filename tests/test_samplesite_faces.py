"""The sample site's faces over real HTTP: 2 themes x 2 permalink styles x 3 REST modes.

Why: a crawler that passes against one WordPress setup must be tested against the others it
will meet; each face must stay consistent with its own ground truth (face_ground_truth).
The site is built once; a server per face is cheap and started on first use.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from testing.samplesite import SampleSite, make_server
from testing.samplesite.content import CATEGORY_BY_SLUG
from testing.samplesite.faces import (
    PERMALINKS,
    REST_MODES,
    THEMES,
    Face,
    Links,
    face_ground_truth,
    multipage,
    page_sizes,
    plain_path,
)
from testing.samplesite.feeds import rss
from testing.samplesite.lexicon import MONTHS_LAO
from testing.samplesite.server import SampleSiteServer
from testing.samplesite.themes import entry_body
from tests.test_samplesite import fetch, get_text, undirty

FACES = [Face(t, p, r) for t in THEMES for p in PERMALINKS for r in REST_MODES]
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ROOT = Path(__file__).resolve().parent.parent
LAO_SHORT = (
    "ມ.ກ.",
    "ກ.ພ.",
    "ມ.ນ.",
    "ມ.ສ.",
    "ພ.ພ.",
    "ມິ.ຖ.",
    "ກ.ລ.",
    "ສ.ຫ.",
    "ກ.ຍ.",
    "ຕ.ລ.",
    "ພ.ຈ.",
    "ທ.ວ.",
)
BLOCKED = {
    "code": "rest_login_required",
    "message": "REST API restricted to authenticated users.",
    "data": {"status": 401},
}


def face_id(face: Face) -> str:
    return f"{face.theme}-{face.permalinks}-{face.rest}"


# --- helpers ----------------------------------------------------------------------------------


def body_html(page: str, theme: str) -> str:
    """The post's own content on one page: the content div up to the share buttons."""
    if theme == "lsr":
        body = page.split('<div class="entry-content">', 1)[1]
        return body.split('<div class="sharedaddy', 1)[0]
    body = page.split('<div class="post-body" itemprop="articleBody">', 1)[1]
    return body.split('<div class="social-share">', 1)[0]


def page_paragraphs(page: str, theme: str) -> list[str]:
    found = (undirty(p) for p in re.findall(r"<p>(.*?)</p>", body_html(page, theme), re.S))
    return [p for p in found if p]


def title_of(page: str, theme: str) -> str:
    cls = "entry-title" if theme == "lsr" else "post-title"
    h1 = re.search(f'<h1 class="{cls}">(.*?)</h1>', page, re.S)
    assert h1, "no title"
    return undirty(h1.group(1))


def schema(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/ld\+json" class="yoast-schema-graph">(.*?)</script>', page
    )
    assert found, "no JSON-LD"
    return json.loads(found.group(1))


def node(graph: dict[str, Any], *types: str) -> dict[str, Any]:
    return next(n for n in graph["@graph"] if n["@type"] in types)


def meta(page: str, prop: str) -> str | None:
    found = re.search(f'<meta property="{prop}" content="([^"]*)">', page)
    return unescape(found.group(1)) if found else None


def parse_lao_date(text: str) -> tuple[int, int, int]:
    """(year CE, month, day) of a visible Lao date, the reference parser of these tests."""
    m = re.fullmatch(r"(?:ວັນທີ )?(\d{1,2}) (\S+) (\d{4})", text)
    assert m, text
    name = m.group(2)
    month = (MONTHS_LAO.index(name) if name in MONTHS_LAO else LAO_SHORT.index(name)) + 1
    year = int(m.group(3))
    return (year - 543 if year > 2400 else year), month, int(m.group(1))


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> SampleSite:
    return SampleSite(posts=120, seed=1)


@pytest.fixture(scope="module")
def serve(site: SampleSite) -> Iterator[Callable[[Face], SampleSiteServer]]:
    """A running server per face, started on first use and shared by this module's tests."""
    running: dict[Face, SampleSiteServer] = {}

    def get(face: Face) -> SampleSiteServer:
        if face not in running:
            running[face] = SampleSiteServer(site, 0, face).start()
        return running[face]

    yield get
    for server in running.values():
        server.stop()


# --- configuration ----------------------------------------------------------------------------


def test_face_values_are_validated(site: SampleSite) -> None:
    assert THEMES == ("lsr", "newsbox") and PERMALINKS == ("pretty", "plain")
    assert REST_MODES == ("on", "off", "rest_route")
    assert Face() == Face("lsr", "pretty", "on")
    for kwargs in ({"theme": "twentytwenty"}, {"permalinks": "numeric"}, {"rest": "yes"}):
        with pytest.raises(ValueError) as err:
            Face(**kwargs)
        assert "\n" not in str(err.value) and "choose from" in str(err.value)
        with pytest.raises(ValueError):
            make_server(site, 0, **kwargs)
    with make_server(site, 0) as default:
        assert default.face == Face()
    with make_server(site, 0, theme="newsbox", permalinks="plain", rest="off") as server:
        assert server.face == Face("newsbox", "plain", "off")
        assert server.ground_truth() == face_ground_truth(site, server.face)


def test_multipage_post_is_chosen_deterministically(site: SampleSite) -> None:
    assert multipage(site) == (site.seed_post_id, 3)
    assert page_sizes(site, site.by_id[site.seed_post_id]) == (1, 1, 1)
    assert multipage(SampleSite(posts=120, seed=1)) == multipage(site)
    for seed in range(1, 6):
        small = SampleSite(posts=40, seed=seed)
        post_id, pages = multipage(small)
        post = small.by_id[post_id]
        assert post_id not in (small.dateless_id, small.repost_id, small.original_id)
        assert post.repost_of is None and post.text_key == post.id and 2 <= pages <= 3
        assert sum(page_sizes(small, post)) == len(small.paragraphs(post))
        assert all(size >= 1 for size in page_sizes(small, post))
        other = next(p for p in small.posts if p.id != post_id)
        assert page_sizes(small, other) == (len(small.paragraphs(other)),)


# --- the multi-page post in every face --------------------------------------------------------


@pytest.mark.parametrize("face", FACES, ids=face_id)
def test_multipage_post_pages(site: SampleSite, serve: Any, face: Face) -> None:
    base = serve(face).base_url
    links = Links.of(base, face)
    truth = face_ground_truth(site, face)
    post_id, pages = multipage(site)
    expected = next(p for p in truth["posts"] if p["post_id"] == post_id)
    assert truth["multipage"] == {"path": expected["path"], "pages": pages}
    assert expected["path"] == (f"/?p={post_id}" if face.plain else f"/{post_id}/")

    joined: list[str] = []
    for k in range(1, pages + 1):
        url = links.post(post_id, k)
        assert url == (
            base
            + (f"/?p={post_id}" if face.plain else f"/{post_id}/")
            + ((f"&page={k}" if face.plain else f"{k}/") if k > 1 else "")
        )
        page = get_text(url)
        assert title_of(page, face.theme) == expected["title"]
        assert f'<article id="post-{post_id}" class="post-{post_id} post ' in page
        assert re.search(rf'<body class="[^"]*\bpostid-{post_id}\b', page)
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', page)
        assert canonical and unescape(canonical.group(1)) == url
        numbers = []
        for j in range(1, pages + 1):
            if j == k:
                numbers.append(
                    f'<span class="post-page-numbers current" aria-current="page">{j}</span>'
                )
            else:
                href = links.post(post_id, j).replace("&", "&#038;")
                numbers.append(f'<a href="{href}" class="post-page-numbers">{j}</a>')
        block = f'<div class="page-links">Pages: {" ".join(numbers)}</div>'
        content = body_html(page, face.theme)
        assert block in content  # inside the content div, before the share buttons
        shown = page_paragraphs(page, face.theme)
        assert len(shown) == page_sizes(site, site.by_id[post_id])[k - 1]
        joined += shown
    assert joined == expected["text"].split("\n\n")
    assert fetch(links.post(post_id, pages + 1))[0] == 404
    page_one = f"{base}/?p={post_id}&page=1" if face.plain else f"{base}/{post_id}/1/"
    status, headers, _ = fetch(page_one)
    assert (status, headers["Location"]) == (301, links.post(post_id))
    other = next(p for p in site.posts if p.id != post_id and p.date_style != "none")
    assert fetch(links.post(other.id, 2))[0] == 404
    assert '<div class="page-links">' not in get_text(links.post(other.id))


def test_rest_and_feed_carry_nextpage_markers(site: SampleSite, serve: Any) -> None:
    post_id, pages = multipage(site)
    feed_site = SampleSite(posts=120, seed=1)  # a copy whose feed lists the multi-page post
    feed_site.newest.insert(0, feed_site.by_id[post_id])
    for face in (Face(), Face("newsbox", "plain", "on")):
        links = Links.of(serve(face).base_url, face)
        record = json.loads(get_text(links.rest(f"/wp/v2/posts/{post_id}")))
        rendered = record["content"]["rendered"]
        assert rendered.count("<!--nextpage-->") == pages - 1
        found = [undirty(p) for p in re.findall(r"<p>(.*?)</p>", rendered, re.S)]
        assert [p for p in found if p] == list(site.paragraphs(site.by_id[post_id]))
        assert record["link"] == links.post(post_id)
        stored = entry_body(site, site.by_id[post_id], links)  # content:encoded is the same
        assert rendered == stored + "\n"
        assert f"<![CDATA[{stored}]]>" in rss(feed_site, links)


# --- permalinks -------------------------------------------------------------------------------


@pytest.mark.parametrize("face", [f for f in FACES if f.plain], ids=face_id)
def test_plain_permalinks_404_pretty_paths(site: SampleSite, serve: Any, face: Face) -> None:
    base = serve(face).base_url
    post = site.posts[5]
    for path in (
        f"/{post.id}/",
        "/page/2/",
        "/category/news/",
        "/tag/asean/",
        "/author/somchan/",
        "/date/2016/11/",
        "/feed/",
        "/wp-sitemap.xml",
        "/wp-sitemap-posts-post-1.xml",
        "/wp-json/",
        "/wp-json/wp/v2/posts",
    ):
        status, headers, _ = fetch(base + path)
        assert status == 404, path
        assert headers["Content-Type"].startswith("text/html")
    assert fetch(base + "/robots.txt")[0] == 200
    page = get_text(f"{base}/?p={post.id}")
    assert f'<article id="post-{post.id}"' in page
    assert fetch(f"{base}/?p={site.dead_id}")[0] == 404
    assert f'href="{base}/?p={site.dead_id}"' in page  # the dead link, in plain shape
    cats = re.findall(r'<a href="([^"]+)" rel="(category[^"]*)">', page)
    assert cats and all(rel == "category" for _, rel in cats)
    assert {href for href, _ in cats} == {
        f"{base}/?cat={CATEGORY_BY_SLUG[s].id}" for s in post.categories
    }
    assert f'href="{base}/category/' not in page and f'href="{base}/{post.id}/"' not in page


@pytest.mark.parametrize("face", [f for f in FACES if f.rest == "on"], ids=face_id)
def test_archives_paginate_in_the_face_shape(site: SampleSite, serve: Any, face: Face) -> None:
    base = serve(face).base_url
    links = Links.of(base, face)
    for root, posts in (
        (links.home(), site.newest),
        (links.category("economy"), site.by_category["economy"]),
        (links.author("somchan"), site.by_author["somchan"]),
    ):
        url: str | None = root
        seen: list[int] = []
        while url:
            page = get_text(url)
            main = page.split('id="main"' if face.theme == "lsr" else 'id="nb-main"', 1)[1]
            main = main.split("</main>", 1)[0]
            seen += [
                int(i) for i in re.findall(r'<article (?:id="post-\d+" )?class="post-(\d+)', main)
            ]
            if face.theme == "newsbox":
                titles = re.findall(r'<h2 class="post-title"><a href="([^"]+)">', main)
                assert titles == [links.post(i) for i in seen[-len(titles) :]]
            nxt = re.search(r'<a class="next page-numbers" href="([^"]+)"', page)
            url = unescape(nxt.group(1)) if nxt else None
        assert seen == [p.id for p in posts]
    two = links.home(2)
    assert two == (f"{base}/?paged=2" if face.plain else f"{base}/page/2/")
    status, headers, _ = fetch(f"{base}/?paged=1" if face.plain else f"{base}/page/1/")
    assert (status, headers["Location"]) == (301, f"{base}/")
    month = site.months[0]
    page = get_text(links.month(*month))
    assert f"{MONTHS_LAO[month[1] - 1]} {month[0]}" in page


@pytest.mark.parametrize("permalinks", PERMALINKS)
def test_transient_503_in_each_shape(site: SampleSite, permalinks: str) -> None:
    with make_server(site, permalinks=permalinks, theme="newsbox") as server:
        path = "/?paged=3" if permalinks == "plain" else "/page/3/"
        assert server.ground_truth()["transient"] == {path: 1}
        first, headers, _ = fetch(server.base_url + path)
        assert (first, headers["Retry-After"]) == (503, "1")
        assert fetch(server.base_url + path)[0] == 200
        assert [s for _, p, s in server.request_log if p == path] == [503, 200]


@pytest.mark.parametrize("face", [Face("lsr", p, r) for p in PERMALINKS for r in REST_MODES])
def test_robots_txt_per_face(serve: Any, face: Face) -> None:
    base = serve(face).base_url
    status, _, body = fetch(base + "/robots.txt")
    members = "/?cat=10" if face.plain else "/category/members/"
    sitemap = f"{base}/?sitemap=index" if face.plain else f"{base}/wp-sitemap.xml"
    assert status == 200
    assert body.decode() == (
        f"User-agent: *\nDisallow: /wp-admin/\nDisallow: {members}\n"
        f"Allow: /wp-admin/admin-ajax.php\n\nSitemap: {sitemap}\n"
    )


@pytest.mark.parametrize("permalinks", PERMALINKS)
def test_sitemaps_and_feed_follow_the_face(site: SampleSite, serve: Any, permalinks: str) -> None:
    face = Face("newsbox", permalinks, "on")
    base = serve(face).base_url
    links = Links.of(base, face)
    index = get_text(links.sitemap_index())
    if face.plain:
        assert "&amp;sitemap-subtype=post&amp;paged=1" in index
    locs = [e.text or "" for e in ET.fromstring(index).iter(SITEMAP_NS + "loc")]
    assert locs == [links.sitemap_posts(1), links.sitemap_categories(), links.sitemap_users()]
    urls = [e.text for e in ET.fromstring(get_text(locs[0])).iter(SITEMAP_NS + "loc")]
    assert urls == [links.post(p.id) for p in site.posts]
    cats = [e.text for e in ET.fromstring(get_text(locs[1])).iter(SITEMAP_NS + "loc")]
    assert links.category("members") in cats
    users = [e.text for e in ET.fromstring(get_text(locs[2])).iter(SITEMAP_NS + "loc")]
    assert links.author("somchan") in users
    assert fetch(links.sitemap_posts(2))[0] == 404
    feed = ET.fromstring(get_text(links.feed()).encode())
    items = feed.findall("./channel/item")
    assert [i.findtext("link") for i in items] == [links.post(p.id) for p in site.newest[:10]]
    assert items[0].findtext("guid") == f"{base}/?p={site.newest[0].id}"


# --- REST modes -------------------------------------------------------------------------------


@pytest.mark.parametrize("face", FACES, ids=face_id)
def test_rest_modes(site: SampleSite, serve: Any, face: Face) -> None:
    base = serve(face).base_url
    wp_json = 200 if face.wp_json else 401 if (face.rest == "off" and not face.plain) else 404
    query = 401 if face.rest == "off" else 200
    for url, expected in (
        (f"{base}/wp-json/wp/v2/posts", wp_json),
        (f"{base}/wp-json/", wp_json),
        (f"{base}/?rest_route=/wp/v2/posts", query),
        (f"{base}/?rest_route=/", query),
    ):
        status, headers, body = fetch(url)
        assert status == expected, url
        if status == 401:
            assert headers["Content-Type"].startswith("application/json")
            assert json.loads(body) == BLOCKED
        elif status == 404:
            assert headers["Content-Type"].startswith("text/html")
    root = f"{base}/wp-json/" if face.rest_pretty else f"{base}/?rest_route=/"
    assert root == Links.of(base, face).rest()
    status, headers, body = fetch(base + "/")
    assert f'<{root}>; rel="https://api.w.org/"' in headers.get_all("Link")
    assert f'<link rel="https://api.w.org/" href="{root}">' in body.decode()
    if query == 200:
        status, headers, body = fetch(f"{base}/?rest_route=/wp/v2/posts&per_page=100&page=2")
        assert headers["X-WP-Total"] == "120"
        records = json.loads(body)
        assert [r["link"] for r in records] == [
            Links.of(base, face).post(p.id) for p in site.newest[100:]
        ]
        self_link = records[0]["_links"]["self"][0]["href"]
        assert self_link == Links.of(base, face).rest(f"/wp/v2/posts/{records[0]['id']}")
        cat = json.loads(get_text(f"{base}/?rest_route=/wp/v2/categories/10"))
        assert cat["link"] == Links.of(base, face).category("members")


# --- the newsbox theme ------------------------------------------------------------------------


@pytest.mark.parametrize("permalinks", PERMALINKS)
def test_newsbox_post_pages_match_ground_truth(
    site: SampleSite, serve: Any, permalinks: str
) -> None:
    face = Face("newsbox", permalinks, "on")
    base = serve(face).base_url
    links = Links.of(base, face)
    truth = face_ground_truth(site, face)
    rel = "category" if face.plain else "category tag"
    for expected in truth["posts"]:
        post = site.by_id[expected["post_id"]]
        url = base + expected["path"]
        page = get_text(url)
        for absent in ("hentry", "entry-title", "entry-content", "posted-on", "byline", "<time"):
            assert absent not in page, absent
        assert title_of(page, "newsbox") == expected["title"]
        article = re.search(r'<article id="post-(\d+)" class="([^"]+)">', page)
        assert article and int(article.group(1)) == post.id
        assert article.group(2).startswith(f"post-{post.id} post type-post status-publish ")
        assert all(f"category-{s}" in article.group(2).split() for s in post.categories)
        author = re.search(r'<span class="post-author">ໂດຍ <a href="([^"]+)">([^<]+)</a>', page)
        assert author and author.group(2) == expected["author"]
        assert unescape(author.group(1)) == links.author(post.author)
        cats = page.split('<div class="post-categories">', 1)[1].split("</div>", 1)[0]
        assert re.findall(f'rel="{rel}">([^<]+)</a>', cats) == expected["categories"]
        tags = re.search(r'<div class="post-tags">(.*?)</div>', page)
        assert (re.findall(r'rel="tag">([^<]+)</a>', tags.group(1)) if tags else []) == (
            expected["tags"]
        )
        date = re.search(r'<span class="post-date">([^<]+)</span>', page)
        assert date, url
        published = datetime.fromisoformat(expected["published_at"])
        assert parse_lao_date(date.group(1)) == (published.year, published.month, published.day)
        graph = schema(page)
        article_node = node(graph, "Article", "NewsArticle")
        assert article_node["headline"] == expected["title"]
        assert article_node["datePublished"] == expected["published_at"]
        modified = article_node["dateModified"]
        assert modified == (expected["modified_at"] or expected["published_at"])
        assert meta(page, "article:published_time") == expected["published_at"]
        assert meta(page, "article:modified_time") == expected["modified_at"]
        assert article_node["articleSection"] == expected["categories"]
        assert article_node.get("keywords", []) == expected["tags"]
        canonical = links.post(post.id)
        assert article_node["mainEntityOfPage"] == {"@id": canonical}
        person = next(n for n in graph["@graph"] if n["@id"] == article_node["author"]["@id"])
        assert person["@type"] == "Person" and person["name"] == expected["author"]
        types = {n["@type"] for n in graph["@graph"]}
        assert {"WebPage", "WebSite", "Organization", "BreadcrumbList", "Person"} <= types
        assert meta(page, "og:url") == canonical and meta(page, "og:type") == "article"
        assert unescape(meta(page, "og:title") or "") == expected["title"]
        assert f'<link rel="shortlink" href="{base}/?p={post.id}">' in page
        assert '<div id="comments" class="comments-area"><p class="no-comments">' in page
        if post.id != multipage(site)[0]:
            assert page_paragraphs(page, "newsbox") == expected["text"].split("\n\n")
    kinds = Counter(
        node(schema(get_text(base + p["path"])), "Article", "NewsArticle")["@type"]
        for p in truth["posts"][:40]
    )
    assert kinds["Article"] >= 8 and kinds["NewsArticle"] >= 8


def test_newsbox_dateless_post_has_no_date_anywhere(site: SampleSite, serve: Any) -> None:
    face = Face("newsbox", "pretty", "on")
    base = serve(face).base_url
    truth = face_ground_truth(site, face)
    assert {"path": f"/{site.dateless_id}/", "reason": "missing published_at"} in truth["rejects"]
    page = get_text(f"{base}/{site.dateless_id}/")
    assert 'class="post-date"' not in page and "<time" not in page
    assert "article:published_time" not in page and "article:modified_time" not in page
    article = node(schema(page), "Article", "NewsArticle")
    assert "datePublished" not in article and "dateModified" not in article
    assert fetch(f"{base}/{site.dateless_id}/")[1].get("Last-Modified") is None


def test_newsbox_lao_dates(site: SampleSite, serve: Any) -> None:
    from testing.samplesite import newsbox

    base = serve(Face("newsbox", "pretty", "on")).base_url
    seed = site.by_id[site.seed_post_id]
    page = get_text(f"{base}/{seed.id}/")
    shown = re.search(r'<span class="post-date">([^<]+)</span>', page)
    assert shown and shown.group(1) in ("ວັນທີ 25 ພະຈິກ 2016", "25 ພ.ຈ. 2016", "ວັນທີ 25 ພະຈິກ 2559")
    assert shown.group(1) == newsbox.visible_date(site, seed)
    styles: Counter[str] = Counter()
    for post in site.posts:
        text = newsbox.visible_date(site, post)
        if post.date_style == "none":
            assert text is None
            continue
        assert text is not None
        d = post.published
        if text.startswith("ວັນທີ ") and text.endswith(str(d.year + 543)):
            styles["buddhist"] += 1
            assert text == f"ວັນທີ {d.day} {MONTHS_LAO[d.month - 1]} {d.year + 543}"
        elif text.startswith("ວັນທີ "):
            styles["full"] += 1
            assert text == f"ວັນທີ {d.day} {MONTHS_LAO[d.month - 1]} {d.year}"
        else:
            styles["short"] += 1
            assert text == f"{d.day} {LAO_SHORT[d.month - 1]} {d.year}"
    assert styles["full"] > styles["short"] > 0 and 8 <= styles["buddhist"] <= 35
    # a text-only-date post of the lsr theme keeps its midnight instant in newsbox's JSON-LD
    midnight = next(p for p in site.posts if p.date_style == "text")
    graph = schema(get_text(f"{base}/{midnight.id}/"))
    assert node(graph, "Article", "NewsArticle")["datePublished"].endswith("T00:00:00+07:00")


@pytest.mark.parametrize("permalinks", PERMALINKS)
def test_newsbox_chrome_links_dead_post_and_members(
    site: SampleSite, serve: Any, permalinks: str
) -> None:
    face = Face("newsbox", permalinks, "on")
    base = serve(face).base_url
    links = Links.of(base, face)
    for url in (links.home(), links.post(site.posts[3].id), links.tag("asean"), base + "/nope"):
        _, _, body = fetch(url)
        page = body.decode()
        assert f'href="{links.post(site.dead_id)}"' in page
        assert f'href="{links.category("members")}"' in page
        assert 'class="nb-ticker' in page and 'class="tagcloud"' in page
    assert fetch(links.post(site.dead_id))[0] == 404


# --- ground truth of a face -------------------------------------------------------------------


def test_face_ground_truth_plain_paths(site: SampleSite, serve: Any) -> None:
    pretty = face_ground_truth(site, Face())
    plain = face_ground_truth(site, Face("lsr", "plain", "on"))
    post_id, pages = multipage(site)
    assert pretty["multipage"] == {"path": f"/{post_id}/", "pages": pages}
    assert plain["multipage"] == {"path": f"/?p={post_id}", "pages": pages}
    assert [p["path"] for p in plain["posts"]] == [f"/?p={p['post_id']}" for p in pretty["posts"]]
    assert [p["text"] for p in plain["posts"]] == [p["text"] for p in pretty["posts"]]
    assert plain["rejects"] == [
        {"path": f"/?p={site.dateless_id}", "reason": "missing published_at"},
        {"path": f"/?p={site.dead_id}", "reason": "HTTP 404"},
    ]
    assert plain["transient"] == {"/?paged=3": 1}
    assert plain["disallowed_prefixes"] == ["/wp-admin/", "/?cat=10"]
    assert plain["reposts"] == [
        {"path": f"/?p={site.repost_id}", "original_path": f"/?p={site.original_id}"}
    ]
    assert plain["dirty_paths"] == [plain_path(p) for p in pretty["dirty_paths"]]
    assert all(p.startswith("/?p=") for p in plain["dirty_paths"])
    for record in plain["posts"]:
        if record["duplicate_of_path"]:
            assert record["duplicate_of_path"].startswith("/?p=")
    for pair in plain.get("near_duplicates", []):
        assert pair["path"].startswith("/?p=") and pair["original_path"].startswith("/?p=")
    for group in plain.get("boilerplate", []):
        assert all(path.startswith("/?p=") for path in group["paths"])
    flat = json.dumps(plain)
    assert '"/category/' not in flat and not re.search(r'"/\d+/"', flat)
    assert plain_path("/author/somchan/page/2/") == "/?author=2&paged=2"
    assert plain_path("/date/2016/11/") == "/?m=201611" and plain_path("/x.php") == "/x.php"
    base = serve(Face("newsbox", "plain", "on")).base_url
    for record in plain["posts"][:5]:
        assert f'<article id="post-{record["post_id"]}"' in get_text(base + record["path"])


def test_main_serves_a_face_and_writes_its_ground_truth(tmp_path: Path) -> None:
    out = tmp_path / "truth.json"
    args = ["--port", "0", "--posts", "40", "--seed", "2", "--ground-truth", str(out)]
    face_args = ["--theme", "newsbox", "--permalinks", "plain", "--rest", "off"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "testing.samplesite", *args, *face_args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        assert "Disallow: /?cat=10" in fetch(url + "/robots.txt")[2].decode()
        assert fetch(url + "/?rest_route=/wp/v2/posts")[0] == 401
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data == face_ground_truth(SampleSite(40, 2), Face("newsbox", "plain", "off"))
        assert 'class="post-title"' in get_text(url + data["posts"][0]["path"])
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert err == ""
    bad = subprocess.run(
        [sys.executable, "-m", "testing.samplesite", "--theme", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_newsbox_pages_render_fast_on_a_big_site() -> None:
    from testing.samplesite import newsbox

    big = SampleSite(posts=20_000, seed=5)
    links = Links.of("http://127.0.0.1:1", Face("newsbox", "plain", "on"))
    newsbox.post_page(big, big.posts[0], links)  # fills the chrome cache
    started = time.perf_counter()
    for post in big.posts[::500]:
        newsbox.post_page(big, post, links)
    assert (time.perf_counter() - started) / 40 < 0.02
    post_id, pages = multipage(big)
    assert post_id == big.seed_post_id and pages == 3
