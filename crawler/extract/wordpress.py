"""One WordPress post page as a page object: small attribute methods over layered evidence.

The page object first finds the post's own element from its ID (the ``postid-N`` body class,
``article#post-N``, the shortlink ``?p=N``, the REST ``wp/v2/posts/N`` link), so related-post
cards and comment ``<article>``\\s never stand in for it. Each field then reads the layers in
the order measured best on real news pages (``benchmarks/realpages.py``): the site profile's
selector, WordPress's own markup (classic ``hentry``/``entry-*`` and block-theme
``wp-block-post-*`` classes), machine-readable metadata (``<meta>``, ``itemprop``, JSON-LD),
then visible text. Every method returns ``None`` or ``[]`` rather than raising.
"""

from __future__ import annotations

import copy
import html as html_lib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from datetime import timezone as fixed_zone
from functools import cached_property, lru_cache
from urllib.parse import parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import regex
from lxml import etree
from parsel import Selector

from crawler.dates import parse_date, parse_iso
from crawler.extract import body, tree
from crawler.extract.jsonld import ArticleMetadata, article_metadata
from crawler.sites import SiteProfile, generic_profile
from text.urls import canonical_url as canonicalize_url

# Profile selector keys (``SiteProfile.selectors``): each, when given, is tried before the
# generic layers of its field.
SELECTOR_KEYS = ("article", "title", "author", "date_text", "content", "page_links")

GENERIC_ARTICLE = "article.hentry, article[id^='post-'], .hentry, .type-post, article.post"
PAGE_LINKS = ".page-links a, .post-nav-links a, .wp-block-post-navigation-link a"
DATE_TEXT = ".posted-on, .post-date, .entry-date, .published, .wp-block-post-date, .date"
BYLINES = (
    ".wp-block-post-author__name",
    ".wp-block-post-author-name",
    ".byline .author a",
    ".author.vcard .fn",
    ".byline .author",
    "a[rel='author']",
    "[itemprop='author'] [itemprop='name']",
    ".post-author a",
    ".post-author",
    ".author-name",
)
TITLES = (
    "h1.entry-title",
    "h1.wp-block-post-title",
    "h1[itemprop='headline']",
    "h1.post-title",
    "h1",
    ".entry-title",
    ".wp-block-post-title",
    ".post-title",
)
MAX_DATE_TEXT = 80  # longer text is a block that holds a date, not a date line
AUTHOR_METAS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
DATE_METAS = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "parsely-pub-date",
    "pubdate",
    "publishdate",
    "publish-date",
    "sailthru.date",
    "dc.date.issued",
    "date",
)

# The class, id and quoted attribute names of a CSS selector (".entry-content", "[rel='tag']").
_SELECTOR_NAMES = regex.compile(r"[.#]([\w-]+)|'([^']+)'")
_NAIVE = None  # parse_iso leaves a value without an offset naive: the zone is added lazily
_NEGATION = regex.compile(r":not\([^)]*\)")
_POST_ID_CLASS = regex.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
_POST_N = regex.compile(r"^post-(\d+)$")
_REST_LINK = regex.compile(r"/wp/v2/[a-z0-9_-]+/(\d+)/?$")
_SITE_TITLE = regex.compile(r"site-title|site-name|logo|brand|masthead", regex.IGNORECASE)
_FIXED_OFFSET = regex.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")
_FOREIGN_CLASS = regex.compile(
    r"(?:^|\s)(?:comment-list|commentlist|comments-area|comment-body|comment|comments|widget"
    r"|widget-area|sidebar|site-header|site-footer|[\w-]*related[\w-]*)(?:\s|$)",
    regex.IGNORECASE,
)
_TEMPLATE_TYPE = regex.compile(r"^type-[\w-]*(?:template|library|layout)", regex.IGNORECASE)
_FOREIGN_ID = regex.compile(r"^(?:comments|respond|sidebar|secondary|colophon|masthead)$")
_FOREIGN_TAGS = frozenset(("aside", "nav", "noscript", "script", "style", "template"))
_REL_LINKS = etree.XPath("descendant::a[@rel]")
_XML_SPACE = regex.compile(r"[ \t\r\n]+")  # what XPath's normalize-space() collapses
_CLASSES_AND_IDS = etree.XPath("//@class | //@id", smart_strings=False)
_ARTICLE_IDS = etree.XPath("//article[starts-with(@id, 'post-')]/@id", smart_strings=False)
_HAS_TOKEN = "contains(concat(' ', normalize-space(@class), ' '), $token)"
# The post's own element by ID ($id "post-N", $token " post-N "), most specific first.
_POST_ELEMENT = tuple(
    etree.XPath(query)
    for query in (
        "//article[@id=$id]",
        "//*[@id=$id]",
        f"//article[{_HAS_TOKEN}]",
        f"//*[not(self::body)][{_HAS_TOKEN}]",
    )
)
_PASSWORD_REQUIRED = etree.XPath(
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-password-required ')]"
)
# Any element a theme named for a date ("metaInfoDateTime", "meta_date").
_NAMED_DATE = etree.XPath(".//*[contains(translate(@class, 'DATE', 'date'), 'date')]")


