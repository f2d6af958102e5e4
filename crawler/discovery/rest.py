"""The WordPress REST API (``wp/v2``): exact IDs, full timestamps, clean bodies, 100 a page.

A record is data from a site we do not control, so every field is type-checked before it
becomes part of a ``Post``: a record of the wrong shape is a ``BadRecord`` with a reason, never
a crashed callback that loses the rest of its page. Names that ``_embed`` did not deliver
(caches and proxies that drop the parameter, a security plugin that blocks the users route,
which WordPress reports as error objects inside ``_embedded``) are resolved by ID through the
terms and users endpoints; ``RestPost.complete`` says which fields are still missing after that.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.etree
import lxml.html
from scrapy.http import Response

from crawler.dates import parse_gmt, parse_iso
from crawler.scope import same_origin

API_REL = "https://api.w.org/"
PER_PAGE = 100
MAX_ID = 2**63 - 1  # the corpus stores WordPress IDs as signed 64-bit integers
MAX_TERMS = 1000  # IDs of one taxonomy on one post; more is not a news post
UNRESOLVED = "unresolved"  # field source: the record names IDs, no endpoint or page the names
TAXONOMIES = {"category": "categories", "post_tag": "tags"}  # taxonomy -> record key / route
INDEX_FIELDS = "name,url,home,gmt_offset,timezone_string,namespaces"
_LINK_HEADER = re.compile(r'<([^>]+)>\s*;\s*rel="?https://api\.w\.org/"?')


class NotRestResponse(ValueError):
    """The answer is not the JSON a WordPress REST endpoint returns (blocked, HTML, ...)."""


class BadRecord(ValueError):
    """A REST post record that cannot become a post; the message is the reject's reason."""


class Fetched(NamedTuple):
    """Where an item came from, kept in request meta instead of the whole response."""

    url: str
    status: int


# -- URLs ------------------------------------------------------------------------------------


def advertised_roots(response: Response) -> list[str]:
    """Every REST root a page advertises (``Link`` headers first, then the ``<link>`` tag)."""
    roots = []
    for header in response.headers.getlist("Link"):
        match = _LINK_HEADER.search(header.decode("latin-1"))
        if match:
            roots.append(urljoin(response.url, match[1].strip()))
    if hasattr(response, "xpath"):
        href = response.xpath(f"//link[@rel='{API_REL}']/@href").get()
        if href:
            roots.append(urljoin(response.url, href.strip()))
    return roots


def api_root(response: Response, base_url: str) -> str | None:
    """The first advertised REST root on the site's own origin: a root elsewhere (another
    host or port, ``file:``) would send our requests where the site has no say."""
    return next((r for r in advertised_roots(response) if same_origin(r, base_url)), None)


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


def index_url(root: str) -> str:
    """The root index, trimmed to what the crawler reads (WordPress honours ``_fields``)."""
    return route_url(root, "", {"_fields": INDEX_FIELDS})


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


def terms_url(root: str, taxonomy: str, ids: list[int]) -> str:
    """Names of up to 100 terms of one taxonomy, by ID."""
    params = {"include": ",".join(map(str, ids)), "per_page": PER_PAGE, "_fields": "id,name"}
    return route_url(root, f"wp/v2/{TAXONOMIES[taxonomy]}", params)


def user_url(root: str, user_id: int) -> str:
    return route_url(root, f"wp/v2/users/{user_id}", {"_fields": "id,name"})


# -- responses -------------------------------------------------------------------------------


def load_json(response: Response) -> Any:
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    if "json" not in content_type:
        raise NotRestResponse(f"expected JSON, got {content_type or 'no content type'}")
    try:
        return json.loads(response.text)
    except ValueError as exc:
        raise NotRestResponse(f"invalid JSON: {exc}") from None


def _header_count(response: Response, name: str) -> int | None:
    value = response.headers.get(name, b"").decode("latin-1").strip()
    if not value.isdigit():
        return None
    return int(value) if len(value) <= 18 else MAX_ID  # int() refuses 4,300+ digits


