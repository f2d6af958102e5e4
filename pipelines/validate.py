"""Validate pipeline: a post without title, date or text becomes a reject, never a silent drop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import regex
from itemadapter import ItemAdapter

from crawler.items import Post, Reject

# U+FFFD, UTF-8 Lao read as latin-1/cp1252 ("àº"), or read as windows-874 (Thai "เบ" pairs):
# never store that as Lao.
_MOJIBAKE = regex.compile(
    "\ufffd|[\u00c0-\u00ef][\u0080-\u00bf\u2018-\u203a]|(?:\u0e40[\u0e1a\u0e1b].){3}"
)

REQUIRED = (
    ("title", "missing title"),
    ("published_at", "missing published_at"),
    ("text", "missing text"),
)


def rejection_reason(adapter: ItemAdapter) -> str | None:
    """The first rule the post breaks, as the one-line reason stored with the reject."""
    for field, reason in REQUIRED:
        if not adapter.get(field):
            return reason
    if _MOJIBAKE.search(adapter["text"]) or _MOJIBAKE.search(adapter["title"]):
        return "undecodable text (wrong encoding)"
    published = adapter["published_at"]
    if not isinstance(published, datetime) or published.tzinfo is None:
        return "published_at is not a timezone-aware datetime"
    return None


class ValidatePipeline:
    def __init__(self, stats) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if not isinstance(item, Post):
            return item
        adapter = ItemAdapter(item)
        self.stats.inc_value("corpus/extracted")  # field coverage, read by the monitors
        for field, _ in REQUIRED:
            if adapter.get(field):
                self.stats.inc_value(f"corpus/extracted/{field}")
        reason = rejection_reason(adapter)
        if reason is None:
            return item
        self.stats.inc_value(f"corpus/rejected/{reason}")
        return Reject(
            site=adapter.get("site"),
            url=adapter.get("url") or adapter.get("fetched_url"),
            stage="validate",
            reason=reason,
            http_status=adapter.get("http_status"),
            raw=_raw_fields(adapter),
        )


def _raw_fields(adapter: ItemAdapter) -> dict[str, Any]:
    """What was extracted, so a reject can be inspected (and re-validated) without a re-fetch."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in adapter.items()
        if key != "body_html"
    }
