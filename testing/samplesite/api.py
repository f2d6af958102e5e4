"""The WordPress REST API (wp/v2) subset a crawler uses: posts, categories, tags, users.

Why: REST discovery is the crawler's fastest path through the archive, so records, paging
headers and errors follow WordPress closely. The dateless post has null dates here too, so
that every discovery route agrees with the ground truth. Links in records (`link`, `_links`)
follow the server's Face, as rest_url() and get_permalink() do; content.rendered keeps the
<!--nextpage--> markers of a post split into pages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from testing.samplesite.content import (
    AUTHOR_BY_LOGIN,
    AUTHORS,
    CATEGORIES,
    CATEGORY_BY_SLUG,
    SITE_DESCRIPTION,
    SITE_NAME,
    TAG_BY_SLUG,
    TAGS,
    TZ,
    Author,
    Post,
    SampleSite,
    Term,
)
from testing.samplesite.faces import Links
from testing.samplesite.responses import Response, as_json
from testing.samplesite.themes import entry_body, excerpt, post_title

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
_ROUTE = re.compile(r"/wp/v2/(posts|categories|tags|users)(?:/(\d+))?")
_POST_ORDERBY: dict[str, Callable[[Post], Any]] = {
    "date": lambda p: (p.published, p.id),
    "modified": lambda p: (p.last_modified, p.id),
    "id": lambda p: p.id,
    "title": lambda p: (p.title, p.id),
}


class ApiError(Exception):
    """A WordPress-shaped REST error (code, message, HTTP status)."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = data

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        body["data"] = {"status": self.status, **self.data}
        return body

    def response(self) -> Response:
        return as_json(self.status, self.body())


def slug(title: str) -> str:
    """WordPress's sanitize_title() for a Lao title: percent-encoded UTF-8, max 200 chars."""
    kept = "".join(
        c if unicodedata.category(c)[0] in "LMN" else "-" if c in " -–" else "" for c in title
    )
    kept = re.sub("-+", "-", kept.lower()).strip("-")
    out = ""
    for c in kept:
        enc = quote(c, safe="-").lower()
        if len(out) + len(enc) > 200:
            break
        out += enc
    return out


def _local(dt: datetime | None) -> str | None:
    return None if dt is None else dt.strftime("%Y-%m-%dT%H:%M:%S")


