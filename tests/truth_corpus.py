"""A corpus holding exactly the sample site's ground truth, written without crawling.

Why: near-duplicate, export and serve tests need the sample site's posts in a corpus, on both
backends, many times; writing the expected records directly takes milliseconds where a crawl
takes seconds (the end-to-end tests already prove a crawl stores exactly these records).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from corpus.db import init_db
from corpus.writer import CorpusWriter
from text import lao

BASE_URL = "http://lsr.test"


def record(post: dict[str, Any], base_url: str = BASE_URL) -> dict[str, Any]:
    """The item a correct crawl hands the writer for one ground-truth post."""
    modified = post.get("modified_at")
    return {
        "site": "lsr",
        "url": base_url + post["path"],
        "post_id": post["post_id"],
        "title": post["title"],
        "author": post["author"],
        "published_at": datetime.fromisoformat(post["published_at"]),
        "modified_at": datetime.fromisoformat(modified) if modified else None,
        "categories": post["categories"],
        "tags": post["tags"],
        "body_html": None,
        "text": post["text"],
        "language": post["language"],
        "content_hash": lao.content_hash(post["text"]),
        "word_count": lao.word_count(post["text"]),
    }


def write_posts(url: str, posts: Iterable[dict[str, Any]], base_url: str = BASE_URL) -> Engine:
    engine = init_db(url)
    CorpusWriter(engine).write([record(post, base_url) for post in posts])
    return engine


def planted_pairs(truth: dict[str, Any], base_url: str = BASE_URL) -> set[tuple[str, str]]:
    """(near-duplicate URL, original URL) for every planted near-duplicate repost."""
    return {(base_url + n["path"], base_url + n["original_path"]) for n in truth["near_duplicates"]}
