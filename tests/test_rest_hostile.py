"""A hostile REST API (tests/hostile/server.py): records of the wrong shape become rejects
while the rest of their page is stored, no record writes another post's row or names another
site's URL, and a lying ``X-WP-TotalPages`` costs no more than the pages that exist."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from corpus.db import get_engine
from corpus.models import CrawlRun, Post, Reject
from publish.export import iter_posts
from tests.corpus_check import run_crawl
from tests.hostile.server import HostileServer, Route, Seen

pytestmark = pytest.mark.e2e

JSON = {"Content-Type": "application/json; charset=UTF-8"}
TEXT = "<p>ສະບາຍດີ ນີ້ແມ່ນຂ່າວຈາກວຽງຈັນ ກ່ຽວກັບການພັດທະນາເສດຖະກິດ ແລະ ສັງຄົມ.</p>"


def post(site: str, post_id: Any, **changes: Any) -> dict[str, Any]:
    """A record as WordPress renders it with ``_embed``."""
    record: dict[str, Any] = {
        "id": post_id,
        "date": "2024-03-05T14:30:00",
        "date_gmt": "2024-03-05T07:30:00",
        "modified_gmt": "2024-03-05T07:30:00",
        "link": f"{site}/{post_id}/",
        "title": {"rendered": f"ຂ່າວ {post_id}"},
        "content": {"rendered": TEXT, "protected": False},
        "author": 1,
        "categories": [1],
        "tags": [],
        "_embedded": {
            "author": [{"id": 1, "name": "ສົມຈັນ"}],
            "wp:term": [[{"id": 1, "name": "ຂ່າວ", "taxonomy": "category"}], []],
        },
    }
    record.update(changes)
    return record


def rest_site(server: HostileServer, listing) -> None:
    """Home page advertising /wp-json/, the index, and ``listing(page) -> Route``."""
    link = f'<{server.url}/wp-json/>; rel="https://api.w.org/"'
    server.route("/", Route(body="<html><body>home</body></html>", headers={"Link": link}))
    index = {"name": "x", "timezone_string": "Asia/Bangkok", "gmt_offset": 7}
    server.route("/wp-json/", Route(body=json.dumps(index), headers=JSON))

    def posts(seen: Seen) -> Route:
        return listing(int(parse_qs(seen.query).get("page", ["1"])[0]))

    server.route("/wp-json/wp/v2/posts", posts)


def posts_requests(server: HostileServer) -> list[str]:
    return [s.target for s in server.requests if s.path == "/wp-json/wp/v2/posts"]


def test_bad_records_are_rejected_and_their_page_is_kept(sqlite_url: str) -> None:
    with HostileServer() as other, HostileServer() as site:
        records = [
            post(site.url, 7),
            post(site.url, 7.5, title={"rendered": "ປອມ"}),  # must not overwrite post 7
            post(site.url, 10, title="ຂ່າວ 10"),
            post(site.url, 11, _embedded={"author": [{"id": 1, "name": {"first": "x"}}]}),
            post(site.url, 12, link=f"{other.url}/12/"),
            post(site.url, 13, link="javascript:alert(1)"),
            post(site.url, 14, content={"rendered": "", "protected": True}),
            post(site.url, 10**23),
            post(site.url, 8),
            "not a record",
            post(site.url, 9),
        ]
        headers = {**JSON, "X-WP-Total": "9", "X-WP-TotalPages": "1000000"}
        rest_site(site, lambda page: Route(body=json.dumps(records), headers=headers))
        result = run_crawl(site.url, sqlite_url, spider="wordpress", timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        assert other.requests == []
        assert posts_requests(site) == [
            "/wp-json/wp/v2/posts?per_page=100&page=1&_embed=1&orderby=date&order=desc"
        ]
    listing = f"{site.url}/wp-json/wp/v2/posts?per_page=100&page=1&_embed=1&orderby=date&order=desc"
    engine = get_engine(sqlite_url)
    with engine.connect() as db:
        stored = db.execute(select(Post.post_id, Post.url, Post.title).order_by(Post.post_id)).all()
        rejects = dict(db.execute(select(Reject.url, Reject.reason)).all())
        run = db.execute(select(CrawlRun.status, CrawlRun.failure)).one()
    assert [tuple(row) for row in stored] == [
        (7, f"{site.url}/7/", "ຂ່າວ 7"),
        (8, f"{site.url}/8/", "ຂ່າວ 8"),
        (9, f"{site.url}/9/", "ຂ່າວ 9"),
    ]
    assert rejects == {
        f"{listing}#record-1": "id is not an integer: 7.5",
        f"{listing}#record-2": "title is not an object with a rendered string",
        f"{listing}#record-3": "author name is not a string: {'first': 'x'}",
        f"{listing}#record-4": f"link is off-site: {other.url}/12/",
        f"{listing}#record-5": "link is not an http(s) URL: javascript:alert(1)",
        f"{listing}#record-7": "id out of range: 100000000000000000000000",
        f"{listing}#record-9": "record is not an object: str",
    }
    assert tuple(run) == ("finished", None)
    assert "skipping password-protected post" in result.stderr
    assert "site time zone (REST index): Asia/Bangkok" in result.stderr


def test_a_lying_page_count_is_capped(sqlite_url: str) -> None:
    """No X-WP-Total and a million pages announced: pages are asked one at a time, up to the
    per-listing cap."""
    with HostileServer() as site:

        def listing(page: int) -> Route:
            records = [post(site.url, page * 10 + n) for n in range(2)]
            return Route(body=json.dumps(records), headers={**JSON, "X-WP-TotalPages": "1000000"})

        rest_site(site, listing)
        result = run_crawl(
            site.url, sqlite_url, "CORPUS_MAX_LISTING_PAGES=3", spider="wordpress", timeout=120
        )
        assert result.returncode == 0, result.stderr[-3000:]
        pages = [parse_qs(t.split("?", 1)[1])["page"][0] for t in posts_requests(site)]
    assert pages == ["1", "2", "3"]
    assert "REST listing says 1000000 pages; reading at most 3" in result.stderr
    with get_engine(sqlite_url).connect() as db:
        assert sorted(db.execute(select(Post.post_id)).scalars()) == [10, 11, 20, 21, 30, 31]


def test_a_listing_that_repeats_itself_ends(sqlite_url: str) -> None:
    """A server that ignores ``page`` answers page 2 with page 1: the listing ends there."""
    with HostileServer() as site:
        records = [post(site.url, 7), post(site.url, 8)]
        headers = {**JSON, "X-WP-Total": "1000000", "X-WP-TotalPages": "1000000"}
        rest_site(site, lambda page: Route(body=json.dumps(records), headers=headers))
        result = run_crawl(site.url, sqlite_url, spider="wordpress", timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        assert len(posts_requests(site)) == 2
    assert "lists only posts already listed: end of listing" in result.stderr


def test_names_come_from_the_terms_route_then_the_post_page(sqlite_url: str) -> None:
    """No ``_embedded``; the terms route answers (plus a term nobody asked for), the users
    route answers HTML: categories by ID, the author from the post's own page."""
    with HostileServer() as site:
        records = [post(site.url, 7), post(site.url, 8, categories=[2, 1])]
        for record in records:
            record.pop("_embedded", None)
        rest_site(site, lambda page: Route(body=json.dumps(records), headers=JSON))
        terms = [{"id": 1, "name": "ຂ່າວ"}, {"id": 2, "name": "ກິລາ"}, {"id": 3, "name": "x"}]
        site.route("/wp-json/wp/v2/categories", Route(body=json.dumps(terms), headers=JSON))
        site.route("/wp-json/wp/v2/tags", Route(body="[]", headers=JSON))
        site.route("/wp-json/wp/v2/users/1", Route(body="<html>blocked</html>"))
        for post_id in (7, 8):
            page = (
                f'<html><body class="single postid-{post_id}"><article id="post-{post_id}" '
                f'class="post-{post_id} post hentry"><h1 class="entry-title">ຂ່າວ {post_id}</h1>'
                '<span class="byline"><span class="author vcard"><a class="url fn n" '
                f'href="{site.url}/author/a/">ສົມຈັນ</a></span></span>'
                f'<div class="entry-content">{TEXT}</div></article></body></html>'
            )
            site.route(f"/{post_id}/", Route(body=page))
        result = run_crawl(site.url, sqlite_url, spider="wordpress", timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        lookups = [
            s.path
            for s in site.requests
            if s.path.startswith("/wp-json/wp/v2/") and "posts" not in s.path
        ]
    assert lookups == ["/wp-json/wp/v2/categories", "/wp-json/wp/v2/users/1"]
    engine = get_engine(sqlite_url)
    stored = sorted(
        (r["post_id"], r["authors"], r["categories"], r["tags"]) for r in iter_posts(engine)
    )
    with engine.connect() as db:
        sources = db.execute(select(CrawlRun.field_sources)).scalar_one()
    assert stored == [(7, ["ສົມຈັນ"], ["ຂ່າວ"], []), (8, ["ສົມຈັນ"], ["ກິລາ", "ຂ່າວ"], [])]
    assert sources == {
        "author": {"html": 2},
        "categories": {"terms-endpoint": 2},
        "tags": {"rest-record": 2},
    }
