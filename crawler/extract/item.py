"""What the crawl makes of one post page: the ``Post`` item, cleaned and validated.

One function builds the item for the spider, ``laocorpus extract``, the page fixtures and the
real-page benchmark, so what a maintainer inspects is what the crawl stores.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter

from crawler.extract.wordpress import ExtractedPost, WordPressPostPage, canonicalize_url
from crawler.items import Post, Reject
from crawler.sites import SiteProfile, generic_profile, registry
from schema import EXPORT_FIELDS

PROTECTED = "password-protected"


def post_fields(found: ExtractedPost) -> dict[str, Any]:
    """The ``Post`` fields a post page gives (the spider adds site, status and fetched URL)."""
    return {
        "url": found.url,
        "post_id": found.post_id,
        "title": found.title,
        "author": found.authors[0] if found.authors else found.author,
        "authors": list(found.authors),
        "published_at": found.published_at,
        "modified_at": found.modified_at,
        "categories": found.categories,
        "tags": found.tags,
        "body_html": found.body_html,
        "date_source": found.date_source,
    }


def profile_for(url: str) -> SiteProfile:
    """The registered profile of the URL's host, else the generic one."""
    host = (url.split("//", 1)[-1].split("/", 1)[0]).lower()
    for profile in registry().values():
        if profile.host.lower() == host:
            return profile
    return generic_profile(url)


class _Tally(Counter):
    """The stats interface the validate pipeline counts into, outside a crawl."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count


def stored_item(
    html: str,
    url: str,
    profile: SiteProfile | None = None,
    timezone: str | None = None,
    fields: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The post as the crawl would store it, export-shaped (times in ISO 8601).

    The clean and validate pipelines run as in a crawl; ``rejected`` holds the reason when
    the crawl would reject the page instead of storing it. Fields only the corpus can know
    (duplicates, first/last seen) are ``None``.
    """
    profile = profile or profile_for(url)
    found = WordPressPostPage(html, url, profile, timezone=timezone).extract()
    values = post_fields(found)
    post = Post(
        site=profile.name,
        language=profile.language,
        fetched_url=url,
        http_status=200,
        **{**values, "url": canonicalize_url(values["url"] or url)},
    )
    return finished_item(post, fields, rejected=PROTECTED if found.protected else None)


def finished_item(
    post: Post, fields: tuple[str, ...] | None = None, rejected: str | None = None
) -> dict[str, Any]:
    """A spider's ``Post`` after the clean and validate pipelines, export-shaped: the last
    half of ``stored_item``, for callers (page fixtures) that ran the spider's callbacks."""
    from pipelines.clean import CleanPipeline
    from pipelines.validate import ValidatePipeline
    from text import lao

    CleanPipeline().process_item(post)
    post["content_hash"] = lao.content_hash(post.get("text") or "")
    checked = ValidatePipeline(_Tally()).process_item(post)
    if rejected is None and isinstance(checked, Reject):
        rejected = checked["reason"]
    adapter = ItemAdapter(post)
    names = fields or EXPORT_FIELDS
    record = {name: _plain(adapter.get(name)) for name in names}
    record["rejected"] = rejected
    return record


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
