"""The sample site's faces: theme, permalink structure and REST exposure of one server.

Why: a crawler written against one WordPress setup breaks on the next blog, which differs in
exactly these settings. A Face picks one combination per server; every URL the site prints
comes from `Links`, so pages, feed, sitemaps and REST agree with the face. The ground truth
of a face (`face_ground_truth`) states paths in the face's own permalink shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from testing.samplesite.content import AUTHOR_BY_LOGIN, CATEGORY_BY_SLUG, Post, SampleSite
from testing.samplesite.groundtruth import ground_truth

THEMES: tuple[str, ...] = ("lsr", "newsbox")
PERMALINKS: tuple[str, ...] = ("pretty", "plain")
REST_MODES: tuple[str, ...] = ("on", "off", "rest_route")
# What security plugins and caches do to an API that answers: the users route blocked (401,
# and error objects in `_embedded`), or `_embed` ignored (no `_embedded` at all).
REST_FAULTS: tuple[str, ...] = ("none", "users_blocked", "embed_ignored")
NEXTPAGE = "<!--nextpage-->"
MAX_PAGES = 3

__all__ = [
    "DEFAULT_FACE",
    "MAX_PAGES",
    "NEXTPAGE",
    "PERMALINKS",
    "REST_FAULTS",
    "REST_MODES",
    "THEMES",
    "Face",
    "Links",
    "esc_url",
    "face_ground_truth",
    "multipage",
    "page_sizes",
    "plain_path",
    "write_face_ground_truth",
]


@dataclass(frozen=True, slots=True)
class Face:
    """One server's WordPress setup; the defaults are the original lsr.com.la face."""

    theme: str = "lsr"
    permalinks: str = "pretty"
    rest: str = "on"
    rest_fault: str = "none"

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("theme", self.theme, THEMES),
            ("permalinks", self.permalinks, PERMALINKS),
            ("rest", self.rest, REST_MODES),
            ("rest_fault", self.rest_fault, REST_FAULTS),
        ):
            if value not in allowed:
                raise ValueError(f"unknown {name} {value!r} (choose from {', '.join(allowed)})")

    @property
    def plain(self) -> bool:
        """WordPress's "Plain" permalink setting: every URL is /?query, no rewrite rules."""
        return self.permalinks == "plain"

    @property
    def wp_json(self) -> bool:
        """REST answers at /wp-json/ (needs rewrite rules and an open API)."""
        return not self.plain and self.rest == "on"

    @property
    def rest_pretty(self) -> bool:
        """Discovery advertises /wp-json/ (a blocked API is still advertised there)."""
        return not self.plain and self.rest != "rest_route"


DEFAULT_FACE = Face()


def esc_url(url: str) -> str:
    """A URL for an HTML attribute, with & as &#038; as WordPress's esc_url() prints it."""
    return url.replace("&", "&#038;")


