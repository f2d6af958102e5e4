"""The corpus's knowledge of a site, as an incremental crawl compares listings with it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from corpus.known import KnownPost
from crawler.extract.wordpress import canonicalize_url


class Known:
    """Known posts by WordPress ID and by URL, and what the current listing has shown."""

    def __init__(self, posts: list[KnownPost]) -> None:
        self.posts = posts
        self.by_id = {p.post_id: p for p in posts if p.post_id is not None}
        self.by_url = {p.url: p for p in posts}
        self.listed_ids: set[int] = set()
        self.listed_urls: set[str] = set()
        self.listing_pages_left = 0
        self.listing_failed = False

    def compare_ids(
        self, listed: Iterable[tuple[int | None, datetime | None]]
    ) -> tuple[list[int], list[int]]:
        """(unchanged, to fetch) among listed (ID, changed-at) pairs."""
        unchanged, to_fetch = [], []
        for post_id, changed in listed:
            if post_id is None:
                continue
            self.listed_ids.add(post_id)
            known = self.by_id.get(post_id)
            if known and not known.gone and changed is not None and known.changed_at == changed:
                unchanged.append(post_id)
            else:
                to_fetch.append(post_id)
        return unchanged, to_fetch

    def compare_urls(
        self, listed: Iterable[tuple[str, datetime | None]]
    ) -> tuple[list[str], list[str]]:
        """(unchanged, to fetch) among listed (URL, last-modified) pairs."""
        unchanged, to_fetch = [], []
        for url, changed in listed:
            self.listed_urls.add(url)
            known = self.by_url.get(url)
            if known and not known.gone and changed is not None and known.changed_at == changed:
                unchanged.append(url)
            else:
                to_fetch.append(url)
        return unchanged, to_fetch

    def any_unknown(self, urls: Iterable[str]) -> bool:
        return any(canonicalize_url(url) not in self.by_url for url in urls)

    def unlisted_urls(self) -> list[str]:
        """Known, not-gone posts the complete listing did not show: removed, or moved."""
        return [
            p.url
            for p in self.posts
            if not p.gone
            and (p.post_id is None or p.post_id not in self.listed_ids)
            and p.url not in self.listed_urls
        ]
