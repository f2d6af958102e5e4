"""Clean pipeline: body HTML to plain text, and every text field to canonical Lao."""

from __future__ import annotations

from typing import Any

import lxml.html
from itemadapter import ItemAdapter

from crawler.items import Post
from text import lao

# Elements whose boundaries are paragraph breaks; everything else is inline.
BLOCK_TAGS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    )
)
SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "iframe"))


def _inline(text: str | None) -> str:
    """Source line breaks are only whitespace in HTML; ``<br>`` makes the real ones."""
    return text.replace("\n", " ").replace("\r", " ") if text else ""


def html_to_text(html: str | None) -> str:
    """Visible text of an HTML fragment, one paragraph per block, blank line between them."""
    if not html or not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        paragraph = lao.normalize("".join(current))
        if paragraph:
            paragraphs.append(paragraph)
        current.clear()

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in SKIP_TAGS:
            current.append(_inline(element.tail))
            return
        block = tag in BLOCK_TAGS
        if block:
            flush()
        if tag == "br":
            current.append("\n")
        elif tag:  # comments and processing instructions carry no visible text
            current.append(_inline(element.text))
        for child in element:
            walk(child)
        if block:
            flush()
        current.append(_inline(element.tail))

    walk(root)
    flush()
    return "\n\n".join(paragraphs)


def strip_nul(value: Any) -> Any:
    """The value without NUL characters: PostgreSQL refuses them in text, lxml in HTML."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    return value


class CleanPipeline:
    """Turns the extracted HTML into the text researchers read, in one canonical Lao form.

    Values of the wrong type are left as they are, for the validate pipeline to reject with
    a reason: cleaning never crashes on what a site sent.
    """

    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if not isinstance(item, Post):
            return item
        if self.stats is not None:  # where the "No post lost" monitor starts counting
            self.stats.inc_value("corpus/pipeline/posts")
        adapter = ItemAdapter(item)
        for key, value in list(adapter.items()):
            adapter[key] = strip_nul(value)
        for field in ("title", "author"):
            value = adapter.get(field)
            if value is None or isinstance(value, str):
                adapter[field] = lao.normalize_inline(value or "") or None
        for field in ("categories", "tags", "authors"):
            value = adapter.get(field)
            if isinstance(value, list | tuple) and all(isinstance(n, str) for n in value):
                names = (lao.normalize_inline(name) for name in value)
                adapter[field] = list(dict.fromkeys(name for name in names if name))
            elif value is None and field != "authors":
                adapter[field] = []
        body = adapter.get("body_html")
        text = html_to_text(body if isinstance(body, str) else None)
        adapter["text"] = text
        adapter["word_count"] = lao.word_count(text)
        if text:
            adapter["language"] = lao.detect_language(text)
        return item