def resolve_timezone(name: str | None) -> tzinfo | None:
    """An IANA name (``Asia/Vientiane``) or a fixed offset (``+07:00``, ``UTC-3``, ``5.5``)."""
    if not name or not isinstance(name, str):
        return None
    name = name.strip()
    match = _FIXED_OFFSET.match(name)
    if match:
        sign = -1 if match[1] == "-" else 1
        return fixed_zone(sign * timedelta(hours=int(match[2]), minutes=int(match[3] or 0)))
    try:
        hours = float(name)  # WordPress's gmt_offset
        return fixed_zone(timedelta(hours=hours))
    except ValueError:
        pass
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@dataclass
class ExtractedPost:
    url: str
    post_id: int | None
    title: str | None
    author: str | None
    published_at: datetime | None
    modified_at: datetime | None
    categories: list[str]
    tags: list[str]
    body_html: str | None
    date_source: str | None
    # Further pages of a post split with <!--nextpage-->, in page order (absolute URLs).
    next_pages: list[str] = field(default_factory=list)
    # Every author, page order, deduplicated; ``author`` is the first.
    authors: list[str] = field(default_factory=list)
    # A password-protected post: its page shows a form, not the post.
    protected: bool = False
    body_source: str | None = None  # "container" or "fallback", for auditing extraction


