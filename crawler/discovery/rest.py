"""The WordPress REST API (``wp/v2``): exact IDs, full timestamps, clean bodies, 100 a page."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
from scrapy.http import Response

from crawler.dates import parse_gmt

API_REL = "https://api.w.org/"
PER_PAGE = 100
_LINK_HEADER = re.compile(r'<([^>]+)>\s*;\s*rel="?https://api\.w\.org/"?')


class NotRestResponse(ValueError):
    """The answer is not the JSON a WordPress REST endpoint returns (blocked, HTML, ...)."""


def api_root(response: Response) -> str | None:
    """The REST root a page advertises (``Link`` header first, then the ``<link>`` tag)."""
    for header in response.headers.getlist("Link"):
        match = _LINK_HEADER.search(header.decode("latin-1"))
        if match:
            return urljoin(response.url, match[1])
    if hasattr(response, "xpath"):
        href = response.xpath(f"//link[@rel='{API_REL}']/@href").get()
        if href:
            return urljoin(response.url, href)
    return None


def default_roots(base_url: str) -> list[str]:
    """Where the API lives when nothing advertises it: pretty and plain permalink forms."""
    return [f"{base_url}/wp-json/", f"{base_url}/?rest_route=/"]


def route_url(root: str, route: str, params: dict[str, Any]) -> str:
    """``root`` + ``route`` for both forms: ``/wp-json/`` and ``/?rest_route=/``."""
    query = urlencode(params)
    if "rest_route=" in urlsplit(root).query:
        base = root.split("?", 1)[0]
        return f"{base}?rest_route=/{route.lstrip('/')}" + (f"&{query}" if query else "")
    return urljoin(root, route.lstrip("/")) + (f"?{query}" if query else "")


def posts_url(root: str, page: int, **extra: Any) -> str:
    params = {"per_page": PER_PAGE, "page": page, "_embed": 1, "orderby": "date", "order": "desc"}
    params.update(extra)
    return route_url(root, "wp/v2/posts", params)


SWEEP_FIELDS = "id,link,date_gmt,modified_gmt"


def sweep_url(root: str, page: int) -> str:
    """A page of the lightweight listing that incremental crawls compare with the corpus."""
    params = {
        "per_page": PER_PAGE,
        "page": page,
        "_fields": SWEEP_FIELDS,
        "orderby": "id",
        "order": "asc",
    }
    return route_url(root, "wp/v2/posts", params)


def include_url(root: str, ids: list[int]) -> str:
    """Full records (with names embedded) of the given post IDs, at most 100."""
    params = {"per_page": PER_PAGE, "include": ",".join(map(str, ids)), "_embed": 1}
    return route_url(root, "wp/v2/posts", params)


def changed_at(record: dict[str, Any]):
    """When a listed post last changed, comparable with the corpus's (UTC, to the second)."""
    return parse_gmt(record.get("modified_gmt")) or parse_gmt(record.get("date_gmt"))


def load_json(response: Response) -> Any:
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    if "json" not in content_type:
        raise NotRestResponse(f"expected JSON, got {content_type or 'no content type'}")
    try:
        return json.loads(response.text)
    except ValueError as exc:
        raise NotRestResponse(f"invalid JSON: {exc}") from None


def total_pages(response: Response) -> int:
    value = response.headers.get("X-WP-TotalPages", b"1").decode("latin-1")
    return int(value) if value.isdigit() else 1


def plain_text(html: str | None) -> str:
    """``title.rendered`` is HTML: entities decoded, tags dropped."""
    if not html or not html.strip():
        return ""
    return lxml.html.fragment_fromstring(html, create_parent="span").text_content()


def post_fields(record: dict[str, Any]) -> dict[str, Any]:
    """One REST post as the fields of a ``Post`` item (the same the HTML parser gives)."""
    embedded = record.get("_embedded") or {}
    authors = embedded.get("author") or [{}]
    terms = embedded.get("wp:term") or []
    by_taxonomy: dict[str, list[str]] = {"category": [], "post_tag": []}
    for group in terms:
        for term in group or ():
            if isinstance(term, dict) and term.get("taxonomy") in by_taxonomy:
                by_taxonomy[term["taxonomy"]].append(plain_text(term.get("name")))
    published = parse_gmt(record.get("date_gmt"))
    modified = parse_gmt(record.get("modified_gmt"))
    return {
        "url": record.get("link"),
        "post_id": record.get("id"),
        "title": plain_text((record.get("title") or {}).get("rendered")),
        "author": authors[0].get("name") if isinstance(authors[0], dict) else None,
        "published_at": published,
        "modified_at": None if modified == published else modified,
        "categories": by_taxonomy["category"],
        "tags": by_taxonomy["post_tag"],
        "body_html": (record.get("content") or {}).get("rendered"),
        "date_source": "rest",
    }
