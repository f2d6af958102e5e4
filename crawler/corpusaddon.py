"""The crawl's corpus handle: opened once per crawler and shared as ``crawler.corpus``.

The add-on (``ADDONS`` in settings) opens it when Scrapy builds the crawler; every component
takes it through ``corpus_of(crawler)`` in its ``from_crawler``. The crawler depends on the
protocol below, not on the corpus's modules: what it needs is known posts, batch writes, the
run record, and a few reads for monitoring.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class CorpusPort(Protocol):
    url: str
    masked_url: str
    sqlite_file: Path | None
    engine: Any
    writer: Any

    def retrying(
        self, function: Callable[..., T], *args: Any, seconds: float = ..., what: str = ...
    ) -> T: ...

    def known_posts(self, site: str) -> list: ...

    def posts_seen_by_earlier_runs(
        self, site: str, mode: str, discovery: str | None, limit: int = ...
    ) -> list[int]: ...

    def field_history(self, site: str, run_id: int | None, limit: int = ...) -> tuple: ...

    def revisit_candidates(self, site: str) -> list: ...

    def record_verified(
        self, site: str, run_id: int | None, urls: Any, post_ids: Any, when: Any
    ) -> tuple: ...

    def update_near_duplicates(self) -> Any: ...


def corpus_of(crawler) -> CorpusPort:
    """The crawler's corpus handle (opened here if the add-on did not run, as in unit tests)."""
    corpus = getattr(crawler, "corpus", None)
    if corpus is None:
        from corpus.handle import Corpus

        corpus = crawler.corpus = Corpus(crawler.settings.get("CORPUS_DATABASE_URL"))
    return corpus


class CorpusAddon:
    """Scrapy add-on: the crawler gets its corpus handle when Scrapy builds it."""

    @classmethod
    def from_crawler(cls, crawler) -> CorpusAddon:
        corpus_of(crawler)
        return cls()

    def update_settings(self, settings) -> None:
        """Nothing to change: the handle reads ``CORPUS_DATABASE_URL`` as it is."""