@dataclass(frozen=True, slots=True)
class Links:
    """Every URL of the site for one face and base URL (raw, not HTML-escaped).

    Why one builder: canonical links, archives, feed, sitemaps and REST `link` fields must
    all use the face's permalink shape; with base "" it yields site-relative paths.
    """

    base: str
    plain: bool = False
    rest_pretty: bool = True

    @classmethod
    def of(cls, base: str, face: Face) -> Links:
        """The links of `face` under `base` (e.g. "http://127.0.0.1:8000")."""
        return cls(base, face.plain, face.rest_pretty)

    def _paged(self, url: str, page: int) -> str:
        if page <= 1:
            return url
        if self.plain:
            return f"{url}{'&' if '?' in url else '?'}paged={page}"
        return f"{url}page/{page}/"

    def post(self, post_id: int, page: int = 1) -> str:
        """Permalink of a post, or of page `page` of a post split with <!--nextpage-->."""
        if self.plain:
            return f"{self.base}/?p={post_id}" + (f"&page={page}" if page > 1 else "")
        return f"{self.base}/{post_id}/" + (f"{page}/" if page > 1 else "")

    def shortlink(self, post_id: int) -> str:
        """wp_get_shortlink(): the same in every permalink setting."""
        return f"{self.base}/?p={post_id}"

    def home(self, page: int = 1) -> str:
        """The blog's front page, or page `page` of it."""
        return self._paged(f"{self.base}/", page)

    def category(self, slug: str, page: int = 1) -> str:
        """A category archive (plain: by term id)."""
        if self.plain:
            return self._paged(f"{self.base}/?cat={CATEGORY_BY_SLUG[slug].id}", page)
        return self._paged(f"{self.base}/category/{slug}/", page)

    def tag(self, slug: str, page: int = 1) -> str:
        """A tag archive (plain: by slug)."""
        if self.plain:
            return self._paged(f"{self.base}/?tag={slug}", page)
        return self._paged(f"{self.base}/tag/{slug}/", page)

    def author(self, login: str, page: int = 1) -> str:
        """An author archive (plain: by user id)."""
        if self.plain:
            return self._paged(f"{self.base}/?author={AUTHOR_BY_LOGIN[login].id}", page)
        return self._paged(f"{self.base}/author/{login}/", page)

    def month(self, year: int, month: int, page: int = 1) -> str:
        """A monthly archive (plain: ?m=YYYYMM)."""
        if self.plain:
            return self._paged(f"{self.base}/?m={year}{month:02d}", page)
        return self._paged(f"{self.base}/date/{year}/{month:02d}/", page)

    def feed(self) -> str:
        """The RSS 2.0 feed."""
        return f"{self.base}/?feed=rss2" if self.plain else f"{self.base}/feed/"

    def sitemap_index(self) -> str:
        """The core sitemap index."""
        return f"{self.base}/?sitemap=index" if self.plain else f"{self.base}/wp-sitemap.xml"

    def sitemap_posts(self, page: int) -> str:
        """Page `page` of the posts sitemap."""
        if self.plain:
            return f"{self.base}/?sitemap=posts&sitemap-subtype=post&paged={page}"
        return f"{self.base}/wp-sitemap-posts-post-{page}.xml"

    def sitemap_categories(self) -> str:
        """The categories sitemap."""
        if self.plain:
            return f"{self.base}/?sitemap=taxonomies&sitemap-subtype=category&paged=1"
        return f"{self.base}/wp-sitemap-taxonomies-category-1.xml"

    def sitemap_users(self) -> str:
        """The users sitemap."""
        if self.plain:
            return f"{self.base}/?sitemap=users&paged=1"
        return f"{self.base}/wp-sitemap-users-1.xml"

    def rest(self, route: str = "/") -> str:
        """rest_url(route): /wp-json/… with pretty permalinks, else /?rest_route=/…."""
        if self.rest_pretty:
            return f"{self.base}/wp-json{route}"
        return f"{self.base}/?rest_route={route}"


# --- the multi-page post ------------------------------------------------------------------


_MULTIPAGE: WeakKeyDictionary[SampleSite, tuple[int, int]] = WeakKeyDictionary()


def _excluded(site: SampleSite) -> set[int]:
    """Posts whose traps must stay simple: dateless, reposts and the originals they copy."""
    ids = {site.dateless_id, site.repost_id, site.original_id}
    for post in site.posts:
        if post.repost_of is not None or post.text_key != post.id:
            ids.update((post.id, post.repost_of or post.id, post.text_key))
    return ids


def multipage(site: SampleSite) -> tuple[int, int]:
    """(post id, page count) of the one post split with <!--nextpage--> in every face.

    The real seed article if it has at least 3 paragraphs, else the oldest post with at least
    4; never the dateless post, a repost or an original. Deterministic per site.
    """
    found = _MULTIPAGE.get(site)
    if found is not None:
        return found
    excluded = _excluded(site)
    seed = site.get(site.seed_post_id)
    chosen: Post | None = None
    if seed is not None and seed.id not in excluded and len(site.paragraphs(seed)) >= 3:
        chosen = seed
    else:
        chosen = next(
            p for p in site.posts if p.id not in excluded and len(site.paragraphs(p)) >= 4
        )
    found = (chosen.id, min(MAX_PAGES, len(site.paragraphs(chosen))))
    _MULTIPAGE[site] = found
    return found


