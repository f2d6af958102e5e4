"""URL routing of the sample site: a pure function of the request plus one bit of state.

Why: the only state a server keeps is the transient-failure counter (the 503 trap); all
else is derived from the model and the server's Face, so the same request always gets the
same bytes. Pretty permalinks route on the path; plain permalinks route on the query string
of "/" only, and then every pretty path (REST's /wp-json/ included) is a 404.
"""

from __future__ import annotations

import math
import re
import threading
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from types import ModuleType
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

from testing.samplesite import feeds, newsbox, themes
from testing.samplesite.api import RestApi
from testing.samplesite.content import (
    AUTHOR_BY_LOGIN,
    AUTHORS,
    CATEGORIES,
    CATEGORY_BY_SLUG,
    PER_PAGE,
    TAG_BY_SLUG,
    Post,
    SampleSite,
)
from testing.samplesite.faces import DEFAULT_FACE, Face, Links, page_sizes, plain_path
from testing.samplesite.lexicon import MONTHS_LAO
from testing.samplesite.responses import HTML, RSS, TEXT, XML, Response, as_json, text
from testing.samplesite.themes import Listing

_POST = re.compile(r"/(\d+)/(?:(\d+)/)?")
_HOME_PAGE = re.compile(r"/page/(\d+)/")
_TERM = re.compile(r"/(category|tag|author)/([A-Za-z0-9_-]+)/(?:page/(\d+)/)?")
_DATE = re.compile(r"/date/(\d{4})/(\d{2})/(?:page/(\d+)/)?")
_SITEMAP_POSTS = re.compile(r"/wp-sitemap-posts-post-(\d+)\.xml")
_HTML_SHAPES = (_POST, _HOME_PAGE, _TERM, _DATE)
_YEAR_MONTH = re.compile(r"(\d{4})(\d{2})")
THEME_MODULES: dict[str, ModuleType] = {"lsr": themes, "newsbox": newsbox}
REST_BLOCKED = {
    "code": "rest_login_required",
    "message": "REST API restricted to authenticated users.",
    "data": {"status": 401},
}


class Headers(Protocol):
    """Request headers as the router needs them (http.client.HTTPMessage or a dict)."""

    def get(self, name: str, default: None = None, /) -> str | None: ...


