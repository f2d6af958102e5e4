"""JSON-LD article metadata (schema.org ``Article``/``NewsArticle``, Yoast's ``@graph``).

Themes and SEO plugins disagree on markup but agree on schema.org, so when a page carries
JSON-LD it is one of the most reliable sources for the title, dates, authors and sections.
Strings are HTML-decoded: SEO plugins often escape twice (``&amp;`` inside the JSON).
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "LiveBlogPosting",
        "SatiricalArticle",
        "Report",
        "TechArticle",
    }
)


@dataclass
class ArticleMetadata:
    headline: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    authors: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    article_id: str | None = None  # the node's @id, e.g. "https://site/post/#article"

    @property
    def author(self) -> str | None:
        return self.authors[0] if self.authors else None


_SCRIPTS = etree.XPath("//script[@type='application/ld+json']/text()", smart_strings=False)


def _nodes(root) -> list[dict[str, Any]]:
    """Every JSON object in the page's ld+json scripts, ``@graph`` members flattened."""
    found: list[dict[str, Any]] = []
    for raw in _SCRIPTS(root):
        try:
            data = json.loads(raw, strict=False)  # control characters in strings are common
        except ValueError as exc:
            logger.debug("unreadable JSON-LD: %s", exc)
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
                continue
            if not isinstance(node, dict):
                continue
            found.append(node)
            graph = node.get("@graph")
            if isinstance(graph, list):
                stack.extend(graph)
    return found


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return {value} if isinstance(value, str) else set()


def clean(value: Any) -> str | None:
    """A JSON-LD string as text: entities decoded, whitespace collapsed."""
    if not isinstance(value, str):
        return None
    text = " ".join(html.unescape(html.unescape(value)).split())
    return text or None


def _names(value: Any) -> list[str]:
    """Sections and keywords: a list, or one comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    names = (clean(item) for item in value)
    return list(dict.fromkeys(name for name in names if name))


def _people(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """Author names from a string, a Person, an ``@id`` reference or a list of those."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            ref = item.get("@id")
            name = item.get("name")
            if name is None and isinstance(ref, str):
                name = by_id.get(ref, {}).get("name")
            item = name
        name = clean(item)
        if name and name not in names:
            names.append(name)
    return names


def article_metadata(root) -> ArticleMetadata:
    """The first Article-like node of the page whose tree (or parsel selector) is ``root``,
    with ``@id`` author references resolved."""
    try:
        nodes = _nodes(getattr(root, "root", root))
    except (TypeError, ValueError):
        return ArticleMetadata()
    article = next((n for n in nodes if _types(n) & ARTICLE_TYPES), None)
    if article is None:
        return ArticleMetadata()
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    return ArticleMetadata(
        headline=clean(article.get("headline")) or clean(article.get("name")),
        date_published=_string(article.get("datePublished")),
        date_modified=_string(article.get("dateModified")),
        authors=_people(article.get("author"), by_id),
        sections=_names(article.get("articleSection")),
        keywords=_names(article.get("keywords")),
        article_id=_string(article.get("@id")),
    )


def _string(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
