"""URL routing of the sample site: a pure function of the request plus one bit of state.

Why: the only state a server keeps is the transient-failure counter (the 503 trap); all
else is derived from the model, so the same request always gets the same bytes.
"""

from __future__ import annotations

import math
import re
import threading
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

from samplesite import feeds, themes
from samplesite.api import RestApi
from samplesite.content import (
    AUTHOR_BY_LOGIN,
    CATEGORY_BY_SLUG,
    PER_PAGE,
    SITE_DESCRIPTION,
    SITE_NAME,
    TAG_BY_SLUG,
    Post,
    SampleSite,
)
from samplesite.lexicon import MONTHS_LAO
from samplesite.responses import HTML, RSS, TEXT, XML, Response, text

_POST = re.compile(r"/(\d+)/")
_HOME_PAGE = re.compile(r"/page/(\d+)/")
_TERM = re.compile(r"/(category|tag|author)/([A-Za-z0-9_-]+)/(?:page/(\d+)/)?")
_DATE = re.compile(r"/date/(\d{4})/(\d{2})/(?:page/(\d+)/)?")
_SITEMAP_POSTS = re.compile(r"/wp-sitemap-posts-post-(\d+)\.xml")
_HTML_SHAPES = (_POST, _HOME_PAGE, _TERM, _DATE)


class Headers(Protocol):
    """Request headers as the router needs them (http.client.HTTPMessage or a dict)."""

    def get(self, name: str, default: None = None, /) -> str | None: ...


