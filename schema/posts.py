"""The post's fields: one declaration each, and the lists every layer derives from them."""

from __future__ import annotations

from dataclasses import dataclass

UTC_TIME = "timestamp[us, UTC]"
NAMES = "list<string>"


@dataclass(frozen=True)
class PostField:
    """One field of a post and where it goes.

    ``item``: the crawl's ``Post`` item carries it; ``hashed``: part of the record hash, so a
    re-crawl that finds it changed updates the post; ``parquet``: its export type (None: not
    exported); ``compared``: checked against a ground truth (sample site, real WordPress);
    ``optional_compared``: only when the ground truth gives it (older truths lack it);
    ``stored``: where the corpus keeps it: ``column`` (a ``posts`` column of that name),
    ``terms`` (the ``terms`` table), ``link`` (a reference to another post), or ``no`` (an
    audit field of the crawl, logged, never stored).
    """

    name: str
    description: str
    parquet: str | None = None
    item: bool = True
    hashed: bool = False
    compared: bool = False
    optional_compared: bool = False
    stored: str = "column"


POST_FIELDS: tuple[PostField, ...] = (
    PostField("url", "canonical URL of the post", "string", hashed=True, compared=True),
    PostField("site", "site profile name, e.g. lsr", "string", compared=True),
    PostField(
        "post_id", "WordPress post ID (null when unknown)", "int64", hashed=True, compared=True
    ),
    PostField("title", "clean title", "string", hashed=True, compared=True),
    PostField(
        "author",
        "first author as the site shows it (null when absent)",
        "string",
        hashed=True,
        compared=True,
    ),
    PostField(
        "authors",
        "every author, page order (empty when absent)",
        NAMES,
        compared=True,
        optional_compared=True,
    ),
    PostField("published_at", "publication time", UTC_TIME, hashed=True, compared=True),
    PostField(
        "modified_at",
        "last modification time, null when never edited",
        UTC_TIME,
        hashed=True,
        compared=True,
    ),
    PostField(
        "categories",
        "category names, page order",
        NAMES,
        hashed=True,
        compared=True,
        stored="terms",
    ),
    PostField("tags", "tag names, page order", NAMES, hashed=True, compared=True, stored="terms"),
    PostField("body_html", "the entry content, boilerplate removed (stored, not exported)"),
    PostField(
        "text",
        "clean Lao text, paragraphs separated by a blank line",
        "string",
        hashed=True,
        compared=True,
    ),
    PostField("language", "ISO 639-1 code by script (lo)", "string", hashed=True, compared=True),
    PostField("content_hash", "SHA-256 of text", "string", compared=True),
    PostField(
        "duplicate_of",
        "URL of the earliest post with the same text (exact repost)",
        "string",
        item=False,
        compared=True,
        stored="link",
    ),
    PostField(
        "near_duplicate_of",
        "URL of the earliest post of its near-duplicate cluster",
        "string",
        item=False,
        stored="link",
    ),
    PostField(
        "near_duplicate_similarity",
        "Jaccard similarity with that post (0-1)",
        "double",
        item=False,
        stored="link",
    ),
    PostField(
        "word_count",
        "words by ICU's Lao word segmentation (Latin words, numbers too)",
        "int32",
        compared=True,
    ),
    PostField("first_seen_at", "when the crawler first saw the post", UTC_TIME, item=False),
    PostField("last_seen_at", "when the crawler last saw the post", UTC_TIME, item=False),
    PostField(
        "gone_at",
        "when the crawler found the post deleted on the site (404/410); null while it is live",
        UTC_TIME,
        item=False,
    ),
    PostField("fetched_url", "the URL the page was fetched from (audit)", stored="no"),
    PostField("http_status", "the page's HTTP status (audit)", stored="no"),
    PostField("date_source", "which markup gave published_at (audit)", stored="no"),
)

ITEM_FIELDS = tuple(f.name for f in POST_FIELDS if f.item)
RECORD_FIELDS = tuple(f.name for f in POST_FIELDS if f.hashed)
EXPORT_FIELDS = tuple(f.name for f in POST_FIELDS if f.parquet)
FIELD_SCHEMA: dict[str, tuple[str, str]] = {
    f.name: (f.parquet, f.description) for f in POST_FIELDS if f.parquet
}
COLUMNS = tuple(f.name for f in POST_FIELDS if f.stored == "column")
COMPARED_FIELDS = tuple(f.name for f in POST_FIELDS if f.compared)
OPTIONAL_COMPARED = tuple(f.name for f in POST_FIELDS if f.optional_compared)
