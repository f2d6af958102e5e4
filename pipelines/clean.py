"""Clean pipeline: body HTML to plain text, and every text field to canonical Lao."""

from __future__ import annotations

import lxml.html
from itemadapter import ItemAdapter

from corpus import lao
from crawler.items import Post

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


class CleanPipeline:
    """Turns the extracted HTML into the text researchers read, in one canonical Lao form."""

    def process_item(self, item):
        if not isinstance(item, Post):
            return item
        adapter = ItemAdapter(item)
        for field in ("title", "author"):
            adapter[field] = lao.normalize_inline(adapter.get(field) or "") or None
        for field in ("categories", "tags"):
            names = (lao.normalize_inline(name) for name in adapter.get(field) or ())
            adapter[field] = list(dict.fromkeys(name for name in names if name))
        text = html_to_text(adapter.get("body_html"))
        adapter["text"] = text
        adapter["word_count"] = lao.word_count(text)
        if text:
            adapter["language"] = lao.detect_language(text)
        return item