def page_sizes(site: SampleSite, post: Post) -> tuple[int, ...]:
    """How many paragraphs each page of `post` shows: (n,) unless it is the multi-page post."""
    n = len(site.paragraphs(post))
    post_id, pages = multipage(site)
    if post.id != post_id:
        return (n,)
    return tuple(n // pages + (1 if i < n % pages else 0) for i in range(pages))


# --- the ground truth of a face -------------------------------------------------------------

_PRETTY: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"/(\d+)/"), lambda m: f"/?p={m[1]}"),
    (re.compile(r"/(\d+)/(\d+)/"), lambda m: f"/?p={m[1]}&page={m[2]}"),
    (re.compile(r"/page/(\d+)/"), lambda m: f"/?paged={m[1]}"),
    (
        re.compile(r"/category/([\w-]+)/(?:page/(\d+)/)?"),
        lambda m: Links("", plain=True).category(m[1], int(m[2] or 1)),
    ),
    (
        re.compile(r"/tag/([\w-]+)/(?:page/(\d+)/)?"),
        lambda m: Links("", plain=True).tag(m[1], int(m[2] or 1)),
    ),
    (
        re.compile(r"/author/([\w-]+)/(?:page/(\d+)/)?"),
        lambda m: Links("", plain=True).author(m[1], int(m[2] or 1)),
    ),
    (
        re.compile(r"/date/(\d{4})/(\d{2})/(?:page/(\d+)/)?"),
        lambda m: Links("", plain=True).month(int(m[1]), int(m[2]), int(m[3] or 1)),
    ),
    (re.compile(r"/feed/"), lambda m: "/?feed=rss2"),
    (re.compile(r"/wp-sitemap\.xml"), lambda m: "/?sitemap=index"),
)


def plain_path(path: str) -> str:
    """The plain-permalink form of a pretty site-relative path (others unchanged).

    /123/ → /?p=123, /123/2/ → /?p=123&page=2, /page/3/ → /?paged=3, /category/members/ →
    /?cat=10, /author/somchan/ → /?author=2, /date/2016/11/ → /?m=201611.
    """
    for pattern, plain in _PRETTY:
        m = pattern.fullmatch(path)
        if m:
            try:
                return plain(m)
            except KeyError:  # an unknown category or author: no plain equivalent
                return path
    return path


def _rewrite(value: Any, key: str | None = None) -> Any:
    """Rewrite every path-valued entry of a ground-truth structure to the plain shape."""
    if isinstance(value, dict):
        if key == "transient":
            return {plain_path(k): v for k, v in value.items()}
        return {k: _rewrite(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key is not None and (key == "paths" or key.endswith(("_paths", "_prefixes"))):
            return [plain_path(v) if isinstance(v, str) else _rewrite(v) for v in value]
        return [_rewrite(v) for v in value]
    if isinstance(value, str) and key is not None and (key == "path" or key.endswith("_path")):
        return plain_path(value)
    return value


def face_ground_truth(site: SampleSite, face: Face = DEFAULT_FACE) -> dict[str, Any]:
    """ground_truth(site) for a server showing `face`, plus where the multi-page post is.

    Adds "multipage": {"path", "pages"}; with plain permalinks every path (posts, rejects,
    reposts, near-duplicates, boilerplate, transient, disallowed prefixes, dirty paths) is in
    plain shape: any "path"/"*_path" value, any "paths"/"*_paths"/"*_prefixes" list.
    Texts are unchanged: a multi-page post's text is all its pages joined.
    """
    data = ground_truth(site)
    post_id, pages = multipage(site)
    data["multipage"] = {"path": f"/{post_id}/", "pages": pages}
    if face.plain:
        data = _rewrite(data)
    return data


def write_face_ground_truth(site: SampleSite, face: Face, path: str | Path) -> None:
    """Write face_ground_truth(site, face) as UTF-8 JSON (as write_ground_truth does)."""
    data = json.dumps(face_ground_truth(site, face), ensure_ascii=False, indent=1)
    Path(path).write_text(data + "\n", encoding="utf-8")
