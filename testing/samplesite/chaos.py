"""Chaos mode: the faults a real crawl meets, each on its own URL, with a ground truth.

Why: a crawler that only ever talked to a well-behaved server has untested retry, timeout,
size, redirect, charset and parsing paths. Chaos mode puts one fault of each kind in FAULTS on
one URL chosen from (site, chaos_seed) among ordinary posts (never a trap post of content.py),
or on an extra URL it adds to listings, and `chaos_truth` states what a correct crawl of the
HTML site still stores and which URLs it must give up on, with the reason it records.

Division of labour: this module decides where the faults are, counts requests per server
(`Chaos`), builds the synthetic answers (errors, redirects, the binary file, the endless
pagination) and rewrites the HTML and bytes of faulted pages. Faults that act on the socket
(sleeping, trickling, resetting, truncating, streaming a huge body) are carried out by the
request handler in server.py. The REST API, feed and sitemaps are never faulted: the chaos
ground truth is that of a crawl that reads post pages (archive discovery).
"""

from __future__ import annotations

import math
import random
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from weakref import WeakKeyDictionary

from testing.samplesite.content import (
    CATEGORY_BY_SLUG,
    PER_PAGE,
    REGULAR_CATEGORIES,
    Post,
    SampleSite,
)
from testing.samplesite.faces import (
    DEFAULT_FACE,
    Face,
    Links,
    face_ground_truth,
    multipage,
    plain_path,
)
from testing.samplesite.responses import HTML, Response, text
from testing.samplesite.routes import THEME_MODULES, Headers, Router
from testing.samplesite.themes import Listing, entry_pages, pagination, unavailable_page

__all__ = [
    "BURST",
    "CHAOS_SLOW",
    "CHAOS_TIMEOUT",
    "FAULTS",
    "HUGE_SIZE",
    "POST_FAULTS",
    "REASONS",
    "Chaos",
    "ChaosPlan",
    "Hit",
    "chaos_plan",
    "chaos_truth",
    "legacy_bytes",
    "padding_chunks",
    "split_for_padding",
]

# Read at request time, so tests may monkeypatch them smaller.
CHAOS_TIMEOUT = 4.0  # seconds a timeout fault sleeps: longer than the crawler's 2 s timeout
CHAOS_SLOW = 1.0  # seconds a slow page takes to trickle out, well within that timeout
SLOW_CHUNKS = 10
HUGE_SIZE = 20 * 1024 * 1024  # padding bytes of the huge page; DOWNLOAD_MAXSIZE is 16 MiB
BURST = 2  # failed answers before a burst fault recovers
BINARY_SIZE = 48 * 1024
OFFSITE = "http://offsite.invalid"
BINARY_TYPE = "application/octet-stream"
LEGACY_TYPE = "text/html; charset=windows-874"

# Faults that sit on one ordinary post each, in the order they are assigned.
POST_FAULTS: tuple[str, ...] = (
    "timeout_once",
    "timeout_always",
    "slow",
    "burst_503_retry_after",
    "burst_502",
    "error_500_always",
    "reset_once",
    "truncated_once",
    "malformed_html",
    "wrong_charset",
    "bom",
    "windows_874_entities",
    "mojibake_874",
    "huge_page",
    "redirect_loop",
    "redirect_offsite",
    "empty_body",
    "duplicate_ids",
    "script_injected",
)
# Every fault, in the order chaos_truth lists them.
FAULTS: tuple[str, ...] = (
    *POST_FAULTS[:16],
    "pagination_trap",
    "binary_at_post_url",
    *POST_FAULTS[16:],
)
# What a correct crawler records for each fault it cannot get past (the others lose nothing).
REASONS: dict[str, str] = {
    "timeout_always": "TimeoutError",
    "error_500_always": "HTTP 500",
    "huge_page": "page larger than 16 MB",
    "redirect_loop": "redirect loop",
    "redirect_offsite": "redirect off-site",
    "binary_at_post_url": "not HTML (application/octet-stream)",
    "empty_body": "missing text",
}

BINARY_TITLE = "ເອກະສານ: ບົດລາຍງານປະຈຳປີ (PDF)"
INJECTED_TEXT = "ຂໍ້ຄວາມນີ້ຂຽນຂຶ້ນໂດຍສະຄຣິບ ແລະ ບໍ່ແມ່ນເນື້ອໃນຂອງບົດຂ່າວ."
NOSCRIPT_AD = "ໂຄສະນາ: ເປີດບັນຊີເງິນຝາກມື້ນີ້ ຮັບດອກເບ້ຍພິເສດ."
_PAGINATION_LABELS: dict[str, dict[str, str]] = {
    "lsr": {},
    "newsbox": {
        "prev_label": "&larr; ໃໝ່ກວ່າ",
        "next_label": "ເກົ່າກວ່າ &rarr;",
        "aria": ' aria-label="Posts"',
    },
}


