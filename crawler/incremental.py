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
        # Known posts a listing showed with the same change time as stored: verified exactly
        # (crawler/revisit.py stamps them).
        self.verified_ids: set[int] = set()
        self.verified_urls: set[str] = set()

    def compare_ids(
        self, listed: Iterable[tuple[int | None, datetime | None]]
    ) -> tuple[list[int], list[int]]:
        """(unchanged, to fetch) among listed (ID, changed-at) pairs."""
        listed = [(post_id, changed) for post_id, changed in listed if post_id is not None]
        self.listed_ids.update(post_id for post_id, _ in listed)
        unchanged, to_fetch = self._compare(listed, self.by_id)
        self.verified_ids.update(unchanged)
        return unchanged, to_fetch

    def compare_urls(
        self, listed: Iterable[tuple[str, datetime | None]]
    ) -> tuple[list[str], list[str], list[str]]:
        """(unchanged, to fetch, undated) among listed (URL, last-modified) pairs.

        Undated: known posts listed without a time (WordPress core sitemaps). Nothing says
        whether they changed, so they are left to the revisit policy, not all fetched again.
        """
        listed = list(listed)
        self.listed_urls.update(url for url, _ in listed)
        undated = [url for url, changed in listed if changed is None and self.is_live(url)]
        no_time = set(undated)
        dated = [(url, changed) for url, changed in listed if url not in no_time]
        unchanged, to_fetch = self._compare(dated, self.by_url)
        self.verified_urls.update(unchanged)
        return unchanged, to_fetch, undated

    def is_live(self, url: str) -> bool:
        """A known post not marked gone (``url`` canonical)."""
        known = self.by_url.get(url)
        return known is not None and not known.gone

    @staticmethod
    def _compare(listed, known_by: dict) -> tuple[list, list]:
        """A listed post is unchanged when known, not gone, and changed at the same second."""
        unchanged, to_fetch = [], []
        for key, changed in listed:
            known = known_by.get(key)
            if known and not known.gone and changed is not None and known.changed_at == changed:
                unchanged.append(key)
            else:
                to_fetch.append(key)
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
