"""What a correct crawl of the sample site must produce, as JSON.

Why: end-to-end tests compare the crawler's corpus with this record post by post, and with
the traps (rejects, reposts, near-duplicate reposts, boilerplate shared by unrelated posts,
transient failures, robots rules) the crawl and the corpus tools must handle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from testing.samplesite.content import (
    AUTHORS,
    CATEGORIES,
    CATEGORY_BY_SLUG,
    DISALLOWED_PREFIXES,
    TAG_BY_SLUG,
    TAGS,
    SampleSite,
)
from testing.samplesite.lexicon import BOILERPLATE


def ground_truth(site: SampleSite) -> dict[str, Any]:
    """The expected corpus and traps for `site` (independent of the server's base URL)."""
    posts: list[dict[str, Any]] = []
    for post in site.posts:
        if post.id == site.dateless_id:
            continue
        posts.append(
            {
                "post_id": post.id,
                "path": post.path,
                "title": post.title,
                "author": post.author,
                "authors": [post.author] if post.author else [],
                "published_at": post.published.isoformat(),
                "modified_at": post.modified.isoformat() if post.modified else None,
                "categories": [CATEGORY_BY_SLUG[s].name for s in post.categories],
                "tags": [TAG_BY_SLUG[s].name for s in post.tags],
                "text": site.text(post),
                "language": "lo",
                "duplicate_of_path": f"/{post.repost_of}/" if post.repost_of else None,
            }
        )
    return {
        "site": "lsr",
        "seed": site.seed,
        "post_count": site.post_count,
        "posts": posts,
        "rejects": [
            {"path": f"/{site.dateless_id}/", "reason": "missing published_at"},
            {"path": f"/{site.dead_id}/", "reason": "HTTP 404"},
        ],
        "transient": dict(site.transient),
        "disallowed_prefixes": list(DISALLOWED_PREFIXES),
        "reposts": [{"path": f"/{site.repost_id}/", "original_path": f"/{site.original_id}/"}],
        # What this epoch changed since epoch 1 (empty in epoch 1).
        "epoch": site.epoch,
        "added_paths": [f"/{i}/" for i in site.added_ids],
        "edited_paths": [f"/{i}/" for i in site.edited_ids],
        "removed_paths": [f"/{i}/" for i in site.removed_ids],
        "near_duplicates": [
            {"path": f"/{copy}/", "original_path": f"/{source}/", "edit": edit}
            for copy, source, edit in site.near_duplicates
        ],
        "boilerplate": [
            {
                "paths": [f"/{post_id}/" for post_id in members],
                "opening": BOILERPLATE[frame][0],
                "closing": BOILERPLATE[frame][1],
            }
            for frame, members in site.boilerplate
        ],
        "dirty_paths": [p.path for p in site.posts if p.dirty],
        "categories": {c.slug: c.name for c in CATEGORIES},
        "tags": {t.slug: t.name for t in TAGS},
        "authors": [a.login for a in AUTHORS],
    }


def write_ground_truth(site: SampleSite, path: str | Path) -> None:
    """Write ground_truth(site) as UTF-8 JSON (ensure_ascii=False, indent=1)."""
    data = json.dumps(ground_truth(site), ensure_ascii=False, indent=1)
    Path(path).write_text(data + "\n", encoding="utf-8")
