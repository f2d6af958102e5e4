"""Generic extraction of one WordPress post page, with per-site overrides from its profile.

Each field is a small method that tries the most reliable markup first — JSON-LD and other
machine-readable attributes, then the classes that WordPress core (``post_class()``,
``wp_link_pages()``) and hentry themes emit, then visible text — so a site profile only names
what its theme does differently.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import lxml.html
import regex
from parsel import Selector

from crawler.dates import parse_date, parse_iso
from crawler.extract.jsonld import ArticleMetadata, article_metadata
from crawler.sites import SiteProfile

GENERIC_SELECTORS = {
    "article": "article[id^='post-'], article.hentry, div.hentry, article.post, article",
    "title": "h1.entry-title, h1.post-title, .entry-title, .post-title, h1",
    "author": (
        ".byline .author a, a[rel='author'], .author.vcard .fn, .post-author a, "
        ".byline .author, .post-author"
    ),
    "date_text": ".posted-on, .post-date, .entry-date, .published, .date",
    "content": (
        ".entry-content, [itemprop='articleBody'], .post-content, .post-body, .entry, "
        ".article-content"
    ),
    "page_links": ".page-links a, .post-nav-links a",
}

BOILERPLATE = (
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    ".sharedaddy",
    ".sd-block",
    ".sd-sharing-enabled",
    ".social-share",
    ".share-buttons",
    ".addtoany_share_save_container",
    "#jp-relatedposts",
    ".jp-relatedposts",
    ".related-posts",
    ".related-articles",
    ".yarpp-related",
    ".page-links",
    ".post-nav-links",
    ".post-navigation",
    ".comments-area",
    "#comments",
    ".screen-reader-text",
)

_POST_ID_CLASS = regex.compile(r"\bpost(?:id)?-(\d+)\b")
_REL_CATEGORY = "contains(concat(' ', normalize-space(@rel), ' '), ' category ')"
_REL_TAG = "contains(concat(' ', normalize-space(@rel), ' '), ' tag ')"


def canonicalize_url(url: str) -> str:
    """Drop fragments and tracking parameters; one URL per post whatever link led to it."""
    parts = urlsplit(url.strip())
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not pair.lower().startswith(("utm_", "fbclid", "gclid", "replytocom"))
    )
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


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
    # Further pages of a post split with <!--nextpage-->, in order (absolute URLs).
    next_pages: list[str] = field(default_factory=list)


class WordPressPostParser:
    """Reads the fields of one post page; every method returns ``None`` rather than raising."""

    def __init__(self, html: str, url: str, profile: SiteProfile) -> None:
        self.selector = Selector(text=html or "<html></html>")
        self.url = url
        self.profile = profile
        self.tz = ZoneInfo(profile.timezone)
        article = self._first("article", self.selector)
        self.article = article[0] if article else self.selector

    def _css(self, key: str) -> str:
        return self.profile.selectors.get(key, GENERIC_SELECTORS[key])

    def _first(self, key: str, scope=None):
        """The first match of the selectors of ``key`` taken in priority, not document, order."""
        scope = self.article if scope is None else scope
        for css in self._css(key).split(","):
            found = scope.css(css.strip())
            if found:
                return found[:1]
        return scope.css("__nothing__")

    def _meta(self, prop: str) -> str | None:
        return self.selector.xpath(f"//meta[@property='{prop}' or @name='{prop}']/@content").get()

    @cached_property
    def jsonld(self) -> ArticleMetadata:
        return article_metadata(self.selector)

    def canonical_url(self) -> str:
        href = self.selector.xpath("//link[@rel='canonical']/@href").get()
        if href:
            candidate = urljoin(self.url, href)
            if urlsplit(candidate).netloc == urlsplit(self.url).netloc:
                return canonicalize_url(candidate)
        return canonicalize_url(self.url)

    def post_id(self) -> int | None:
        article_id = self.article.attrib.get("id", "") + " " + self.article.attrib.get("class", "")
        body_class = self.selector.xpath("//body/@class").get() or ""
        for text in (article_id, body_class):
            match = _POST_ID_CLASS.search(text)
            if match:
                return int(match[1])
        for link in (self.selector.xpath("//link[@rel='shortlink']/@href").get(), self.url):
            p = parse_qs(urlsplit(link or "").query).get("p")
            if p and p[0].isdigit():
                return int(p[0])
        if self.profile.post_path_pattern:
            match = regex.search(self.profile.post_path_pattern, urlsplit(self.url).path)
            if match:
                return int(match[1])
        return None

    def title(self) -> str | None:
        return _text(self._first("title")) or self.jsonld.headline or self._meta("og:title")

    def author(self) -> str | None:
        return _text(self._first("author")) or self.jsonld.author or self._meta("author")

    def published_at(self) -> tuple[datetime | None, str | None]:
        """The publication time and the markup it came from; machine-readable wins."""
        candidates = (
            ("json-ld", self.jsonld.date_published),
            ("time[datetime]", self.article.css("time.published::attr(datetime)").get()),
            (
                "time[datetime]",
                self.article.xpath(
                    ".//time[contains(@class,'entry-date')"
                    " and not(contains(@class,'updated'))]/@datetime"
                ).get(),
            ),
            ("meta", self._meta("article:published_time")),
        )
        for source, raw in candidates:
            value = parse_iso(raw, self.tz)
            if value is not None:
                return value, source
        date_block = self._first("date_text")
        if date_block:
            # The whole block may also hold an "updated" date: prefer the published element.
            text = _text(date_block.css(".published")) or _text(date_block)
            value = parse_date(text, self.tz)
            if value is not None:
                return value, "text"
        return None, None

    def modified_at(self, published: datetime | None) -> datetime | None:
        """The last edit, or ``None`` for a post never edited (WordPress then repeats the date)."""
        for raw in (
            self.jsonld.date_modified,
            self._meta("article:modified_time"),
            self.article.css("time.updated::attr(datetime)").get(),
        ):
            value = parse_iso(raw, self.tz)
            if value is not None:
                return None if value == published else value
        return None

    def _terms(self, xpath: str) -> list[str]:
        names: list[str] = []
        for link in self.article.xpath(xpath):
            name = _text(link)
            if name and name not in names:
                names.append(name)
        return names

    def categories(self) -> list[str]:
        return self._terms(f".//a[{_REL_CATEGORY}]") or self.jsonld.sections

    def tags(self) -> list[str]:
        return self._terms(f".//a[{_REL_TAG} and not({_REL_CATEGORY})]") or self.jsonld.keywords

    def content_element(self):
        found = self._first("content")
        return found[0] if found else None

    def body_html(self) -> str | None:
        found = self.content_element()
        if found is None:
            return None
        root = copy.deepcopy(found.root)
        for css in (*BOILERPLATE, *self.profile.boilerplate):
            for element in Selector(root=root).css(css):
                element.root.drop_tree()
        return lxml.html.tostring(root, encoding="unicode")

    def next_pages(self) -> list[str]:
        """URLs of the pages after this one of a post split with ``<!--nextpage-->``."""
        found = self.content_element()
        scope = found if found is not None else self.article
        pages: list[str] = []
        for href in scope.css(self._css("page_links")).xpath("@href").getall():
            url = canonicalize_url(urljoin(self.url, href))
            if url not in pages and url != canonicalize_url(self.url):
                pages.append(url)
        return pages

    def extract(self) -> ExtractedPost:
        published_at, date_source = self.published_at()
        return ExtractedPost(
            url=self.canonical_url(),
            post_id=self.post_id(),
            title=self.title(),
            author=self.author(),
            published_at=published_at,
            modified_at=self.modified_at(published_at),
            categories=self.categories(),
            tags=self.tags(),
            body_html=self.body_html(),
            date_source=date_source,
            next_pages=self.next_pages(),
        )


def _text(selection) -> str:
    return " ".join(" ".join(selection.xpath(".//text()").getall()).split())