def page_count(response: Response, per_page: int, cap: int) -> int:
    """Pages of a listing: ``X-WP-TotalPages``, but never more than ``X-WP-Total`` posts
    fill, nor more than ``cap``: a lying header must not send us a million pages."""
    pages = _header_count(response, "X-WP-TotalPages")
    if pages is None:
        pages = 1
    total = _header_count(response, "X-WP-Total")
    if total is not None:
        pages = min(pages, math.ceil(total / per_page))
    return max(1, min(pages, cap))


def total_pages(response: Response) -> int:
    """``X-WP-TotalPages`` as sent (1 when absent or not a number)."""
    return _header_count(response, "X-WP-TotalPages") or 1


def site_timezone(index: Any) -> str | None:
    """The site's time zone from its REST index: ``timezone_string`` (an IANA name) when set,
    else ``gmt_offset`` (hours, possibly fractional) as a fixed offset like ``"+05:30"``."""
    if not isinstance(index, dict):
        return None
    name = index.get("timezone_string")
    if isinstance(name, str) and re.fullmatch(
        r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*", name
    ):
        return name
    offset = index.get("gmt_offset")
    if isinstance(offset, str):
        try:
            offset = float(offset)
        except ValueError:
            return None
    if isinstance(offset, bool) or not isinstance(offset, int | float) or not math.isfinite(offset):
        return None
    return fixed_offset(round(offset * 60))


def fixed_offset(minutes: int) -> str | None:
    if abs(minutes) > 14 * 60:
        return None
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def record_offset(record: Any) -> str | None:
    """The site's UTC offset as one record shows it (``date`` is local, ``date_gmt`` UTC):
    a fallback when the index did not answer."""
    if not isinstance(record, dict):
        return None
    local, gmt = record.get("date"), parse_gmt(record.get("date_gmt"))
    local = parse_iso(local, tz=UTC) if isinstance(local, str) and "+" not in local else None
    if local is None or gmt is None:
        return None
    return fixed_offset(round((local - gmt).total_seconds() / 60))


def changed_at(record: dict[str, Any]) -> datetime | None:
    """When a listed post last changed, comparable with the corpus's (UTC, to the second)."""
    modified, published = record.get("modified_gmt"), record.get("date_gmt")
    return parse_gmt(modified if isinstance(modified, str) else None) or parse_gmt(
        published if isinstance(published, str) else None
    )


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def plain_text(html: str | None) -> str:
    """``title.rendered`` is HTML: entities decoded, tags dropped (and characters no HTML
    parser accepts, such as NUL, dropped first)."""
    if not html or not html.strip():
        return ""
    cleaned = _NOT_XML.sub("", html)
    try:
        return lxml.html.fragment_fromstring(cleaned, create_parent="span").text_content()
    except (ValueError, lxml.etree.ParserError):  # nothing left to parse
        return ""


# -- records ---------------------------------------------------------------------------------


