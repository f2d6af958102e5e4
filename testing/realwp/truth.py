"""WordPress's own ground truth of a test site, as ``truth.php`` prints it, with text.

The body text is the rendered ``the_content`` of each page turned into what a reader sees:
one line per block (paragraph, heading, list item, table cell, caption). It is written here,
independently of the crawler's cleaning, so a test compares the crawl with WordPress and not
with another copy of the crawler's own code.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import lxml.html

# Elements that start a new line for a reader; all others flow inline.
_BLOCKS = {
    "p", "div", "figure", "figcaption", "li", "ul", "ol", "table", "tr", "td", "th", "thead",
    "tbody", "tfoot", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
    "section", "article", "header", "footer", "aside", "dl", "dt", "dd", "address", "details",
    "summary",
}  # fmt: skip
_INVISIBLE = {"script", "style", "noscript", "template"}


def collapse(text: str) -> str:
    """NFC, one space for every whitespace run: the form texts are compared in."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def reader_text(html: str) -> str:
    """The visible text of rendered post HTML, one block per line."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.tag in _INVISIBLE:
            element.drop_tree()  # comments (block delimiters), scripts: nothing a reader sees
        elif element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCKS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return unicodedata.normalize("NFC", "\n".join(line for line in lines if line))


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class TruthPost:
    """A post a visitor can read, as WordPress states it."""

    id: int
    key: str
    url: str
    title: str
    author: str
    published: datetime
    modified: datetime | None
    categories: list[str]
    tags: list[str]
    pages: list[str]  # reader text of each page of a multi-page post
    sticky: bool
    comments: int

    @property
    def text(self) -> str:
        return "\n".join(page for page in self.pages if page)


@dataclass(frozen=True)
class AbsentPost:
    """Something WordPress holds that must never be stored (draft, private, page...)."""

    id: int
    key: str
    reason: str  # page | private | draft | future | pending | password
    title: str
    urls: list[str]


@dataclass(frozen=True)
class GroundTruth:
    home: str
    theme: str
    permalink_structure: str
    timezone: str
    posts: list[TruthPost]
    absent: list[AbsentPost] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: str) -> GroundTruth:
        data: dict[str, Any] = json.loads(raw)
        posts = [
            TruthPost(
                id=p["id"],
                key=p["key"],
                url=p["url"],
                title=collapse(p["title"]),
                author=collapse(p["author"]),
                published=_instant(p["published_gmt"]),  # type: ignore[arg-type]
                modified=_instant(p["modified_gmt"]),
                categories=[collapse(name) for name in p["categories"]],
                tags=[collapse(name) for name in p["tags"]],
                pages=[reader_text(html) for html in p["pages_html"]],
                sticky=p["sticky"],
                comments=p["comments"],
            )
            for p in data["posts"]
        ]
        absent = [
            AbsentPost(a["id"], a["key"], a["reason"], collapse(a["title"]), a["urls"])
            for a in data["absent"]
        ]
        return cls(
            data["home"], data["theme"], data["permalink_structure"], data["timezone"],
            posts, absent,
        )  # fmt: skip

    def by_key(self, key: str) -> TruthPost:
        return next(post for post in self.posts if post.key == key)
