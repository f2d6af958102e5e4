"""The corpus as a crawl sees it: one handle, opened once per crawl, holding the engine.

Why one handle: the spider, the store pipeline, the monitors and the run extensions all need
the corpus, and each used to work out the database URL and open it on its own. The crawler
reaches it as ``crawler.corpus`` (``crawler/corpusaddon.py``, the add-on in ``ADDONS``) and
depends only on the methods below; every SQL statement the crawl needs lives here or in the
modules it calls (``writer``, ``known``, ``sharedrun``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select

from corpus import revisits
from corpus.db import init_db, mask_url, resolve_url, sqlite_file, with_retries
from corpus.known import KnownPost, known_posts
from corpus.models import CrawlRun, Post, Term
from corpus.revisits import Candidate
from corpus.writer import CorpusWriter

T = TypeVar("T")


class Corpus:
    """A corpus by URL (``CORPUS_DATABASE_URL``; None: the default SQLite file)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)

    @property
    def masked_url(self) -> str:
        """The URL for logs and summaries: never a password."""
        return mask_url(self.url)

    @property
    def sqlite_file(self) -> Path | None:
        return sqlite_file(self.url)

    @cached_property
    def engine(self) -> Engine:
        """Opened on first use: the schema is created, or checked against this code's."""
        return init_db(self.url)

    @cached_property
    def writer(self) -> CorpusWriter:
        return CorpusWriter(self.engine)

    def retrying(self, function: Callable[..., T], *args: Any, seconds: float = 120.0,
                 what: str = "write") -> T:  # fmt: skip
        """``function(*args)``, one transaction, repeated while the database is away."""
        return with_retries(function, *args, seconds=seconds, what=what)

    # -- reads the crawl makes ---------------------------------------------------------------

    def known_posts(self, site: str) -> list[KnownPost]:
        return known_posts(self.engine, site)

    def posts_seen_by_earlier_runs(
        self, site: str, mode: str, discovery: str | None, limit: int = 3
    ) -> list[int]:
        """Posts new, updated or unchanged in each of the site's last finished runs of a kind."""
        with self.engine.connect() as db:
            seen = CrawlRun.posts_new + CrawlRun.posts_updated + CrawlRun.posts_unchanged
            return list(
                db.execute(
                    select(seen)
                    .where(
                        CrawlRun.site == site,
                        CrawlRun.status == "finished",
                        CrawlRun.mode == mode,
                        CrawlRun.discovery == discovery,
                    )
                    .order_by(CrawlRun.id.desc())
                    .limit(limit)
                ).scalars()
            )

    def field_history(
        self, site: str, run_id: int | None, limit: int = 3
    ) -> tuple[list[dict], set[str]]:
        """Field sources of the site's last finished runs (not ``run_id``), and which name
        fields (author, categories) its corpus already holds."""
        with self.engine.connect() as db:
            runs = db.execute(
                select(CrawlRun.field_sources)
                .where(
                    CrawlRun.site == site,
                    CrawlRun.status == "finished",
                    CrawlRun.field_sources.is_not(None),
                    CrawlRun.id != run_id,
                )
                .order_by(CrawlRun.id.desc())
                .limit(limit)
            ).scalars()
            earlier = [run for run in runs if isinstance(run, dict)]
            held = set()
            if db.execute(
                select(Post.id).where(Post.site == site, Post.author.is_not(None)).limit(1)
            ).first():
                held.add("author")
            if db.execute(
                select(Term.id).where(Term.site == site, Term.taxonomy == "category").limit(1)
            ).first():
                held.add("categories")
        return earlier, held

    def revisit_candidates(self, site: str) -> list[Candidate]:
        """The site's live posts with when each was published and last verified."""
        return revisits.candidates(self.engine, site)

    def record_verified(
        self,
        site: str,
        run_id: int | None,
        urls: Iterable[str],
        post_ids: Iterable[int],
        when: datetime,
    ) -> tuple[int, datetime | None]:
        """Stamp the posts a run verified; (posts stamped, oldest verification left)."""
        return revisits.record_verified(self.engine, site, run_id, urls, post_ids, when)

    # -- after a crawl -----------------------------------------------------------------------

    def update_near_duplicates(self) -> Any:
        """Near-duplicates of the posts not yet compared (needs the ``analysis`` extra)."""
        from analysis import neardup

        return neardup.update(self.engine)
