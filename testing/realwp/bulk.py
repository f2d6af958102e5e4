"""Many plain posts on a real test site, fast: for revisit tests and the 1,000-post benchmark.

Why a second fill: ``fill.php`` inserts 40 posts with every feature the extractor must get
right, a few at a time; a revisit test needs hundreds of ordinary posts dated relative to
*now* (some inside the recent window, most older), made in seconds by ``bulkfill.php``.
The server counts requests for us: PHP's built-in server logs one line per request.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from testing.realwp.content import LaoText
from testing.realwp.site import PHP_DIR, WordPressSite

SITE_TIMEZONE = ZoneInfo("Asia/Vientiane")  # content.site_spec's timezone


@dataclass(frozen=True)
class BulkPost:
    id: int
    link: str
    published: datetime  # aware


def bulk_spec(count: int, spacing: timedelta, seed: int = 7) -> list[dict]:
    """``count`` posts, the newest an hour old, each ``spacing`` older than the one before;
    another ``seed`` gives other titles and texts (a second batch is not a repost)."""
    rng = random.Random(seed)
    text = LaoText(rng)
    newest = datetime.now(SITE_TIMEZONE).replace(microsecond=0) - timedelta(hours=1)
    posts = []
    for number in range(count):
        paragraphs = (f"<p>{escape(text.paragraph(), quote=False)}</p>" for _ in range(3))
        posts.append(
            {
                "title": f"{text.title()} #{seed}-{number}",
                "content": "\n\n".join(paragraphs),
                "date": (newest - spacing * number).strftime("%Y-%m-%d %H:%M:%S"),
            }
        )
    return posts


def add_posts(site: WordPressSite, count: int, spacing: timedelta, seed: int = 7) -> list[BulkPost]:
    """Insert the posts of :func:`bulk_spec` into ``site``; newest first."""
    spec = bulk_spec(count, spacing, seed)
    path = site.workdir / "bulk.json"
    path.write_text(json.dumps({"posts": spec}, ensure_ascii=False), encoding="utf-8")
    made = json.loads(site.php("bulkfill.php", str(path), timeout=600))
    return [
        BulkPost(
            made_post["id"],
            made_post["link"],
            datetime.strptime(post["date"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SITE_TIMEZONE),
        )
        for made_post, post in zip(made, spec, strict=True)
    ]


def edit_post(site: WordPressSite, post_id: int, title: str) -> dict:
    """Retitle a post through WordPress (its modified time becomes now)."""
    return json.loads(site.php("edit.php", str(post_id), title))


def log_requests(site: WordPressSite) -> None:
    """From now on, WordPress logs every request it answers (php/request-log.php)."""
    plugin = site.docroot / "wp-content" / "mu-plugins" / "request-log.php"
    if not plugin.exists():
        plugin.symlink_to(PHP_DIR / "request-log.php")


def requests_served(site: WordPressSite) -> list[str]:
    """Every request answered since :func:`log_requests`: "STATUS METHOD URI" lines."""
    path = site.docroot / "wp-content" / "requests.log"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []
