"""The real-WordPress harness itself: each site is set up as its variant says, its ground truth
holds every feature the e2e tests rely on, and the comparison catches each kind of error.

Expected values come from the spec the sites are filled from and from what WordPress
documents (REST error codes, permalink shapes), never from the crawler.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import pytest

from testing.realwp import Variant, WordPressSite
from testing.realwp.compare import compare, url_key
from testing.realwp.content import PUBLISHED_POSTS
from testing.realwp.truth import reader_text

pytestmark = pytest.mark.e2e

# One site per REST mode; together they cover every theme and permalink style.
SITES = [
    Variant("twentytwentyone", "postname", "on"),
    Variant("twentytwentytwo", "plain", "blocked"),
    Variant("twentytwentythree", "date", "users_blocked"),
    Variant("twentytwentyone", "post_id", "no_embed"),
]
# Tests of one site share it: on one xdist worker (make test uses --dist loadgroup).
PARAMS = [
    pytest.param(v, id=v.name, marks=pytest.mark.xdist_group(f"realwp-{v.name}")) for v in SITES
]
URL_SHAPES = {
    "plain": r"/\?p=\d+$",
    "post_id": r"/\d+/$",
    "postname": r"/(%[0-9a-f]{2})+[^/]*/$",
    "date": r"/20\d\d/\d\d/\d\d/(%[0-9a-f]{2})+[^/]*/$",
}


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def rest(site: WordPressSite, route: str, **params: str) -> tuple[int, Any]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    if site.variant.permalinks == "plain":
        url = f"{site.base_url}/?rest_route={route}" + (f"&{query}" if query else "")
    else:
        url = f"{site.base_url}/wp-json{route}" + (f"?{query}" if query else "")
    status, body = fetch(url)
    return status, json.loads(body)


@pytest.mark.parametrize("realwp_site", PARAMS, indirect=True)
def test_site_serves_its_variant(realwp_site: WordPressSite) -> None:
    """Theme, permalinks, what a visitor may read and the REST mode, as the variant says."""
    site, truth = realwp_site, realwp_site.truth
    assert truth.theme == site.variant.theme
    assert truth.permalink_structure == site.variant.permalink_structure
    assert len(truth.posts) == PUBLISHED_POSTS
    for post in truth.posts:
        assert post.url.startswith(site.base_url + "/")
        assert re.search(URL_SHAPES[site.variant.permalinks], post.url), post.url
    for post in truth.posts[:: PUBLISHED_POSTS // 4]:  # a few pages, each the post's own
        status, html = fetch(post.url)
        assert status == 200
        assert f"postid-{post.id}" in html
    # Nothing absent is readable by a visitor: drafts, private and scheduled posts are 404,
    # the protected post shows WordPress's password form instead of its text.
    for absent in truth.absent:
        status, html = fetch(absent.urls[-1])  # ?p=ID
        if absent.reason in ("draft", "private", "future"):
            assert status == 404, absent
        elif absent.reason == "password":
            assert status == 200 and "post-password-form" in html
    _check_rest_mode(site)


def _check_rest_mode(site: WordPressSite) -> None:
    mode = site.variant.rest
    status, records = rest(site, "/wp/v2/posts", per_page="100", _embed="1")
    if mode == "blocked":
        assert status == 401 and records["code"] == "rest_not_logged_in"
        return
    assert status == 200
    protected = [r for r in records if r["content"]["protected"]]
    assert len(records) == PUBLISHED_POSTS + 1 and len(protected) == 1
    by_id = {post.id: post for post in site.truth.posts}
    users_status, users = rest(site, "/wp/v2/users")
    for record in (r for r in records if not r["content"]["protected"]):
        post = by_id[record["id"]]
        if mode == "no_embed":
            assert "_embedded" not in record
        elif mode == "users_blocked":
            assert record["_embedded"]["author"][0]["code"] == "rest_not_logged_in"
            assert record["_embedded"]["author"][0]["data"]["status"] == 401
        else:
            assert record["_embedded"]["author"][0]["name"] == post.author
    assert users_status == (401 if mode == "users_blocked" else 200), users


@pytest.mark.parametrize("realwp_site", PARAMS[:1], indirect=True)
def test_ground_truth_holds_every_feature(realwp_site: WordPressSite) -> None:
    """What the classic-theme site holds, read back from WordPress."""
    truth = realwp_site.truth
    assert [post.key for post in truth.posts if post.sticky] == ["sticky"]
    assert len(truth.by_key("multipage").pages) == 3
    assert len(set(truth.by_key("multipage").pages)) == 3
    assert truth.by_key("repost").text == truth.by_key("original").text
    assert truth.by_key("repost").published > truth.by_key("original").published
    entities = truth.by_key("entities").title
    assert " & ບົດສຳພາດ “ພິເສດ” ກັບ " in entities and "&amp;" not in entities  # wptexturize
    assert "“ກະສິກຳ & ປ່າໄມ້” 5 < 10 – ok" in truth.by_key("entities").text
    assert truth.by_key("emoji").title.startswith("🎉 ") and "🇱🇦" in truth.by_key("emoji").title
    assert any("ວັດທະນະທຳ & ທ່ອງທ່ຽວ" in post.categories for post in truth.posts)
    assert any("ກະສິກຳ & ປ່າໄມ້" in post.tags for post in truth.posts)
    assert {post.author for post in truth.posts} == {
        "ກອງບັນນາທິການ", "ສົມພອນ ແສງດາລາ", "ບົວສອນ ພົມມະຈັນ", "Khamla Vongsa", "ນາລີ ໄຊຍະວົງ",
    }  # fmt: skip
    assert sum(post.comments for post in truth.posts) == 3 * 7
    assert len(truth.by_key("table").text.splitlines()) > 15  # one line per cell
    assert {absent.reason for absent in truth.absent} == {
        "page", "private", "draft", "future", "password",
    }  # fmt: skip


def test_reader_text_shows_captions_cells_and_items_without_markup() -> None:
    html = (
        '<p>ກ &amp; ຂ<br>ຄ</p><!-- wp:image --><figure><img src="x.png"/>'
        "<figcaption>ຮູບ</figcaption></figure><table><tr><td>1</td><td>2</td></tr></table>"
        "<ul><li>ງ</li><li>ຈ</li></ul><script>var x;</script>"
    )
    assert reader_text(html) == "ກ & ຂ\nຄ\nຮູບ\n1\n2\nງ\nຈ"


def _perfect_corpus(site: WordPressSite) -> list[dict[str, Any]]:
    truth = site.truth
    original = truth.by_key("original").url
    return [
        {
            "url": re.sub(r"%[0-9a-f]{2}", lambda m: m[0].upper(), post.url),  # %E0 is fine
            "post_id": post.id,
            "title": post.title,
            "author": post.author,
            "published_at": post.published + timedelta(seconds=30),  # same minute
            "categories": post.categories,
            "tags": post.tags,
            "text": "\n\n".join(post.pages),
            "duplicate_of": original if post.key == "repost" else None,
        }
        for post in truth.posts
    ]


MUTATIONS = {
    "title": lambda r: {**r, "title": r["title"] + "!"},
    "author": lambda r: {**r, "author": None},
    "published_at": lambda r: {**r, "published_at": r["published_at"] + timedelta(hours=7)},
    "categories": lambda r: {**r, "categories": [*r["categories"], "ອື່ນໆ"]},
    "tags": lambda r: {**r, "tags": []},
    "text": lambda r: {**r, "text": r["text"][: len(r["text"]) * 9 // 10]},
}


@pytest.mark.parametrize("realwp_site", PARAMS[:1], indirect=True)
def test_comparison_catches_every_kind_of_difference(realwp_site: WordPressSite) -> None:
    truth = realwp_site.truth
    records = _perfect_corpus(realwp_site)
    assert not compare(truth, records, {}), compare(truth, records, {}).render()
    for name, mutate in MUTATIONS.items():
        changed = [mutate(records[0]), *records[1:]]
        assert compare(truth, changed, {}).fields() == {name: 1}, name
    assert compare(truth, records[1:], {}).fields() == {"missing": 1}

    multipage = next(i for i, p in enumerate(truth.posts) if p.key == "multipage")
    twice = [dict(r) for r in records]
    pages = truth.posts[multipage].pages
    twice[multipage]["text"] = "\n\n".join([pages[0], *pages])  # page 1 joined twice
    assert set(compare(truth, twice, {}).fields()) == {"multipage", "text"}

    repost = next(i for i, p in enumerate(truth.posts) if p.key == "repost")
    unflagged = [dict(r) for r in records]
    unflagged[repost]["duplicate_of"] = None
    assert compare(truth, unflagged, {}).fields() == {"repost": 1}

    protected = next(a for a in truth.absent if a.reason == "password")
    draft = next(a for a in truth.absent if a.reason == "draft")
    leaked = {**records[0], "url": protected.urls[0], "post_id": protected.id, "title": "x"}
    assert compare(truth, [*records, leaked], {}).fields() == {"stored password": 1}
    assert not compare(truth, records, {})
    # A protected post is skipped, never rejected: any reject is a difference.
    rejected = {protected.urls[0]: "password protected", draft.urls[0]: "HTTP 404"}
    assert compare(truth, records, rejected).fields() == {"reject": 2}
    assert records[0]["url"] != truth.posts[0].url  # %E0 vs %e0: the same post
    assert url_key(records[0]["url"]) == url_key(truth.posts[0].url)