class Router:
    """Maps (method, target, headers, base URL) to a Response for one SampleSite."""

    def __init__(self, site: SampleSite) -> None:
        self.site = site
        self.api = RestApi(site)
        self._lock = threading.Lock()
        self._failures_left = dict(site.transient)

    def handle(self, target: str, headers: Headers, base: str) -> Response:
        """Answer a GET (the server strips the body for HEAD)."""
        parts = urlsplit(target)
        path = parts.path or "/"
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._lock:
            left = self._failures_left.get(path, 0)
            if left:
                self._failures_left[path] = left - 1
        if left:
            return text(503, themes.unavailable_page(), HTML, [("Retry-After", "1")])
        response = self._route(path, params, parts.query, headers, base)
        if response.content_type == HTML and response.status in (200, 404):
            response.headers.append(("Link", f'<{base}/wp-json/>; rel="https://api.w.org/"'))
        return response

    # -- dispatch --

    def _route(
        self, path: str, params: dict[str, str], query: str, headers: Headers, base: str
    ) -> Response:
        site = self.site
        if path == "/":
            if "rest_route" in params:
                return self.api.handle(params["rest_route"], params, base, pretty=False)
            if "p" in params:
                post = site.get(int(params["p"])) if params["p"].isdigit() else None
                if post is None:
                    return self._not_found(base)
                return _redirect(f"{base}/{post.id}/")
            return self._home(None, base)
        if path == "/robots.txt":
            return text(200, feeds.robots_txt(base), TEXT)
        if path in ("/wp-json", "/wp-json/"):
            return self.api.handle("/", params, base, pretty=True)
        if path.startswith("/wp-json/"):
            return self.api.handle(path[len("/wp-json") :], params, base, pretty=True)
        if path == "/feed/":
            return text(200, feeds.rss(site, base), RSS)
        if path == "/wp-sitemap.xml":
            return text(200, feeds.sitemap_index(site, base), XML)
        if path == "/wp-sitemap-taxonomies-category-1.xml":
            return text(200, feeds.sitemap_categories(site, base), XML)
        if path == "/wp-sitemap-users-1.xml":
            return text(200, feeds.sitemap_users(site, base), XML)
        m = _SITEMAP_POSTS.fullmatch(path)
        if m:
            body = feeds.sitemap_posts(site, base, int(m.group(1)))
            return text(200, body, XML) if body else self._not_found(base)
        if path == "/wp-admin/admin-ajax.php":
            return text(400, "0", TEXT)
        response = self._html(path, headers, base)
        if response is not None:
            return response
        last = path.rsplit("/", 1)[-1]
        if last and "." not in last and any(r.fullmatch(path + "/") for r in _HTML_SHAPES):
            return _redirect(f"{base}{path}/" + (f"?{query}" if query else ""))
        if path == "/feed":
            return _redirect(f"{base}/feed/")
        return self._not_found(base)

    def _html(self, path: str, headers: Headers, base: str) -> Response | None:
        site = self.site
        m = _POST.fullmatch(path)
        if m:
            post = site.get(int(m.group(1)))
            return self._post(post, headers, base) if post else self._not_found(base)
        m = _HOME_PAGE.fullmatch(path)
        if m:
            return self._home(int(m.group(1)), base)
        m = _TERM.fullmatch(path)
        if m:
            return self._term(m.group(1), m.group(2), _page(m.group(3)), base)
        m = _DATE.fullmatch(path)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            posts = site.by_month.get((year, month))
            if not posts:
                return self._not_found(base)
            root = f"/date/{year}/{month:02d}/"
            label = f"{MONTHS_LAO[month - 1]} {year}"
            return self._archive(
                base,
                posts,
                _page(m.group(3)),
                root,
                f"Month: <span>{label}</span>",
                f"{label} | {SITE_NAME}",
                "archive date",
            )
        return None

    # -- pages --

    def _post(self, post: Post, headers: Headers, base: str) -> Response:
        extra = [("Link", f"<{base}/?p={post.id}>; rel=shortlink")]
        if post.date_style != "none":
            modified = post.last_modified
            extra.append(("Last-Modified", format_datetime(modified.astimezone(UTC), usegmt=True)))
            since = _parse_http_date(headers.get("If-Modified-Since"))
            if since is not None and modified <= since:
                return Response(304, b"", None, extra)
        return text(200, themes.post_page(self.site, post, base), HTML, extra)

    def _home(self, page: int | None, base: str) -> Response:
        title = f"{SITE_NAME} – ໜ້າ {page}" if page else f"{SITE_NAME} – {SITE_DESCRIPTION}"
        return self._archive(base, self.site.newest, page, "/", "", title, "home blog")

    def _term(self, kind: str, slug: str, page: int | None, base: str) -> Response:
        site = self.site
        if kind == "category" and slug in CATEGORY_BY_SLUG:
            term = CATEGORY_BY_SLUG[slug]
            return self._archive(
                base,
                site.by_category[slug],
                page,
                f"/category/{slug}/",
                f"Category: <span>{term.name}</span>",
                f"{term.name} | {SITE_NAME}",
                f"archive category category-{slug} category-{term.id}",
            )
        if kind == "tag" and slug in TAG_BY_SLUG:
            term = TAG_BY_SLUG[slug]
            return self._archive(
                base,
                site.by_tag[slug],
                page,
                f"/tag/{slug}/",
                f"Tag: <span>{term.name}</span>",
                f"{term.name} | {SITE_NAME}",
                f"archive tag tag-{slug} tag-{term.id}",
            )
        if kind == "author" and slug in AUTHOR_BY_LOGIN:
            author = AUTHOR_BY_LOGIN[slug]
            return self._archive(
                base,
                site.by_author[slug],
                page,
                f"/author/{slug}/",
                f'Author: <span class="vcard">{slug}</span>',
                f"{slug} | {SITE_NAME}",
                f"archive author author-{slug} author-{author.id}",
            )
        return self._not_found(base)

    def _archive(
        self,
        base: str,
        posts: list[Post],
        page: int | None,
        root: str,
        heading: str,
        title: str,
        body_class: str,
    ) -> Response:
        if page == 1:  # WordPress canonicalises /page/1/ to the archive's root
            return _redirect(f"{base}{root}")
        number = 1 if page is None else page
        pages = max(1, math.ceil(len(posts) / PER_PAGE))
        if not 1 <= number <= pages:
            return self._not_found(base)
        html = themes.archive_page(
            self.site,
            base,
            posts=posts[(number - 1) * PER_PAGE : number * PER_PAGE],
            page=number,
            pages=pages,
            root=f"{base}{root}",
            heading=heading,
            title=title,
            body_class=body_class,
        )
        return text(200, html, HTML)

    def _not_found(self, base: str) -> Response:
        return text(404, themes.not_found_page(self.site, base), HTML)


def _page(group: str | None) -> int | None:
    return None if group is None else int(group)


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
