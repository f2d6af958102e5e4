"""Generic extraction of one WordPress post page, with per-site overrides from its profile.

Each field is a small method that tries the most reliable markup first (machine-readable
attributes, then theme classes that ``post_class()`` and hentry themes emit, then visible text),
so that a site profile only names what its theme does differently.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import lxml.html
import regex
from parsel import Selector

from crawler.dates import parse_date, parse_iso
from crawler.sites import SiteProfile

GENERIC_SELECTORS = {
    "article": "article.hentry, article[id^='post-'], div.hentry",
    "title": "h1.entry-title, .entry-title",
    "author": ".byline .author a, a[rel='author'], .author.vcard .fn, .byline .author",
    "date_text": ".posted-on, .entry-date",
    "content": ".entry-content, .post-content, .entry",
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
    "#jp-relatedposts",
    ".jp-relatedposts",
    ".related-posts",
    ".yarpp-related",
    ".addtoany_share_save_container",
    ".post-navigation",
    ".comments-area",
    "#comments",
    ".screen-reader-text",
)

_POST_ID_CLASS = regex.compile(r"\bpost(?:id)?-(\d+)\b")


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


class WordPressPostParser:
    """Reads the fields of one post page; every method returns ``None`` rather than raising."""

    def __init__(self, html: str, url: str, profile: SiteProfile) -> None:
        self.selector = Selector(text=html)
        self.url = url
        self.profile = profile
        self.tz = ZoneInfo(profile.timezone)
        article = self.selector.css(self._css("article"))
        self.article = article[0] if article else self.selector

    def _css(self, key: str) -> str:
        return self.profile.selectors.get(key, GENERIC_SELECTORS[key])

    def _meta(self, prop: str) -> str | None:
        return self.selector.xpath(f"//meta[@property='{prop}' or @name='{prop}']/@content").get()

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
        shortlink = self.selector.xpath("//link[@rel='shortlink']/@href").get() or ""
        p = parse_qs(urlsplit(shortlink).query).get("p")
        if p and p[0].isdigit():
            return int(p[0])
        match = regex.search(self.profile.post_path_pattern, urlsplit(self.url).path)
        return int(match[1]) if match else None

    def title(self) -> str | None:
        text = _text(self.article.css(self._css("title"))[:1])
        return text or self._meta("og:title")

    def author(self) -> str | None:
        text = _text(self.article.css(self._css("author"))[:1])
        return text or self._meta("author")

    def published_at(self) -> tuple[datetime | None, str | None]:
        """The publication time and the markup it came from; machine-readable wins."""
        candidates = (
            ("time[datetime]", self.article.css("time.entry-date.published::attr(datetime)")),
            (
                "time[datetime]",
                self.article.xpath(
                    ".//time[contains(@class,'entry-date')"
                    " and not(contains(@class,'updated'))]/@datetime"
                ),
            ),
            ("meta", self.selector.xpath("//meta[@property='article:published_time']/@content")),
        )
        for source, found in candidates:
            value = parse_iso(found.get(), self.tz)
            if value is not None:
                return value, source
        date_block = self.article.css(self._css("date_text"))[:1]
        if date_block:
            # Prefer the published time element's text; the whole block may also hold "updated".
            text = _text(date_block.css("time.published")) or _text(date_block)
            value = parse_date(text, self.tz)
            if value is not None:
                return value, "text"
        return None, None

    def modified_at(self) -> datetime | None:
        for found in (
            self.selector.xpath("//meta[@property='article:modified_time']/@content"),
            self.article.css("time.updated::attr(datetime)"),
        ):
            value = parse_iso(found.get(), self.tz)
            if value is not None:
                return value
        return None

    def _terms(self, xpath: str) -> list[str]:
        names: list[str] = []
        for link in self.article.xpath(xpath):
            name = _text(link)
            if name and name not in names:
                names.append(name)
        return names

    def categories(self) -> list[str]:
        return self._terms(".//a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]")

    def tags(self) -> list[str]:
        return self._terms(
            ".//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')"
            " and not(contains(concat(' ', normalize-space(@rel), ' '), ' category '))]"
        )

    def body_html(self) -> str | None:
        found = self.article.css(self._css("content"))[:1]
        if not found:
            return None
        root = copy.deepcopy(found[0].root)
        for css in (*BOILERPLATE, *self.profile.boilerplate):
            for element in Selector(root=root).css(css):
                element.root.drop_tree()
        return lxml.html.tostring(root, encoding="unicode")

    def extract(self) -> ExtractedPost:
        published_at, date_source = self.published_at()
        return ExtractedPost(
            url=self.canonical_url(),
            post_id=self.post_id(),
            title=self.title(),
            author=self.author(),
            published_at=published_at,
            modified_at=self.modified_at(),
            categories=self.categories(),
            tags=self.tags(),
            body_html=self.body_html(),
            date_source=date_source,
        )


def _text(selection) -> str:
    return " ".join(" ".join(selection.xpath(".//text()").getall()).split())