def post_id(value: Any) -> int:
    """A WordPress ID: a positive integer that fits the corpus (7.5 is not post 7)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"id is not an integer: {value!r:.80}")
    if not 1 <= value <= MAX_ID:
        raise BadRecord(f"id out of range: {value!r:.80}")
    return value


def listed_ids(records: list[Any]) -> list[int]:
    """The valid post IDs of a listing page (for telling a new page from a repeated one)."""
    ids = []
    for record in records:
        try:
            ids.append(post_id(record.get("id") if isinstance(record, dict) else None))
        except BadRecord:
            continue
    return ids


def _ids(record: dict[str, Any], key: str) -> list[int] | None:
    """A list of IDs (``categories``, ``tags``); None when the record leaves it out."""
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_TERMS:
        raise BadRecord(f"{key} is not a list of at most {MAX_TERMS} IDs")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item <= MAX_ID:
            raise BadRecord(f"{key} holds a value that is not an ID: {item!r:.80}")
    return list(dict.fromkeys(value))


def _rendered(record: dict[str, Any], key: str) -> dict[str, Any]:
    value = record.get(key)
    if not isinstance(value, dict) or not isinstance(value.get("rendered"), str):
        raise BadRecord(f"{key} is not an object with a rendered string")
    return value


def _gmt(record: dict[str, Any], key: str) -> datetime | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise BadRecord(f"{key} is not a string")
    return parse_gmt(value)


def _link(record: dict[str, Any], base_url: str, extra_hosts: Iterable[str]) -> str:
    value = record.get("link")
    if not isinstance(value, str) or not value.strip():
        raise BadRecord("link is not a string")
    scheme = urlsplit(value.strip()).scheme.lower()
    if scheme not in ("http", "https"):
        raise BadRecord(f"link is not an http(s) URL: {value:.200}")
    if not same_origin(value, base_url, extra_hosts):
        raise BadRecord(f"link is off-site: {value:.200}")
    return value.strip()


def is_error(value: Any) -> bool:
    """A WP_Error as WordPress embeds it: ``{"code", "message", "data": {"status"}}``."""
    return isinstance(value, dict) and isinstance(value.get("code"), str) and "name" not in value


def _name(value: Any, what: str) -> str:
    name = value.get("name")
    if not isinstance(name, str):
        raise BadRecord(f"{what} name is not a string: {name!r:.80}")
    return plain_text(name).strip()


def _embedded_authors(embedded: dict[str, Any]) -> list[str] | None:
    """Author names ``_embed`` delivered; None when it delivered none (errors, or absent)."""
    entries = embedded.get("author")
    if not isinstance(entries, list):
        return None
    names = [_name(e, "author") for e in entries if isinstance(e, dict) and not is_error(e)]
    names = list(dict.fromkeys(n for n in names if n))
    return names or None


def _embedded_terms(embedded: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Names by taxonomy and ID from ``_embedded["wp:term"]`` (error groups skipped)."""
    found: dict[str, dict[int, str]] = {taxonomy: {} for taxonomy in TAXONOMIES}
    groups = embedded.get("wp:term")
    for group in groups if isinstance(groups, list) else ():
        for term in group if isinstance(group, list) else ():
            if not isinstance(term, dict) or is_error(term):
                continue
            taxonomy, term_id = term.get("taxonomy"), term.get("id")
            if taxonomy in found and isinstance(term_id, int) and not isinstance(term_id, bool):
                found[taxonomy][term_id] = _name(term, "term")
    return found


@dataclass
class Names:
    """Names resolved by ID across the crawl; ``None`` marks an ID asked for and not found."""

    terms: dict[str, dict[int, str | None]] = field(
        default_factory=lambda: {taxonomy: {} for taxonomy in TAXONOMIES}
    )
    users: dict[int, str | None] = field(default_factory=dict)

    def learn_terms(self, taxonomy: str, asked: list[int], answer: Any) -> None:
        """Store the names of the ``asked`` IDs an ``include=`` query answered (only those)."""
        known = self.terms[taxonomy]
        wanted = set(asked)
        for term in answer if isinstance(answer, list) else ():
            term_id = term.get("id") if isinstance(term, dict) else None
            name = term.get("name") if isinstance(term, dict) else None
            if type(term_id) is int and term_id in wanted and isinstance(name, str):
                known[term_id] = plain_text(name).strip() or None
        for term_id in asked:
            known.setdefault(term_id, None)

    def learn_user(self, user_id: int, answer: Any) -> None:
        name = answer.get("name") if isinstance(answer, dict) and not is_error(answer) else None
        self.users[user_id] = (plain_text(name).strip() or None) if isinstance(name, str) else None


