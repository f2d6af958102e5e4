"""JSON-LD article metadata (schema.org ``Article``/``NewsArticle``, Yoast's ``@graph``).

Themes and SEO plugins disagree on markup but agree on schema.org, so when a page carries
JSON-LD it is the most reliable source for the title, dates, author and sections.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle"}
)


@dataclass
class ArticleMetadata:
    headline: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    author: str | None = None
    sections: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


def _nodes(selector: Selector) -> list[dict[str, Any]]:
    """Every JSON object in the page's ld+json scripts, ``@graph`` members flattened."""
    found: list[dict[str, Any]] = []
    for raw in selector.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(raw)
        except ValueError as exc:
            logger.debug("unreadable JSON-LD: %s", exc)
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            node = stack.pop(0)
            if not isinstance(node, dict):
                continue
            found.append(node)
            graph = node.get("@graph")
            if isinstance(graph, list):
                stack.extend(graph)
    return found


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    return set(value) if isinstance(value, list) else {value} if isinstance(value, str) else set()


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str) and item.strip()]
    return []


def article_metadata(selector: Selector) -> ArticleMetadata:
    """The first Article-like node, with ``@id`` author references resolved."""
    nodes = _nodes(selector)
    article = next((n for n in nodes if _types(n) & ARTICLE_TYPES), None)
    if article is None:
        return ArticleMetadata()
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    author = article.get("author")
    if isinstance(author, list):
        author = author[0] if author else None
    if isinstance(author, dict):
        author = author.get("name") or by_id.get(author.get("@id", ""), {}).get("name")
    headline = article.get("headline")
    return ArticleMetadata(
        headline=headline if isinstance(headline, str) else None,
        date_published=_string(article.get("datePublished")),
        date_modified=_string(article.get("dateModified")),
        author=author if isinstance(author, str) else None,
        sections=_names(article.get("articleSection")),
        keywords=_names(article.get("keywords")),
    )


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None