class Router:
    """Maps (target, headers, base URL) to a Response for one SampleSite shown in one Face."""

    def __init__(self, site: SampleSite, face: Face = DEFAULT_FACE) -> None:
        self.site = site
        self.face = face
        self.theme = THEME_MODULES[face.theme]
        self.api = RestApi(site, fault=face.rest_fault)
        self._lock = threading.Lock()
        self._failures_left = {
            plain_path(path) if face.plain else path: n for path, n in site.transient.items()
        }

    def handle(self, target: str, headers: Headers, base: str) -> Response:
        """Answer a GET (the server strips the body for HEAD)."""
        parts = urlsplit(target)
        path = parts.path or "/"
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        key = f"{path}?{parts.query}" if self.face.plain and parts.query else path
        with self._lock:
            left = self._failures_left.get(key, 0)
            if left:
                self._failures_left[key] = left - 1
        if left:
            return text(503, themes.unavailable_page(), HTML, [("Retry-After", "1")])
        links = Links.of(base, self.face)
        response = self._route(path, params, parts.query, headers, links)
        if response.content_type == HTML and response.status in (200, 404):
            response.headers.append(("Link", f'<{links.rest()}>; rel="https://api.w.org/"'))
        return response

    # -- dispatch --

    def _route(
        self, path: str, params: dict[str, str], query: str, headers: Headers, links: Links
    ) -> Response:
        site = self.site
        face = self.face
        if path == "/":
            if "rest_route" in params:
                return self._rest(params["rest_route"], params, links, pretty=False)
            if face.plain:
                return self._plain(params, headers, links)
            if "p" in params:
                post = site.get(int(params["p"])) if params["p"].isdigit() else None
                if post is None:
                    return self._not_found(links)
                page = params.get("page", "")
                return _redirect(links.post(post.id, int(page) if page.isdigit() else 1))
            return self._home(None, links)
        if path == "/robots.txt":
            return text(200, feeds.robots_txt(links), TEXT)
        if path == "/wp-admin/admin-ajax.php":
            return text(400, "0", TEXT)
        if path in ("/wp-json", "/wp-json/") or path.startswith("/wp-json/"):
            route = path[len("/wp-json") :] or "/"
            if face.wp_json or (not face.plain and face.rest == "off"):
                return self._rest(route, params, links, pretty=True)
            return self._not_found(links)  # no rewrite rules, or REST only at ?rest_route=
        if face.plain:
            return self._not_found(links)
        if path == "/feed/":
            return self._feed(params, links)
        if path == "/wp-sitemap.xml":
            return text(200, feeds.sitemap_index(site, links), XML)
        if path == "/wp-sitemap-taxonomies-category-1.xml":
            return text(200, feeds.sitemap_categories(site, links), XML)
        if path == "/wp-sitemap-users-1.xml":
            return text(200, feeds.sitemap_users(site, links), XML)
        m = _SITEMAP_POSTS.fullmatch(path)
        if m:
            body = feeds.sitemap_posts(site, links, int(m.group(1)))
            return text(200, body, XML) if body else self._not_found(links)
        response = self._html(path, headers, links)
        if response is not None:
            return response
        last = path.rsplit("/", 1)[-1]
        if last and "." not in last and any(r.fullmatch(path + "/") for r in _HTML_SHAPES):
            return _redirect(f"{links.base}{path}/" + (f"?{query}" if query else ""))
        if path == "/feed":
            return _redirect(links.feed())
        return self._not_found(links)

    def _rest(self, route: str, params: dict[str, str], links: Links, *, pretty: bool) -> Response:
        if self.face.rest == "off":  # a security plugin answers before any route runs
            return as_json(401, REST_BLOCKED)
        return self.api.handle(route, params, links, pretty=pretty)

    def _html(self, path: str, headers: Headers, links: Links) -> Response | None:
        site = self.site
        m = _POST.fullmatch(path)
        if m:
            post = site.get(int(m.group(1)))
            if post is None:
                return self._not_found(links)
            return self._post(post, _page(m.group(2)), headers, links)
        m = _HOME_PAGE.fullmatch(path)
        if m:
            return self._home(int(m.group(1)), links)
        m = _TERM.fullmatch(path)
        if m:
            return self._term(m.group(1), m.group(2), _page(m.group(3)), links)
        m = _DATE.fullmatch(path)
        if m:
            return self._month(int(m.group(1)), int(m.group(2)), _page(m.group(3)), links)
        return None

    def _plain(self, params: dict[str, str], headers: Headers, links: Links) -> Response:
        """WordPress without rewrite rules: the query string of "/" says what to show."""
        site = self.site
        if "p" in params:
            post = site.get(int(params["p"])) if params["p"].isdigit() else None
            page = _query_page(params, "page")
            if post is None or page == 0:
                return self._not_found(links)
            return self._post(post, page, headers, links)
        if "feed" in params:
            if params["feed"] in ("", "rss2"):
                return self._feed(params, links)
            return self._not_found(links)
        if "sitemap" in params:
            return self._plain_sitemap(params, links)
        page = _query_page(params, "paged")
        if page == 0:
            return self._not_found(links)
        if "cat" in params:
            cat = next((c for c in CATEGORIES if str(c.id) == params["cat"]), None)
            return self._term("category", cat.slug, page, links) if cat else self._not_found(links)
        if "tag" in params:
            return self._term("tag", params["tag"], page, links)
        if "author" in params:
            user = next((a for a in AUTHORS if str(a.id) == params["author"]), None)
            if user is None:
                return self._not_found(links)
            return self._term("author", user.login, page, links)
        if "m" in params:
            m = _YEAR_MONTH.fullmatch(params["m"])
            if not m:
                return self._not_found(links)
            return self._month(int(m.group(1)), int(m.group(2)), page, links)
        return self._home(page, links)

    def _plain_sitemap(self, params: dict[str, str], links: Links) -> Response:
        site = self.site
        kind, subtype = params["sitemap"], params.get("sitemap-subtype")
        page = _query_page(params, "paged") or 1
        if kind == "index":
            return text(200, feeds.sitemap_index(site, links), XML)
        if kind == "posts" and subtype == "post":
            body = feeds.sitemap_posts(site, links, page)
            return text(200, body, XML) if body else self._not_found(links)
        if kind == "taxonomies" and subtype == "category" and page == 1:
            return text(200, feeds.sitemap_categories(site, links), XML)
        if kind == "users" and page == 1:
            return text(200, feeds.sitemap_users(site, links), XML)
        return self._not_found(links)

    # -- pages --

    def _post(self, post: Post, page: int | None, headers: Headers, links: Links) -> Response:
        if page == 1:  # WordPress canonicalises page 1 of a post to the post itself
            return _redirect(links.post(post.id))
        number = 1 if page is None else page
        if not 1 <= number <= len(page_sizes(self.site, post)):
            return self._not_found(links)
        extra = [("Link", f"<{links.shortlink(post.id)}>; rel=shortlink")]
        if post.date_style != "none":
            modified = post.last_modified
            extra.append(("Last-Modified", format_datetime(modified.astimezone(UTC), usegmt=True)))
            since = _parse_http_date(headers.get("If-Modified-Since"))
            if since is not None and modified <= since:
                return Response(304, b"", None, extra)
        html = self.theme.post_page(self.site, post, links, number)
        return text(200, html, HTML, extra)

    def _home(self, page: int | None, links: Links) -> Response:
        listing = Listing("home", "", "home blog", links.home)
        return self._archive(links, self.site.newest, page, listing)

    def _term(self, kind: str, slug: str, page: int | None, links: Links) -> Response:
        site = self.site
        if kind == "category" and slug in CATEGORY_BY_SLUG:
            term = CATEGORY_BY_SLUG[slug]
            classes = f"archive category category-{slug} category-{term.id}"
            listing = Listing(kind, term.name, classes, partial(links.category, slug))
            return self._archive(links, site.by_category[slug], page, listing)
        if kind == "tag" and slug in TAG_BY_SLUG:
            term = TAG_BY_SLUG[slug]
            classes = f"archive tag tag-{slug} tag-{term.id}"
            listing = Listing(kind, term.name, classes, partial(links.tag, slug))
            return self._archive(links, site.by_tag[slug], page, listing)
        if kind == "author" and slug in AUTHOR_BY_LOGIN:
            author = AUTHOR_BY_LOGIN[slug]
            classes = f"archive author author-{slug} author-{author.id}"
            listing = Listing(kind, slug, classes, partial(links.author, slug))
            return self._archive(links, site.by_author[slug], page, listing)
        return self._not_found(links)

    def _month(self, year: int, month: int, page: int | None, links: Links) -> Response:
        posts = self.site.by_month.get((year, month))
        if not posts:
            return self._not_found(links)
        label = f"{MONTHS_LAO[month - 1]} {year}"
        listing = Listing("date", label, "archive date", partial(links.month, year, month))
        return self._archive(links, posts, page, listing)

    def _archive(
        self, links: Links, posts: list[Post], page: int | None, listing: Listing
    ) -> Response:
        if page == 1:  # WordPress canonicalises /page/1/ (?paged=1) to the archive's root
            return _redirect(listing.link(1))
        number = 1 if page is None else page
        pages = max(1, math.ceil(len(posts) / PER_PAGE))
        if not 1 <= number <= pages:
            return self._not_found(links)
        html = self.theme.archive_page(
            self.site,
            links,
            listing,
            posts=posts[(number - 1) * PER_PAGE : number * PER_PAGE],
            page=number,
            pages=pages,
        )
        return text(200, html, HTML)

    def _feed(self, params: dict[str, str], links: Links) -> Response:
        """A feed page: ``?paged=N`` as WordPress allows, 404 past the last page."""
        page = _query_page(params, "paged")
        page = 1 if page is None else page
        if not 1 <= page <= feeds.feed_pages(self.site):
            return self._not_found(links)
        return text(200, feeds.rss(self.site, links, page), RSS)

    def _not_found(self, links: Links) -> Response:
        return text(404, self.theme.not_found_page(self.site, links), HTML)


def _page(group: str | None) -> int | None:
    return None if group is None else int(group)


def _query_page(params: dict[str, str], name: str) -> int | None:
    """A page-number query argument: None when absent, 0 when unusable."""
    raw = params.get(name)
    if raw is None:
        return None
    return int(raw) if raw.isdigit() else 0


def _redirect(location: str, status: int = 301) -> Response:
    return Response(status, b"", HTML, [("Location", location)])


def _parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