@dataclass
class RestPost:
    """One checked record: its fields, and the IDs whose names are still to be found."""

    fields: dict[str, Any]
    protected: bool = False
    author_names: list[str] | None = None  # from _embed
    author_ids: list[int] = field(default_factory=list)
    term_ids: dict[str, list[int] | None] = field(default_factory=dict)
    embedded_terms: dict[str, dict[int, str]] = field(default_factory=dict)

    def unknown_terms(self, taxonomy: str, names: Names) -> list[int]:
        ids = self.term_ids.get(taxonomy) or []
        embedded = self.embedded_terms.get(taxonomy, {})
        known = names.terms[taxonomy]
        return [i for i in ids if i not in embedded and i not in known]

    def unknown_authors(self, names: Names) -> list[int]:
        if self.author_names:
            return []
        return [i for i in self.author_ids if i not in names.users]

    def complete(self, names: Names) -> tuple[dict[str, Any], dict[str, str], list[str]]:
        """(fields, source of each name field, fields still missing) with what is known.

        A field whose IDs the record gives but whose names nobody told is ``unresolved``: the
        site has a value there, and losing it is what the field-loss monitor reports."""
        fields = dict(self.fields)
        sources: dict[str, str] = {}
        missing: list[str] = []
        if self.author_names:
            authors, sources["author"] = self.author_names, "rest-embed"
        else:
            authors = [n for n in (names.users.get(i) for i in self.author_ids) if n]
            sources["author"] = "users-endpoint" if authors else UNRESOLVED
            if not self.author_ids and not authors:
                sources["author"] = "none"
            if not authors:
                missing.append("author")
        fields["authors"] = list(dict.fromkeys(authors))
        fields["author"] = fields["authors"][0] if fields["authors"] else None
        for taxonomy, key in TAXONOMIES.items():
            ids = self.term_ids.get(taxonomy)
            embedded = self.embedded_terms.get(taxonomy, {})
            if ids is None:  # the record does not list IDs: whatever _embed gave
                fields[key] = list(dict.fromkeys(embedded.values()))
                sources[key] = "rest-embed" if embedded else "none"
                if not embedded:
                    missing.append(key)
                continue
            values = [embedded.get(i) or names.terms[taxonomy].get(i) for i in ids]
            fields[key] = list(dict.fromkeys(v for v in values if v))
            if not ids:
                sources[key] = "rest-record"  # the post has none
            elif all(i in embedded for i in ids):
                sources[key] = "rest-embed"
            elif all(values):
                sources[key] = "terms-endpoint"
            else:
                sources[key] = UNRESOLVED
                missing.append(key)
        return fields, sources, missing


def read_post(record: Any, base_url: str, extra_hosts: Iterable[str] = ()) -> RestPost:
    """Check one REST post record and read its fields; raises ``BadRecord`` with the reason."""
    if not isinstance(record, dict):
        raise BadRecord(f"record is not an object: {type(record).__name__}")
    identifier = post_id(record.get("id"))
    link = _link(record, base_url, extra_hosts)
    title = _rendered(record, "title")
    content = _rendered(record, "content")
    published, modified = _gmt(record, "date_gmt"), _gmt(record, "modified_gmt")
    author = record.get("author")
    if author is not None and (isinstance(author, bool) or not isinstance(author, int)):
        raise BadRecord(f"author is not a user ID: {author!r:.80}")
    embedded = record.get("_embedded")
    embedded = embedded if isinstance(embedded, dict) else {}
    post = RestPost(
        fields={
            "url": link,
            "post_id": identifier,
            "title": plain_text(title["rendered"]),
            "published_at": published,
            "modified_at": None if modified == published else modified,
            "body_html": content["rendered"],
            "date_source": "rest",
        },
        protected=content.get("protected") is True,
        author_names=_embedded_authors(embedded),
        author_ids=[author] if isinstance(author, int) and 0 < author <= MAX_ID else [],
        term_ids={taxonomy: _ids(record, key) for taxonomy, key in TAXONOMIES.items()},
        embedded_terms=_embedded_terms(embedded),
    )
    return post


@dataclass
class RestBatch:
    """The checked posts of one REST page, carried in request meta while names are looked up
    (never on the spider, so concurrent pages cannot mix)."""

    posts: list[RestPost]
    fetched: Fetched
    root: str
    after: dict[str, Any] | None = None  # the listing to continue once the posts are out

    def unknown_terms(self, taxonomy: str, names: Names) -> list[int]:
        return list(dict.fromkeys(i for p in self.posts for i in p.unknown_terms(taxonomy, names)))

    def unknown_authors(self, names: Names) -> list[int]:
        return list(dict.fromkeys(i for p in self.posts for i in p.unknown_authors(names)))