def _gmt(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _term_json(term: Term, links: Links, count: int | None = None) -> dict[str, Any]:
    is_cat = term.taxonomy == "category"
    data: dict[str, Any] = {
        "id": term.id,
        "link": links.category(term.slug) if is_cat else links.tag(term.slug),
        "name": term.name,
        "slug": term.slug,
        "taxonomy": term.taxonomy,
    }
    if count is not None:
        rest = "categories" if is_cat else "tags"
        data = {"id": term.id, "count": count, "description": "", **data}
        data.update(
            parent=0,
            meta=[],
            _links={
                "self": [{"href": links.rest(f"/wp/v2/{rest}/{term.id}")}],
                "collection": [{"href": links.rest(f"/wp/v2/{rest}")}],
            },
        )
    return data


def _user_json(author: Author, links: Links) -> dict[str, Any]:
    return {
        "id": author.id,
        "name": author.login,
        "url": "",
        "description": "",
        "link": links.author(author.login),
        "slug": author.login,
        "avatar_urls": {},
        "_links": {
            "self": [{"href": links.rest(f"/wp/v2/users/{author.id}")}],
            "collection": [{"href": links.rest("/wp/v2/users")}],
        },
    }


USERS_BLOCKED = ApiError("rest_user_cannot_view", "Sorry, you are not allowed to list users.", 401)


def post_json(
    site: SampleSite, post: Post, links: Links, *, embed: bool, users_blocked: bool = False
) -> dict[str, Any]:
    """One post as WordPress's REST API renders it (optionally with _embedded).

    With the users route blocked, WordPress embeds the error its internal request got, as
    ``{"code", "message", "data": {"status"}}`` in place of the user (WP_REST_Server::embed_links).
    """
    dateless = post.date_style == "none"
    published = None if dateless else post.published
    modified = None if dateless else post.last_modified
    author = AUTHOR_BY_LOGIN[post.author]
    data: dict[str, Any] = {
        "id": post.id,
        "date": _local(published),
        "date_gmt": _gmt(published),
        "guid": {"rendered": links.shortlink(post.id)},
        "modified": _local(modified),
        "modified_gmt": _gmt(modified),
        "slug": slug(post.title),
        "status": "publish",
        "type": "post",
        "link": links.post(post.id),
        "title": {"rendered": post_title(site, post)},
        "content": {"rendered": entry_body(site, post, links) + "\n", "protected": False},
        "excerpt": {"rendered": f"<p>{excerpt(site, post)}</p>\n", "protected": False},
        "author": author.id,
        "featured_media": 0,
        "comment_status": "closed",
        "ping_status": "closed",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": [],
        "categories": [CATEGORY_BY_SLUG[s].id for s in post.categories],
        "tags": [TAG_BY_SLUG[s].id for s in post.tags],
        "_links": {
            "self": [{"href": links.rest(f"/wp/v2/posts/{post.id}")}],
            "collection": [{"href": links.rest("/wp/v2/posts")}],
            "author": [{"embeddable": True, "href": links.rest(f"/wp/v2/users/{author.id}")}],
            "wp:term": [
                {
                    "taxonomy": "category",
                    "embeddable": True,
                    "href": _with_query(links.rest("/wp/v2/categories"), f"post={post.id}"),
                },
                {
                    "taxonomy": "post_tag",
                    "embeddable": True,
                    "href": _with_query(links.rest("/wp/v2/tags"), f"post={post.id}"),
                },
            ],
        },
    }
    if embed:
        user = USERS_BLOCKED.body() if users_blocked else _user_json(author, links)
        data["_embedded"] = {
            "author": [user],
            "wp:term": [
                [_term_json(CATEGORY_BY_SLUG[s], links) for s in post.categories],
                [_term_json(TAG_BY_SLUG[s], links) for s in post.tags],
            ],
        }
    return data


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _int(params: dict[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = lo - 1
    if not lo <= value <= hi:
        raise ApiError(
            "rest_invalid_param",
            f"Invalid parameter(s): {name}",
            400,
            params={name: f"{name} must be between {lo} ({lo}) and {hi} ({hi})"},
        )
    return value


def _choice(params: dict[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = params.get(name) or default
    if value not in allowed:
        raise ApiError(
            "rest_invalid_param",
            f"Invalid parameter(s): {name}",
            400,
            params={name: f"{name} is not one of {', '.join(allowed)}."},
        )
    return value


def _when(params: dict[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ApiError(
            "rest_invalid_param",
            f"Invalid parameter(s): {name}",
            400,
            params={name: "Invalid date."},
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=TZ)  # naive means site time


def _ids(params: dict[str, str], name: str) -> set[int] | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        return {int(x) for x in raw.split(",") if x}
    except ValueError:
        raise ApiError(
            "rest_invalid_param", f"Invalid parameter(s): {name}", 400, params={name: "Bad ids."}
        ) from None


class RestApi:
    """Dispatches REST routes; `pretty` says whether the request came via /wp-json/.

    URLs in records come from the request's Links (the face); whether REST answers at all
    (a blocked API, no /wp-json/ without rewrite rules) is the router's decision.
    """

    def __init__(self, site: SampleSite, fault: str = "none") -> None:
        self.site = site
        self.fault = fault  # one of faces.REST_FAULTS

    def _embed(self, params: dict[str, str]) -> bool:
        """Whether to embed: asked for, and not dropped on the way (a cache that strips it)."""
        return "_embed" in params and self.fault != "embed_ignored"

    def handle(self, route: str, params: dict[str, str], links: Links, *, pretty: bool) -> Response:
        """Answer one REST request (GET) for `route`, e.g. "/wp/v2/posts"."""
        route = "/" + route.strip("/")
        try:
            if route == "/":
                return as_json(200, self._index(links))
            if route == "/wp/v2":
                return as_json(200, {"namespace": "wp/v2", "routes": self._routes(links)})
            m = _ROUTE.fullmatch(route)
            if not m:
                raise ApiError(
                    "rest_no_route", "No route was found matching the URL and request method.", 404
                )
            kind, item = m.group(1), m.group(2)
            if kind == "users" and self.fault == "users_blocked":
                raise USERS_BLOCKED
            if item is not None:
                return as_json(200, self._single(kind, int(item), params, links))
            return self._collection(kind, route, params, links, pretty)
        except ApiError as err:
            return err.response()

    # -- routes --

    def _index(self, links: Links) -> dict[str, Any]:
        base = links.base
        return {
            "name": SITE_NAME,
            "description": SITE_DESCRIPTION,
            "url": base,
            "home": base,
            "gmt_offset": 7,
            "timezone_string": "Asia/Vientiane",
            "namespaces": ["wp/v2"],
            "authentication": [],
            "routes": self._routes(links),
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
        }

    @staticmethod
    def _routes(links: Links) -> dict[str, Any]:
        def route(path: str, args: dict[str, Any]) -> dict[str, Any]:
            info: dict[str, Any] = {
                "namespace": "wp/v2",
                "methods": ["GET"],
                "endpoints": [{"methods": ["GET"], "args": args}],
            }
            if "(?P" not in path:
                info["_links"] = {"self": [{"href": links.rest(path)}]}
            return info

        paging = {
            "page": {"default": 1, "type": "integer", "minimum": 1},
            "per_page": {
                "default": DEFAULT_PER_PAGE,
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PER_PAGE,
            },
        }
        post_args = {
            **paging,
            "order": {"default": "desc", "type": "string", "enum": ["asc", "desc"]},
            "orderby": {"default": "date", "type": "string", "enum": list(_POST_ORDERBY)},
            "after": {"type": "string", "format": "date-time"},
            "before": {"type": "string", "format": "date-time"},
            "modified_after": {"type": "string", "format": "date-time"},
            "modified_before": {"type": "string", "format": "date-time"},
            "author": {"type": "array", "items": {"type": "integer"}},
            "categories": {"type": "array", "items": {"type": "integer"}},
            "tags": {"type": "array", "items": {"type": "integer"}},
        }
        routes = {"/": route("/", {}), "/wp/v2": route("/wp/v2", {})}
        for kind, args in (
            ("posts", post_args),
            ("categories", paging),
            ("tags", paging),
            ("users", paging),
        ):
            routes[f"/wp/v2/{kind}"] = route(f"/wp/v2/{kind}", args)
            routes[f"/wp/v2/{kind}/(?P<id>[\\d]+)"] = route(f"/wp/v2/{kind}/(?P<id>[\\d]+)", {})
        return routes

    def _single(self, kind: str, item: int, params: dict[str, str], links: Links) -> dict[str, Any]:
        site = self.site
        blocked = self.fault == "users_blocked"
        if kind == "posts":
            post = site.get(item)
            if post is None:
                raise ApiError("rest_post_invalid_id", "Invalid post ID.", 404)
            return post_json(site, post, links, embed=self._embed(params), users_blocked=blocked)
        if kind == "users":
            for author in AUTHORS:
                if author.id == item:
                    return _user_json(author, links)
            raise ApiError("rest_user_invalid_id", "Invalid user ID.", 404)
        terms, index = (
            (CATEGORIES, site.by_category) if kind == "categories" else (TAGS, site.by_tag)
        )
        for term in terms:
            if term.id == item:
                return _term_json(term, links, len(index[term.slug]))
        raise ApiError("rest_term_invalid", "Term does not exist.", 404)

    def _collection(
        self, kind: str, route: str, params: dict[str, str], links: Links, pretty: bool
    ) -> Response:
        page = _int(params, "page", 1, 1, 10**9)
        per_page = _int(params, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        items: list[Any]
        if kind == "posts":
            items = self._posts(params)
        elif kind == "users":
            items = [a for a in AUTHORS if self.site.by_author[a.login]]
        else:
            terms, index = (
                (CATEGORIES, self.site.by_category)
                if kind == "categories"
                else (TAGS, self.site.by_tag)
            )
            items = list(terms)
            post_ids = _ids(params, "post")
            if post_ids is not None:  # terms of given posts, as wp:term links ask
                posts = [p for p in map(self.site.get, post_ids) if p]
                items = [t for t in items if any(t.slug in p.categories + p.tags for p in posts)]
            include = _ids(params, "include")
            if include is not None:  # by ID, as a client resolving a post's term IDs asks
                items = [t for t in items if t.id in include]
        total = len(items)
        pages = math.ceil(total / per_page)
        if kind == "posts" and total and page > pages:
            raise ApiError(
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
                400,
            )
        chunk = items[(page - 1) * per_page : page * per_page]
        if kind == "posts":
            embed, blocked = self._embed(params), self.fault == "users_blocked"
            body: list[Any] = [
                post_json(self.site, p, links, embed=embed, users_blocked=blocked) for p in chunk
            ]
            fields = [f for f in params.get("_fields", "").split(",") if f]
            if fields:  # WordPress's _fields: only these top-level keys
                body = [{k: v for k, v in record.items() if k in fields} for record in body]
        elif kind == "users":
            body = [_user_json(a, links) for a in chunk]
        else:
            index = self.site.by_category if kind == "categories" else self.site.by_tag
            body = [_term_json(t, links, len(index[t.slug])) for t in chunk]
        headers = [
            ("X-WP-Total", str(total)),
            ("X-WP-TotalPages", str(pages)),
            ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"),
            ("Allow", "GET"),
        ]
        base = links.base
        paging: list[str] = []
        if page > 1 and page - 1 <= max(pages, 1):
            paging.append(f'<{self._link(base, route, params, page - 1, pretty)}>; rel="prev"')
        if page < pages:
            paging.append(f'<{self._link(base, route, params, page + 1, pretty)}>; rel="next"')
        if paging:
            headers.append(("Link", ", ".join(paging)))
        return as_json(200, body, headers)

    def _posts(self, params: dict[str, str]) -> list[Post]:
        order = _choice(params, "order", "desc", ("asc", "desc"))
        orderby = _choice(params, "orderby", "date", tuple(_POST_ORDERBY))
        after, before = _when(params, "after"), _when(params, "before")
        m_after, m_before = _when(params, "modified_after"), _when(params, "modified_before")
        cats, tags, authors = (
            _ids(params, "categories"),
            _ids(params, "tags"),
            _ids(params, "author"),
        )
        include = _ids(params, "include")
        posts: list[Post] = []
        for p in self.site.posts:
            if include is not None and p.id not in include:
                continue
            if after and not p.published > after:
                continue
            if before and not p.published < before:
                continue
            if m_after and not p.last_modified > m_after:
                continue
            if m_before and not p.last_modified < m_before:
                continue
            if cats is not None and not cats & {CATEGORY_BY_SLUG[s].id for s in p.categories}:
                continue
            if tags is not None and not tags & {TAG_BY_SLUG[s].id for s in p.tags}:
                continue
            if authors is not None and AUTHOR_BY_LOGIN[p.author].id not in authors:
                continue
            posts.append(p)
        if orderby != "date":
            posts.sort(key=_POST_ORDERBY[orderby])
        if order == "desc":
            posts.reverse()
        return posts

    @staticmethod
    def _link(base: str, route: str, params: dict[str, str], page: int, pretty: bool) -> str:
        query = {k: v for k, v in params.items() if k != "rest_route"}
        query["page"] = str(page)
        if pretty:
            return f"{base}/wp-json{route}?{urlencode(query, safe='/')}"
        return f"{base}/?{urlencode({'rest_route': route, **query}, safe='/')}"