# --- placement ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChaosPlan:
    """Where the faults of one (site, chaos_seed) are; paths here are pretty permalinks."""

    chaos_seed: int
    posts: dict[str, int]  # post fault -> id of the post it sits on
    binary_id: int  # an id no post has: the binary file's post-looking URL
    binary_category: str  # slug of the category archive whose first page lists it
    last_page: int  # last real page of the home pagination; the trap starts after it

    @property
    def by_post(self) -> dict[int, str]:
        """Post id -> fault."""
        return {post_id: fault for fault, post_id in self.posts.items()}

    def path(self, fault: str) -> str:
        """The (pretty) URL path the fault sits on."""
        if fault == "pagination_trap":
            return f"/page/{self.last_page + 1}/"
        if fault == "binary_at_post_url":
            return f"/{self.binary_id}/"
        return f"/{self.posts[fault]}/"

    def binary_listed_on(self) -> list[str]:
        """The listing pages that link to the binary URL: home and one category archive."""
        return ["/", f"/category/{self.binary_category}/"]


_PLANS: WeakKeyDictionary[SampleSite, dict[int, ChaosPlan]] = WeakKeyDictionary()


def ordinary_posts(site: SampleSite) -> list[Post]:
    """Posts that carry no trap of their own, so a fault on one is the only thing going on."""
    special = {site.seed_post_id, site.dateless_id, site.repost_id, site.original_id}
    special.add(multipage(site)[0])
    special |= {i for copy, source, _ in site.near_duplicates for i in (copy, source)}
    special |= {i for _, members in site.boilerplate for i in members}
    return [
        p
        for p in site.posts
        if p.id not in special
        and p.repost_of is None
        and p.near_duplicate_of is None
        and p.frame is None
        and p.text_key == p.id
        and p.date_style != "none"
    ]


def chaos_plan(site: SampleSite, chaos_seed: int = 1) -> ChaosPlan:
    """The fault placement for (site, chaos_seed): deterministic, cached per site."""
    cached = _PLANS.setdefault(site, {})
    if chaos_seed in cached:
        return cached[chaos_seed]
    rng = random.Random(f"lsr-chaos:{site.seed}:{site.post_count}:{chaos_seed}")
    pool = ordinary_posts(site)
    if len(pool) < len(POST_FAULTS):
        raise ValueError(f"chaos mode needs {len(POST_FAULTS)} ordinary posts, got {len(pool)}")
    chosen = rng.sample(pool, len(POST_FAULTS))
    taken = set(site.by_id) | {site.dead_id, *site.removed_ids}
    free = [i for i in range(site.posts[0].id, max(site.by_id)) if i not in taken]
    plan = ChaosPlan(
        chaos_seed=chaos_seed,
        posts={fault: post.id for fault, post in zip(POST_FAULTS, chosen, strict=True)},
        binary_id=rng.choice(free),
        binary_category=rng.choice(REGULAR_CATEGORIES),
        last_page=max(1, math.ceil(len(site.newest) / PER_PAGE)),
    )
    cached[chaos_seed] = plan
    return plan


def chaos_truth(site: SampleSite, chaos_seed: int = 1, face: Face = DEFAULT_FACE) -> dict[str, Any]:
    """What a correct crawl of a chaos server's HTML pages yields, and every fault it meets.

    "posts" is face_ground_truth(site, face)["posts"] without the posts a fault makes
    unretrievable; "unretrievable" lists each URL the crawler must give up on (the binary
    file included) with the reason it records. Paths are in the face's permalink shape.
    """
    plan = chaos_plan(site, chaos_seed)
    shape = plain_path if face.plain else _same
    faults: list[dict[str, Any]] = []
    for fault in FAULTS:
        entry: dict[str, Any] = {
            "fault": fault,
            "path": shape(plan.path(fault)),
            "retrievable": fault not in REASONS,
        }
        if fault in REASONS:
            entry["reason"] = REASONS[fault]
        if fault == "binary_at_post_url":
            entry["linked_from_paths"] = [shape(p) for p in plan.binary_listed_on()]
        faults.append(entry)
    lost = {plan.posts[fault] for fault in REASONS if fault in plan.posts}
    return {
        "chaos_seed": chaos_seed,
        "faults": faults,
        "posts": [p for p in face_ground_truth(site, face)["posts"] if p["post_id"] not in lost],
        "unretrievable": [
            {"path": f["path"], "fault": f["fault"], "reason": f["reason"]}
            for f in faults
            if not f["retrievable"]
        ],
    }