class WordPressPostPage:
    """Reads the fields of one post page; every method returns ``None``/``[]`` on bad input.

    ``timezone`` (an IANA name or a fixed offset, e.g. from the REST index) is the site's zone
    for values that carry no offset (a date-only "06.01.2026" is midnight there); it overrides
    the profile's. Without it, the offset of the page's own timestamps is used (the theme's
    ``<time datetime>`` first: WordPress prints those in the site's zone), then the profile's.
    A generic profile's zone is Asia/Vientiane: this corpus crawls Lao sites, and a date-only
    value is better placed on the right local day there than shifted by a guessed offset.
    """

    def __init__(
        self,
        html: str,
        url: str,
        profile: SiteProfile | None = None,
        timezone: str | None = None,
    ) -> None:
        try:
            blank = not html or html.isspace()  # (no copy of the page, unlike strip())
            self._root, self.kind = tree.parse("<html></html>" if blank else html)
        except (TypeError, ValueError, etree.LxmlError):
            self._root, self.kind = tree.parse("<html></html>")
        self.html = html if isinstance(html, str) else ""
        self._present_parts: dict[str, str] = {}
        self._names_in_source: dict[str, bool] = {}
        self.url = url
        self.profile = profile or generic_profile(url)
        self.timezone = timezone

    # -- small helpers ----------------------------------------------------------------------

    @property
    def root(self):
        return self._root

    @cached_property
    def selector(self) -> Selector:
        return Selector(root=self._root, type=self.kind)

    def _profile_css(self, key: str) -> str | None:
        return self.profile.selectors.get(key)

    @cached_property
    def _meta_values(self) -> dict[str, list[str]]:
        """Every ``<meta>`` content by its property, name or itemprop (read in one pass)."""
        values: dict[str, list[str]] = {}
        for element in self.root.iter("meta"):
            content = " ".join(html_lib.unescape(element.get("content") or "").split())
            if not content:
                continue
            for attribute in ("property", "name", "itemprop"):
                key = element.get(attribute)
                if key:
                    values.setdefault(key.strip(), []).append(content)
        return values

    def _meta(self, *names: str) -> str | None:
        for name in names:
            found = self._meta_values.get(name)
            if found:
                return found[0]
        return None

    def _metas(self, name: str) -> list[str]:
        return _unique(self._meta_values.get(name, []))

    def _css(self, css: str, scope=None) -> list:
        """Elements matching ``css`` in ``scope`` (the post element by default), document
        order, minus those inside comments, widgets, menus, related posts or other posts."""
        css = self._present(css)
        if not css:
            return []
        scope = self.scope if scope is None else scope
        try:
            found = tree.select(scope, css)
        except Exception:  # a profile's malformed selector must not crash the crawl
            return []
        return [e for e in found if not self._foreign(e, scope)]

    def _present(self, css: str) -> str:
        """The parts of a selector list whose class and attribute names occur in the page at
        all: a substring test on the source is far cheaper than walking the tree."""
        known = self._present_parts.get(css)
        if known is None:
            known = self._present_parts[css] = ", ".join(
                part
                for part, classes, quoted in _selector_names(css)
                if classes <= self._tokens and all(map(self._in_source, quoted))
            )
        return known

    @cached_property
    def _other_ids(self) -> bool:
        """Whether any element names a post other than this one (else no card to skip)."""
        own = self.post_id()
        return any((m := _POST_N.match(token)) and int(m[1]) != own for token in self._post_tokens)

    @cached_property
    def _post_tokens(self) -> list[str]:
        """The class and id tokens that start with "post-" (the only ones that name a post)."""
        return [token for token in self._tokens if token.startswith("post-")]

    @cached_property
    def _tokens(self) -> frozenset[str]:
        """Every class and id token of the page (one XPath pass, in C)."""
        values = _CLASSES_AND_IDS(self.root) if self.root is not None else []
        return frozenset(" ".join(values).split())

    def _in_source(self, name: str) -> bool:
        found = self._names_in_source.get(name)
        if found is None:
            found = self._names_in_source[name] = name in self.html
        return found

    def _foreign(self, element, scope, other_posts: bool = True) -> bool:
        """Whether ``element`` belongs to something other than this post."""
        own = self.post_id() if other_posts else None
        node = element
        while node is not None and node is not scope:
            tag = node.tag if isinstance(node.tag, str) else ""
            if tag in ("body", "html"):
                break
            if tag in _FOREIGN_TAGS:
                return True
            if node.get("id") and _FOREIGN_ID.match(node.get("id")):
                return True
            classes = node.get("class") or ""
            if classes and _FOREIGN_CLASS.search(classes):
                return True
            if own is not None and node is not self.post_element and self._other_post(node):
                return True
            node = node.getparent()
        return False

    @cached_property
    def jsonld(self) -> ArticleMetadata:
        return article_metadata(self.root)

    # -- identity ---------------------------------------------------------------------------

    def canonical_url(self) -> str:
        href = self._link("canonical")
        if href:
            candidate = urljoin(self.url, href.strip())
            if urlsplit(candidate).netloc == urlsplit(self.url).netloc:
                return canonicalize_url(candidate)
        return canonicalize_url(self.url)

    def _links_in_head(self, rel: str, kind: str | None = None) -> list[str]:
        """``<link rel>`` hrefs; WordPress prints them in ``<head>`` (no walk of the body)."""
        head = self.root.find("head") if self.root is not None else None
        links = head.iter("link") if head is not None else self.root.iter("link")
        return [
            link.get("href").strip()
            for link in links
            if rel in (link.get("rel") or "").split()
            and (kind is None or link.get("type") == kind)
            and link.get("href")
        ]

    def _link(self, rel: str) -> str | None:
        found = self._links_in_head(rel)
        return found[0] if found else None

    def _ids(self):
        """(source, ID) of every statement the page makes about its own post ID."""
        found = self.root.find("body") if self.root is not None else None
        body_class = (found.get("class") if found is not None else None) or ""
        match = _POST_ID_CLASS.search(body_class)
        if match:
            yield "body-class", int(match[1])
        for href in self._links_in_head("alternate", "application/json"):
            match = _REST_LINK.search(urlsplit(href).path)
            if match:
                yield "rest-link", int(match[1])
        for link in (self._link("shortlink"), self.url):
            p = parse_qs(urlsplit(link or "").query).get("p")
            if p and p[0].isdigit():
                yield "shortlink", int(p[0])
        articles = _ARTICLE_IDS(self.root) if self._post_tokens else []
        ids = {int(m[1]) for a in articles if (m := _POST_N.match(a))}
        if len(ids) == 1:
            yield "article-id", ids.pop()
        if self.profile.post_path_pattern:
            match = regex.search(self.profile.post_path_pattern, urlsplit(self.url).path)
            if match:
                yield "permalink", int(match[1])

    @cached_property
    def _post_id(self) -> int | None:
        return next((value for _source, value in self._ids()), None)

    def post_id(self) -> int | None:
        return self._post_id

    @cached_property
    def post_element(self):
        """The element that holds this post and nothing else, or ``None``."""
        own = self.post_id()
        if own is not None and f"post-{own}" in self._tokens:
            for query in _POST_ELEMENT:
                found = query(self.root, id=f"post-{own}", token=f" post-{own} ")
                if found:
                    return found[0]
        selectors = [self._profile_css("article"), GENERIC_ARTICLE]
        for css in filter(None, map(self._present, filter(None, selectors))):
            candidates = [
                element
                for element in tree.select(self.root, css, self.kind)
                if element.tag != "body"
                and not self._foreign(element, self.root, other_posts=False)
                and not self._other_post(element)
            ]
            if candidates:  # the post, not a card: the candidate with the most text
                return max(candidates, key=body.text_length)
        return None

    def _other_post(self, element) -> bool:
        """An element that names another post's ID (a card, a teaser) while ours is known."""
        own = self.post_id()
        if own is None or not self._other_ids:
            return False
        classes = (element.get("class") or "").split()
        if any(_TEMPLATE_TYPE.match(token) for token in classes):
            return False  # a theme builder's template (itself a post) wraps the real one
        for token in (element.get("id") or "", *classes):
            match = _POST_N.match(token)
            if match and int(match[1]) != own:
                return True
        return False

    @property
    def scope(self):
        return self.post_element if self.post_element is not None else self.root

    def is_protected(self) -> bool:
        """A password-protected post: ``post_class()`` adds ``post-password-required``; block
        themes add no class, but ``get_the_password_form()`` posts to ``?action=postpass``."""
        return self._protected

    @cached_property
    def _protected(self) -> bool:
        if "post-password-required" in self._tokens and _PASSWORD_REQUIRED(self.root):
            return True
        return "postpass" in self.html and bool(
            self._css("form.post-password-form, form[action*='action=postpass']")
        )

    # -- title ------------------------------------------------------------------------------

    def _is_site_title(self, element) -> bool:
        """Whether a heading names the site (it or a wrapper says so), or is the current crumb
        of a breadcrumb trail, which some themes make an <h1> (Yoast's ``breadcrumb_last``,
        ``aria-current="page"``): not the post's heading either way."""
        if element.get("aria-current") == "page" or "breadcrumb" in (element.get("class") or ""):
            return True
        node = element
        while node is not None:
            if _SITE_TITLE.search((node.get("class") or "") + " " + (node.get("id") or "")):
                return True
            if node.tag in ("header",) and node.get("role") == "banner":
                return True
            node = node.getparent()
        return False

    def _title_layers(self):
        """Metadata first (measured: SEO plugins state the headline exactly, where themes add
        kickers and icons to the ``<h1>``), then the post's own heading; never the site title."""
        profile_css = self._profile_css("title")
        if profile_css:
            yield "profile", self._first_text(self._css(profile_css))
        heading = self._title_in(self.scope)
        headline = self.jsonld.headline
        if headline and heading and len(headline) < len(heading) and heading.startswith(headline):
            headline = None  # Yoast trims the headline to 110 characters
        og_title = _heading_if_suffixed(self._without_site_name(self._meta("og:title")), heading)
        if _kicker_written_out(og_title, heading, headline):
            yield "og:title", og_title
        if og_title and og_title == self._microdata_headline():
            yield "og:title", og_title  # two statements agree against JSON-LD's one
        yield "json-ld", _heading_if_suffixed(headline, heading)
        yield "og:title", og_title
        yield "post-element", heading
        if self.post_element is not None:
            yield "page-h1", self._title_in(self.root, TITLES[:5])
        yield "itemprop", self._meta("headline")

    def _microdata_headline(self) -> str | None:
        """The visible element the theme marks ``itemprop="headline"`` (a schema.org statement
        of the headline as strong as JSON-LD's, where a theme prints a headline of its own)."""
        for element in self._css("[itemprop='headline']"):
            if element.tag != "meta" and not self._is_site_title(element):
                return _text(element) or None
        return None

    def _without_site_name(self, title: str | None) -> str | None:
        """``og:title`` without the " - Site" that many SEO set-ups append."""
        site = self._meta("og:site_name", "application-name")
        if title and site:
            for separator in (" - ", " | ", " – ", " — ", " :: ", " · ", " » "):
                if title.endswith(separator + site) and len(title) > len(separator + site):
                    return title[: -len(separator + site)].strip()
        return title

    def _title_in(self, scope, selectors=TITLES) -> str | None:
        for css in selectors:
            for element in self._css(css, scope):
                if not self._is_site_title(element):
                    text = _text(element)
                    if text:
                        return text
        return None

    def _first_text(self, elements) -> str | None:
        return next((t for t in map(_text, elements) if t), None)

    def title(self) -> str | None:
        return next((value for _source, value in self._title_layers() if value), None)

    # -- authors ----------------------------------------------------------------------------

    def _author_layers(self):
        """Layers in the order measured best; each gives every author it names."""
        profile_css = self._profile_css("author")
        if profile_css:
            yield "profile", _unique(map(_text, self._css(profile_css)))
        yield "typed-byline", self._newsroom_typed_byline()
        yield from self._account_layers()

    def _account_layers(self):
        """What WordPress states about the post's author account(s)."""
        yield "json-ld", self.jsonld.authors
        yield "byline", self._bylines()
        for name in AUTHOR_METAS:
            yield "meta", [a for a in self._metas(name) if not a.startswith("http")]
        yield "author-link", self._author_links()

    def _bylines(self) -> list[str]:
        for css in BYLINES:
            names = _unique(map(_text, self._css(css)))
            if names:
                return names
        return []

    def _author_links(self) -> list[str]:
        """Links to WordPress author archives (``/author/slug/``) next to the first one."""
        links = [a for a in self._css("a[href*='/author/'], a[href*='/authors/']") if _text(a)]
        if not links:
            return []
        group = links[0].getparent()
        group = group.getparent() if group is not None and len(group) == 1 else group
        return _unique(_text(a) for a in links if group is not None and _inside(a, group))

    def _newsroom_typed_byline(self) -> list[str]:
        """The names typed in bold as the first line of a post that the publication's own
        account published (a newsroom posting for its reporters: "Vientiane Daily" posts, the
        text opens with "**Khamla Vongsa**"); a reporter's own account is the better statement."""
        text = self._clean_container
        typed = _typed_byline(text) if text is not None else []
        if not typed:
            return []
        account = next((value for _source, value in self._account_layers() if value), [])
        return typed if not account or self._is_publication(account) else []

    def _is_publication(self, names: list[str]) -> bool:
        """Whether the author names share a word with the site's name ("Daily Desk" of "Vientiane
        Daily"): the account is the publication's, not a person's."""
        site = self._meta("og:site_name", "application-name")
        words = {w.casefold() for w in _words(site) if len(w) > 2}
        return any(w.casefold() in words for name in names for w in _words(name))

    @cached_property
    def _found_authors(self) -> tuple[str | None, list[str]]:
        """The first layer that names anyone, and every name it gives."""
        for source, found in self._author_layers():
            if found:
                return source, _unique(n for names in map(_split_names, found) for n in names)
        return None, []

    def authors(self) -> list[str]:
        return list(self._found_authors[1])

    def author(self) -> str | None:
        found = self.authors()
        return found[0] if found else None

    # -- dates ------------------------------------------------------------------------------

    @cached_property
    def tz(self) -> tzinfo:
        """The site's zone for values without an offset (see the class docstring)."""
        explicit = resolve_timezone(self.timezone)
        if explicit is not None:
            return explicit
        stated = (
            *self._css_attr("time[datetime]", "datetime"),
            self._meta("article:published_time", "article:modified_time"),
            self.jsonld.date_published,
            self.jsonld.date_modified,
        )
        for raw in stated:
            value = parse_iso(raw) if raw and _has_offset(raw) else None
            if value is not None:
                return value.tzinfo  # type: ignore[return-value]
        return resolve_timezone(self.profile.timezone) or ZoneInfo("Asia/Vientiane")

    def _css_attr(self, css: str, attribute: str, scope=None) -> list[str]:
        return [e.get(attribute) for e in self._css(css, scope) if e.get(attribute)]

    def _date_layers(self):
        """(source, raw value, machine-readable?) in the order measured best: JSON-LD, then
        ``article:published_time``, ``itemprop``, the theme's ``<time datetime>`` (whose
        offset is sometimes wrong), other metadata, the visible date line."""
        yield "json-ld", self.jsonld.date_published, True
        yield "meta", self._meta(*DATE_METAS[:2]), True
        for css in ("[itemprop='datePublished']",):
            for element in self._css(css, self.root):
                yield "itemprop", element.get("content") or element.get("datetime"), True
        for css in (
            ".wp-block-post-date time",
            "time.published",
            "time.entry-date:not(.updated)",
            "time[itemprop='datePublished']",
        ):
            for raw in self._css_attr(css, "datetime"):
                yield "time[datetime]", raw, True
        yield "meta", self._meta(*DATE_METAS[2:]), True
        profile_css = self._profile_css("date_text")
        for css in filter(None, (profile_css, DATE_TEXT)):
            found = self._css(css)
            if found:
                published = self._css(".published", found[0])
                yield "text", _text(published[0] if published else found[0]), False
                break
        for raw in self._css_attr("time", "datetime"):
            yield "time[datetime]", raw, True
        # Any short element a theme named for a date ("metaInfoDateTime", "meta_date").
        for found in _NAMED_DATE(self.scope):
            if not self._foreign(found, self.scope):
                text = _text(found)
                if text and len(text) <= MAX_DATE_TEXT:
                    yield "text", text, False

    def published_at(self) -> tuple[datetime | None, str | None]:
        """The publication time and the markup it came from; machine-readable wins."""
        for source, raw, machine in self._date_layers():
            value = self._parse(raw, machine)
            if value is not None:
                return value, source
        return None, None

    def _parse(self, raw: str | None, machine: bool) -> datetime | None:
        if not raw:
            return None
        value = parse_iso(raw, _NAIVE) if machine else None
        if value is not None:  # the site's zone is looked up only for a value without one
            return value if value.tzinfo is not None else value.replace(tzinfo=self.tz)
        return parse_date(raw, self.tz)

    def modified_at(self, published: datetime | None) -> datetime | None:
        """The last edit, or ``None`` for a post never edited (WordPress then repeats the date)."""
        for raw in (
            self._meta("article:modified_time", "og:updated_time", "dateModified"),
            self.jsonld.date_modified,
            *self._css_attr("time.updated", "datetime"),
        ):
            value = self._parse(raw, True)
            if value is not None:
                return None if value == published else value
        return None

    # -- terms ------------------------------------------------------------------------------

    @cached_property
    def _rel_links(self) -> list[tuple[etree._Element, list[str]]]:
        """Every ``<a rel>`` of the post with its rel tokens: one pass for categories and tags."""
        return [
            (a, _XML_SPACE.split(a.get("rel").strip(" \t\r\n"))) for a in _REL_LINKS(self.scope)
        ]

    def _rel(self, rel: str, without: str | None = None) -> list:
        return [a for a, tokens in self._rel_links if rel in tokens and without not in tokens]

    def _links(self, elements, exclude: str | None = None) -> list[str]:
        found = []
        outside = tree.xpath_query(f"ancestor::*[{exclude}]") if exclude else None
        for element in elements:
            if self._foreign(element, self.scope):
                continue
            if outside is not None and outside(element):
                continue
            found.append(_text(element))
        return _unique(found)

    @property
    def _block_terms(self) -> bool:
        return "wp-block-post-terms" in self._tokens

    def categories(self) -> list[str]:
        block = _class_token("wp-block-post-terms") + " and " + _class_token("taxonomy-category")
        tag_block = _class_token("taxonomy-post_tag")
        return (
            (self._block_terms and self._links(tree.xpath_query(f".//*[{block}]//a")(self.scope)))
            or self._links(self._rel("category"), exclude=tag_block)
            or self._metas("article:section")
            or self.jsonld.sections
        )

    def tags(self) -> list[str]:
        block = _class_token("wp-block-post-terms") + " and " + _class_token("taxonomy-post_tag")
        not_categories = (
            f"{_class_token('taxonomy-category')} or {_class_token('cat-links')}"
            f" or {_class_token('post-categories')}"
        )
        return (
            (self._block_terms and self._links(tree.xpath_query(f".//*[{block}]//a")(self.scope)))
            or self._links(self._rel("tag", without="category"), exclude=not_categories)
            or self._metas("article:tag")
            or self.jsonld.keywords
        )

    # -- body -------------------------------------------------------------------------------

    def content_element(self):
        """The known container that holds this post's text.

        A profile's selector replaces the generic ones (and the fallback): when its theme
        changes, the page fixtures must fail, not pass on whatever the generic layers find.
        A theme that splits the text over several containers of the same kind (between ad
        slots, say) gets them all, joined in page order."""
        profile_css = self._profile_css("content")
        selectors = [profile_css] if profile_css else list(body.CONTAINERS)
        scopes = [self.scope] if self.post_element is None else [self.scope, self.root]
        for scope in scopes:
            # Short text is a teaser unless the post is known: by its element, or by an ID
            # that marks every other post's card as foreign (block themes wrap no element).
            known = scope is self.post_element or self.post_id() is not None
            shortest = 1 if known else body.MIN_TEXT
            for css in selectors:
                found = [e for e in self._css(css, scope) if body.text_length(e) >= shortest]
                if found:
                    return body.join_parts(found)
        return None

    @cached_property
    def _clean_container(self):
        """A copy of the known container without boilerplate, or ``None``."""
        found = self.content_element()
        if found is None:
            return None
        site = urlsplit(self.url).netloc
        cleaned = body.clean_copy(found, self.profile.boilerplate, self._present, site)
        for node in list(cleaned.iter()) if self._other_ids else ():
            if node is not cleaned and node.getparent() is not None and self._other_post(node):
                node.drop_tree()
        return cleaned if body.text_length(cleaned) else None

    def _has_own_container(self) -> bool:
        """Whether a known container sits in the post's own element. When it holds no text the
        post has none: the main-content fallback would only find related posts or widgets."""
        scope = self.post_element
        return scope is not None and any(self._css(css, scope) for css in body.CONTAINERS)

    @cached_property
    def _body(self) -> tuple[str | None, str | None]:
        if self.is_protected():
            return None, None
        cleaned = self._clean_container
        if cleaned is not None:
            return body.to_html(cleaned), "container"
        if self._profile_css("content") or self._has_own_container():
            return None, None  # the post's own container is empty: the post has no text
        where = self.post_element
        if where is None:  # the page's one <main>, else <body>: less for trafilatura to prune
            mains = self.root.findall(".//main")
            where = mains[0] if len(mains) == 1 else self.root.find("body")
        fallback = body.fallback_html(
            self._fallback_tree(where) if where is not None else self.html, self.url
        )
        return (fallback, "fallback") if fallback else (None, None)

    def _fallback_tree(self, where):
        """A copy of ``where`` for the main-content extractor, without what is never the post's
        text: its ``<h1>`` (the title, a field of its own: the container path drops it too),
        the blocks this page object treats as another's (comments and the reply form,
        widgets, sidebars, related posts, menus, other posts' cards), and noise-named blocks
        around the main text ("popular" lists, share bars). The extractor keeps some of each
        when it is handed them."""
        found = copy.deepcopy(where)
        stack = [found]
        while stack:
            for child in list(stack.pop()):
                if not isinstance(child.tag, str):
                    continue
                if child.tag == "h1" or self._not_the_posts(child):
                    child.drop_tree()
                else:
                    stack.append(child)
        body.drop_noise_around_text(found)
        return found

    def _not_the_posts(self, node) -> bool:
        """Whether ``node`` itself (its tag, id or class) marks a block of something else."""
        if node.tag in _FOREIGN_TAGS:
            return True
        if node.get("id") and _FOREIGN_ID.match(node.get("id")):
            return True
        classes = node.get("class")
        return bool(classes and _FOREIGN_CLASS.search(classes)) or self._other_post(node)

    def body_html(self) -> str | None:
        """The post's HTML (this page of it), boilerplate removed; ``None`` without a post."""
        return self._body[0]

    # -- pages of a split post --------------------------------------------------------------

    def _pager_links(self) -> list[str]:
        selectors = [c for c in (self._profile_css("page_links"), PAGE_LINKS) if c]
        links = []
        for css in filter(None, map(self._present, selectors)):
            for element in tree.select(self.root, css, self.kind):  # wp_link_pages(): a <nav>
                if any(self._other_post(node) for node in element.iterancestors()):
                    continue
                href = element.get("href")
                if href:
                    links.append(canonicalize_url(urljoin(self.url, href.strip())))
        return _unique(links)

    def _permalink_path(self, links: list[str]) -> str:
        """The path of page 1: this URL's, or its parent's when this is page N of it."""
        own = urlsplit(canonicalize_url(self.url)).path.rstrip("/")
        parent, _, last = own.rpartition("/")
        if last.isdigit() and any(urlsplit(u).path.rstrip("/") == parent for u in links):
            return parent
        if last.isdigit() and regex.search(r"[?&]page=", self.url) is None:
            other = [urlsplit(u).path.rstrip("/") for u in links]
            if other and all(p.rpartition("/")[0] == parent for p in other):
                return parent
        return own

    def page_number(self, url: str, permalink_path: str | None = None) -> int | None:
        """The page of the post ``url`` shows: ``/2/``, ``?page=2``, ``&page=2``; 1 for the
        bare permalink; ``None`` for a URL that is no page of this post."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        base = permalink_path if permalink_path is not None else self._permalink_path([])
        path = parts.path.rstrip("/")
        if "page" in query:
            value = query["page"][0]
            return int(value) if value.isdigit() and path == base else None
        if path == base:
            return 1
        parent, _, last = path.rpartition("/")
        return int(last) if last.isdigit() and parent == base else None

    def next_pages(self) -> list[str]:
        """URLs of the later pages of a post split with ``<!--nextpage-->``, one per page
        number, in page order: a pager that links page 1 explicitly adds nothing twice."""
        links = self._pager_links()
        if not links:
            return []
        base = self._permalink_path(links)
        current = self.page_number(canonicalize_url(self.url), base) or 1
        by_number: dict[int, str] = {}
        for link in links:
            number = self.page_number(link, base)
            if number is not None and number > current:
                by_number.setdefault(number, link)
        return [by_number[n] for n in sorted(by_number)]

    # -- the whole post ---------------------------------------------------------------------

    def extract(self) -> ExtractedPost:
        protected = self.is_protected()
        published_at, date_source = self.published_at()
        authors = self.authors()
        body_html, body_source = self._body
        return ExtractedPost(
            url=self.canonical_url(),
            post_id=self.post_id(),
            title=self.title(),
            author=authors[0] if authors else None,
            published_at=published_at,
            modified_at=self.modified_at(published_at),
            categories=self.categories(),
            tags=self.tags(),
            body_html=body_html,
            date_source=date_source,
            next_pages=[] if protected else self.next_pages(),
            authors=authors,
            protected=protected,
            body_source=body_source,
        )


# The name the spider, fixtures and tests have always used.
WordPressPostParser = WordPressPostPage


@lru_cache(maxsize=1024)
def _selector_names(css: str) -> tuple[tuple[str, frozenset[str], tuple[str, ...]], ...]:
    """Each part of a selector list with the class/id names and the quoted attribute values
    an element must carry to match it (names under ``:not()`` excepted)."""
    parts = []
    for part in css.split(","):
        found = list(_SELECTOR_NAMES.finditer(_NEGATION.sub("", part)))
        classes = frozenset(m[1] for m in found if m[1])
        parts.append((part, classes, tuple(m[2] for m in found if not m[1])))
    return tuple(parts)


def _text(element) -> str:
    if element is None:
        return ""
    try:
        return " ".join(" ".join(tree.texts(element)).split())
    except (TypeError, ValueError):
        return ""


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _class_token(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_AND = regex.compile(r"\s+(?:and|&|und|ແລະ)\s+", regex.IGNORECASE)


def _split_names(value: str) -> list[str]:
    """ "A and B" is two authors (bylines and JSON-LD often join them in one string)."""
    return [part.strip() for part in _AND.split(value) if part.strip()]


BYLINE_LINES = 3  # a typed byline is among the first lines of the text...
BYLINE_PROSE = 120  # ...before the first line this long, which is prose
_BYLINE_WORD = regex.compile(r"^\p{Lu}[\p{L}\p{M}'’.-]*$")
_BYLINE_SPLIT = regex.compile(r"\s*(?:/|,|;|&|\band\b)\s*")
_BYLINE_PREFIX = regex.compile(r"^(?:by|von|par|por)\s+", regex.IGNORECASE)
_STRONG = etree.XPath(
    "descendant::*[self::strong or self::b][not(ancestor::strong or ancestor::b)]"
)


def _typed_byline(text) -> list[str]:
    """The names an editor typed, all bold, as one of the first lines of the post's ``text``
    ("<p><strong>Khamla Vongsa/Noy Keomany</strong></p>"): two to four
    capitalized words each (a script without capitals never matches)."""
    seen = 0
    for paragraph in text.iter("p"):
        line = _text(paragraph)
        if not line:
            continue
        if len(line) >= BYLINE_PROSE or seen == BYLINE_LINES:
            break
        seen += 1
        bold = " ".join(" ".join(_text(b) for b in _STRONG(paragraph)).split())
        names = _names_typed(line) if bold == line else []
        if names:
            return names
    return []


def _names_typed(line: str) -> list[str]:
    """The names of a byline line, or none when any part is not a name (a heading, a label)."""
    names = [n for n in _BYLINE_SPLIT.split(_BYLINE_PREFIX.sub("", line)) if n]
    if not names or len(names) > 4:
        return []
    for name in names:
        words = name.split()
        if not 2 <= len(words) <= 4 or not all(map(_BYLINE_WORD.match, words)):
            return []
    return names


def _inside(element, ancestor) -> bool:
    return any(node is ancestor for node in element.iterancestors())


_SUFFIX = regex.compile(r"^\s+[-|–—:·»]\s+\S")


def _heading_if_suffixed(title: str | None, heading: str | None) -> str | None:
    """The heading, when ``title`` is the heading plus " - Site name"."""
    if title and heading and title.startswith(heading) and _SUFFIX.match(title[len(heading) :]):
        return heading
    return title


_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")  # marks too: Lao vowels and tones are marks


def _words(text: str | None) -> list[str]:
    """The words of a title, whatever punctuation and quotes separate them."""
    return _WORD.findall(text) if text else []


def _kicker_written_out(og_title: str | None, heading: str | None, headline: str | None) -> bool:
    """Whether the visible heading is a kicker plus the JSON-LD headline, and og:title writes
    that whole heading out (with the separator the layout shows only as style, " / ")."""
    words, shown, stated = _words(og_title), _words(heading), _words(headline)
    return (
        bool(stated)
        and words == shown
        and len(shown) > len(stated)
        and (shown[-len(stated) :] == stated)
    )


def _has_offset(raw: str) -> bool:
    return bool(regex.search(r"(?:[+-]\d{2}:?\d{2}|Z)$", raw.strip()))


__all__ = [
    "SELECTOR_KEYS",
    "ExtractedPost",
    "WordPressPostPage",
    "WordPressPostParser",
    "canonicalize_url",
    "resolve_timezone",
]
