"""Compare a corpus with a ground truth (the sample site's): every post, every field, rejects.

Used by ``laocorpus demo`` to say whether the crawl got everything right, and by the tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from corpus.models import Reject
from publish.export import comparable_record as stored_record
from publish.export import iter_posts
from schema import COMPARED_FIELDS
from schema import OPTIONAL_COMPARED as OPTIONAL_FIELDS
from text import lao


def expected_record(post: dict[str, Any], base_url: str, site: str) -> dict[str, Any]:
    """What the corpus must hold for one ground-truth post (times compared as instants)."""
    duplicate_of = post.get("duplicate_of_path")
    record = {
        "url": base_url + post["path"],
        "site": site,
        "post_id": post["post_id"],
        "title": post["title"],
        "author": post["author"],
        "published_at": _instant(post["published_at"]),
        "modified_at": _instant(post.get("modified_at")),
        "categories": post["categories"],
        "tags": post["tags"],
        "text": post["text"],
        "language": post["language"],
        "content_hash": lao.content_hash(post["text"]),
        "duplicate_of": base_url + duplicate_of if duplicate_of else None,
        "word_count": lao.word_count(post["text"]),
        "authors": post.get("authors"),
    }
    return {f: record[f] for f in COMPARED_FIELDS if f not in OPTIONAL_FIELDS or f in post}


def differences(
    engine: Engine,
    truth: dict[str, Any],
    base_url: str,
    *,
    site: str | None = None,
    reject_paths: list[str] | None = None,
) -> list[str]:
    """Human-readable differences between the corpus and the ground truth; empty if equal.

    ``site`` is the name the crawl stored (default: the ground truth's); ``reject_paths``
    limits the expected rejects to those a discovery source can meet (a sitemap never links
    the dead URL an archive sidebar does).
    """
    site = site or truth.get("site", "lsr")
    stored = {r["url"]: stored_record(r) for r in iter_posts(engine) if r["site"] == site}
    expected = {
        base_url + post["path"]: expected_record(post, base_url, site) for post in truth["posts"]
    }
    problems = [f"missing post {url}" for url in sorted(expected.keys() - stored.keys())]
    problems += [f"unexpected post {url}" for url in sorted(stored.keys() - expected.keys())]
    for url in sorted(expected.keys() & stored.keys()):
        for field in expected[url]:
            if stored[url][field] != expected[url][field]:
                problems.append(
                    f"{url} {field}: stored {stored[url][field]!r}, "
                    f"expected {expected[url][field]!r}"
                )
    with engine.connect() as db:
        rows = db.execute(select(Reject.url, Reject.reason).where(Reject.site == site)).all()
    rejects = {url: reason for url, reason in rows}
    wanted = {
        base_url + r["path"]: r["reason"]
        for r in truth["rejects"]
        if reject_paths is None or r["path"] in reject_paths
    }
    for url in sorted(wanted.keys() | rejects.keys()):
        if rejects.get(url) != wanted.get(url):
            problems.append(
                f"reject {url}: stored {rejects.get(url)!r}, expected {wanted.get(url)!r}"
            )
    return problems


def _instant(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)