def _same(path: str) -> str:
    return path


# --- one server's chaos -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """A request that chaos handles: which fault, what was asked for, the how-many-th time.

    what: "post" (a post URL, or the binary URL), "home" (page `number` of the home
    pagination) or "category" (the first page of the archive that lists the binary URL).
    """

    fault: str
    what: str
    number: int
    count: int


class Chaos:
    """The faults of one server: placement, thread-safe request counters, answers.

    Counters are per instance, so "fail the first N times" faults replay on every new server.
    """

    def __init__(self, site: SampleSite, face: Face = DEFAULT_FACE, chaos_seed: int = 1) -> None:
        self.site = site
        self.face = face
        self.plan = chaos_plan(site, chaos_seed)
        self.theme = THEME_MODULES[face.theme]
        self._by_post = self.plan.by_post
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, int]] = Counter()

    def requests(self, fault: str) -> int:
        """How many requests the URL of `fault` (a post fault or the binary URL) has had."""
        if fault == "binary_at_post_url":
            return self._counts["post", self.plan.binary_id]
        if fault == "pagination_trap":
            return self._counts["home", self.plan.last_page + 1]
        return self._counts["post", self.plan.posts[fault]]

    def hit(self, target: str) -> Hit | None:
        """Classify and count a request target; None when chaos leaves it alone."""
        found = self._parse(target)
        if found is None:
            return None
        what, number = found
        plan = self.plan
        if what == "post":
            fault = self._by_post.get(number)
            if fault is None and number == plan.binary_id:
                fault = "binary_at_post_url"
        elif what == "home":
            if number >= plan.last_page:
                fault = "pagination_trap"
            else:
                fault = "binary_at_post_url" if number == 1 else None
        else:
            fault = "binary_at_post_url"
        if fault is None:
            return None
        with self._lock:
            self._counts[what, number] += 1
            count = self._counts[what, number]
        return Hit(fault, what, number, count)

    def _parse(self, target: str) -> tuple[str, int] | None:
        parts = urlsplit(target)
        path = parts.path or "/"
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if self.face.plain:
            if path != "/":
                return None
            keys = set(params)
            if keys - {"loop"} == {"p"} and params["p"].isdigit():
                return "post", int(params["p"])
            if keys == {"paged"} and params["paged"].isdigit():
                return "home", int(params["paged"])
            if not keys:
                return "home", 1
            if keys == {"cat"} and params["cat"] == str(self._binary_category_id):
                return "category", 1
            return None
        m = re.fullmatch(r"/(\d+)/", path)
        if m:
            return "post", int(m[1])
        m = re.fullmatch(r"/page/(\d+)/", path)
        if m:
            return "home", int(m[1])
        if path == "/" and not {"p", "rest_route"} & set(params):
            return "home", 1
        if path == f"/category/{self.plan.binary_category}/":
            return "category", 1
        return None

    @property
    def _binary_category_id(self) -> int:
        return CATEGORY_BY_SLUG[self.plan.binary_category].id

    # -- answers --

    def respond(
        self, hit: Hit, target: str, headers: Headers, base: str, router: Router
    ) -> Response:
        """The answer to a chaos request before any socket-level fault and before encoding."""
        links = Links.of(base, self.face)
        if hit.what == "post":
            synthetic = self._synthetic(hit, target, links)
            if synthetic is not None:
                return synthetic
        elif hit.what == "home" and hit.number > self.plan.last_page:
            return self._trap_page(hit.number, links)
        response = router.handle(target, headers, base)
        if response.status != 200 or response.content_type != HTML:
            return response
        page = response.body.decode("utf-8")
        response.body = self._rewrite(hit, page, links).encode("utf-8")
        return response

    def encode(self, hit: Hit, response: Response) -> Response:
        """The bytes and Content-Type of a faulted 200 HTML page as its fault wants them."""
        if hit.what != "post" or response.status != 200 or response.content_type != HTML:
            return response
        if hit.fault == "wrong_charset":
            response.content_type = "text/html; charset=ISO-8859-1"
        elif hit.fault == "bom":
            response.content_type = "text/html"
            response.body = b"\xef\xbb\xbf" + response.body
        elif hit.fault == "windows_874_entities":
            response.content_type = LEGACY_TYPE
            response.body = legacy_bytes(response.body.decode("utf-8"))
        elif hit.fault == "mojibake_874":
            response.content_type = LEGACY_TYPE
        return response

    def _synthetic(self, hit: Hit, target: str, links: Links) -> Response | None:
        fault, post_id = hit.fault, hit.number
        if fault == "burst_503_retry_after" and hit.count <= BURST:
            return text(503, unavailable_page(), HTML, [("Retry-After", "1")])
        if fault == "burst_502" and hit.count <= BURST:
            return text(502, _error_page("502 Bad Gateway"), HTML)
        if fault == "error_500_always":
            return text(500, _error_page("500 Internal Server Error"), HTML)
        if fault == "redirect_loop":
            here = links.post(post_id)
            if "loop" not in dict(parse_qsl(urlsplit(target).query, keep_blank_values=True)):
                here += ("&" if "?" in here else "?") + "loop=1"
            return Response(301, b"", HTML, [("Location", here)])
        if fault == "redirect_offsite":
            return Response(302, b"", HTML, [("Location", f"{OFFSITE}/{post_id}/")])
        if fault == "binary_at_post_url":
            return Response(200, binary_body(self.site, self.plan.chaos_seed), BINARY_TYPE)
        return None

    def _trap_page(self, number: int, links: Links) -> Response:
        """A page past the end: no posts, yet a "next" link to the following page, forever."""
        listing = Listing("home", "", "home blog", links.home)
        page = self.theme.archive_page(
            self.site, links, listing, posts=[], page=number, pages=number
        )
        nav = self._pagination(links, number)
        at = page.rindex("</main>")
        page = page[:at] + nav + page[at:]
        return text(200, page, HTML, [("Link", f'<{links.rest()}>; rel="https://api.w.org/"')])

    def _pagination(self, links: Links, number: int) -> str:
        labels = _PAGINATION_LABELS.get(self.face.theme, {})
        return pagination(links.home, number, number + 1, **labels)

    def _rewrite(self, hit: Hit, page: str, links: Links) -> str:
        fault = hit.fault
        if hit.what == "home" and fault == "pagination_trap":  # the last real page
            return _PAGINATION_NAV.sub(lambda m: self._pagination(links, hit.number), page, 1)
        if fault == "binary_at_post_url":  # a listing that links to the binary URL
            url = links.post(self.plan.binary_id)
            if hit.what == "home":
                return _add_sidebar_link(page, url)
            return _add_listing_entry(page, self.plan.binary_id, url)
        post = self.site.by_id[hit.number]
        if fault == "malformed_html":
            return malform(page)
        if fault == "duplicate_ids":
            return duplicate_ids(page, post.id)
        if fault in ("empty_body", "script_injected"):
            body = entry_pages(self.site, post, links)[0]
            new = "" if fault == "empty_body" else inject_script(body)
            return page.replace(body, new, 1)
        if fault in ("wrong_charset", "bom"):
            return _META_CHARSET_LINE.sub("", page, 1)
        if fault in ("windows_874_entities", "mojibake_874"):
            return _META_CHARSET.sub('<meta charset="windows-874">', page, 1)
        return page


# --- building blocks ----------------------------------------------------------------------------

_META_CHARSET = re.compile(r'<meta charset="[^"]*">')
_META_CHARSET_LINE = re.compile(r'<meta charset="[^"]*">\n?')
_PAGINATION_NAV = re.compile(r'<nav class="navigation pagination"[^>]*>.*?</nav>\n', re.S)
_SCRIPT_BLOCK = re.compile(r"(<script\b[^>]*>)(.*?)(</script>)", re.S | re.I)
_LIST_START = re.compile(r"<(?:ul|ol)\b[^>]*>")
_PADDING = b"chaos padding: nothing to see here. "


def _error_page(title: str) -> str:
    """nginx's bare error page, as a proxy in front of a struggling WordPress answers."""
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


def binary_body(site: SampleSite, chaos_seed: int) -> bytes:
    """A PDF-looking file of random bytes: not HTML, whatever its URL looks like."""
    rng = random.Random(f"lsr-chaos-binary:{site.seed}:{chaos_seed}")
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(BINARY_SIZE)


def _after_open_tag(page: str, start: int) -> int:
    """Index just after the start tag that begins at `start`."""
    return page.index(">", start) + 1


def _insert(page: str, at: int, html: str) -> str:
    return page[:at] + html + page[at:]


def _masthead_end_of_open_tag(page: str) -> int:
    return _after_open_tag(page, page.index("<header", page.index("<body")))


def malform(page: str) -> str:
    """Damage a page around its post as broken widgets and plugins do; the post is intact.

    Unclosed <div>/<p> in the masthead, the sidebar and the footer; a whole second
    <html><body> document pasted into the sidebar (an embed widget); a stray </article>
    after the sidebar.
    """
    aside = page.index("<aside")
    aside_close = page.index("</aside>", aside) + len("</aside>")
    footer = page.rindex("<footer")
    page = _insert(page, _after_open_tag(page, footer), '<div class="footer-widgets"><p>ຕິດຕໍ່')
    page = _insert(page, aside_close, "\n</article>")
    page = _insert(
        page,
        _after_open_tag(page, aside),
        '\n<div class="widget chaos-ad"><p>ໂຄສະນາ'
        "<html><head><title>Facebook</title></head><body>"
        '<div class="fb-page"><p>ຕິດຕາມພວກເຮົາທາງ Facebook</div></body></html>\n',
    )
    return _insert(page, _masthead_end_of_open_tag(page), '<div class="notice"><p>ແຈ້ງການ')


def duplicate_ids(page: str, post_id: int) -> str:
    """Give id="post-{ID}" and id="content" to several elements, before and after the post."""
    anchor = f'<span id="post-{post_id}" class="skip-anchor"></span>'
    widget = (
        f'\n<section id="post-{post_id}" class="widget widget_text">'
        '<div id="content" class="textwidget"><p>ຕິດຕາມຂ່າວສານໄດ້ທຸກມື້.</p></div></section>'
    )
    page = _insert(page, _after_open_tag(page, page.rindex("<footer")), '<div id="content"></div>')
    page = _insert(page, _after_open_tag(page, page.index("<aside")), widget)
    return _insert(page, _masthead_end_of_open_tag(page), anchor)


def inject_script(body: str) -> str:
    """A post body with a document.write() script and a <noscript> advert after its first part.

    A crawler runs no scripts, so neither the written nor the advert text is post text.
    """
    snippet = (
        f"<script>document.write('<p>{INJECTED_TEXT}</p>');</script>"
        f'<noscript><p class="ad">{NOSCRIPT_AD}</p></noscript>'
    )
    head, sep, tail = body.partition("</p>\n")
    if not sep:
        return body + snippet
    return f"{head}</p>{snippet}\n{tail}"


def _add_sidebar_link(page: str, url: str) -> str:
    """The binary URL first in the sidebar's first list (recent or popular posts)."""
    found = _LIST_START.search(page, page.index("<aside"))
    if found is None:
        return page
    return _insert(page, found.end(), f'<li><a href="{url}">{BINARY_TITLE}</a></li>')


def _add_listing_entry(page: str, post_id: int, url: str) -> str:
    """The binary URL as the first article of a listing, marked up as post_class() does."""
    at = page.find("<article", page.index("<main"))
    if at < 0:
        return page
    entry = (
        f'<article id="post-{post_id}" class="post-{post_id} post type-post status-publish '
        'format-standard hentry">\n<header class="entry-header"><h2 class="entry-title">'
        f'<a href="{url}" rel="bookmark">{BINARY_TITLE}</a></h2></header>\n</article>\n'
    )
    return _insert(page, at, entry)


def legacy_bytes(page: str, codec: str = "cp874") -> bytes:
    """`page` in a legacy code page: what it cannot hold becomes numeric character references.

    Inside <script> (JSON-LD included), where references are not decoded, such characters
    become \\uXXXX escapes instead, which JavaScript and JSON both read back.
    """

    def escape_script(m: re.Match[str]) -> str:
        out: list[str] = []
        for c in m[2]:
            try:
                c.encode(codec)
            except UnicodeEncodeError:
                units = c.encode("utf-16-be")
                out += (f"\\u{units[i] << 8 | units[i + 1]:04x}" for i in range(0, len(units), 2))
            else:
                out.append(c)
        return m[1] + "".join(out) + m[3]

    return _SCRIPT_BLOCK.sub(escape_script, page).encode(codec, errors="xmlcharrefreplace")


def split_for_padding(body: bytes) -> tuple[bytes, bytes]:
    """A page cut where the huge page's padding goes: just before </body>."""
    at = body.rfind(b"</body>")
    at = len(body) if at < 0 else at
    return body[:at], body[at:]


def padding_chunks(size: int | None = None, chunk: int = 1 << 20) -> Iterator[bytes]:
    """`size` (default HUGE_SIZE) bytes of an HTML comment, streamed in `chunk`-sized pieces."""
    total = HUGE_SIZE if size is None else size
    opening, closing = b"<!-- ", b" -->"
    yield opening
    left = total - len(opening) - len(closing)
    block = _PADDING * (chunk // len(_PADDING) + 1)
    while left > 0:
        n = min(left, chunk)
        yield block[:n]
        left -= n
    yield closing
