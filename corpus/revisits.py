"""What revisits read and write in the corpus: live posts by last verification, and stamps.

The policy that chooses among them is the crawl's (crawler/revisit.py); the SQL is here, so
the crawler reaches the corpus only through its handle (corpus/handle.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, or_, select, update

from corpus.db import with_retries
from corpus.models import CrawlRun, Post

CHUNK = 500  # URLs or IDs per UPDATE


@dataclass(frozen=True)
class Candidate:
    """A live known post, with when it was published and last verified."""

    url: str
    published_at: datetime
    verified_at: datetime


def candidates(engine: Engine, site: str) -> list[Candidate]:
    """The site's live posts; one never verified counts as verified when first stored."""
    with engine.connect() as db:
        rows = db.execute(
            select(
                Post.url,
                Post.published_at,
                func.coalesce(Post.verified_at, Post.first_seen_at).label("verified"),
            ).where(Post.site == site, Post.gone_at.is_(None))
        ).all()
    return [Candidate(row.url, row.published_at, _aware(row.verified)) for row in rows]


def _aware(value: datetime | str) -> datetime:
    """coalesce() loses the column type on SQLite: parse and mark UTC as the models do."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def record_verified(
    engine: Engine,
    site: str,
    run_id: int | None,
    urls: Iterable[str],
    post_ids: Iterable[int],
    when: datetime,
) -> tuple[int, datetime | None]:
    """Stamp the posts verified this run; returns (posts stamped, oldest verification left).

    The run row gets both (``posts_verified`` added, for a distributed run's workers share
    it; ``verified_oldest_at``), which ``laocorpus runs`` and the card read.
    """
    urls, post_ids = sorted(set(urls)), sorted(set(post_ids))

    def transaction() -> tuple[int, datetime | None]:
        stamped = 0
        with engine.begin() as db:
            for column, keys in ((Post.url, urls), (Post.post_id, post_ids)):
                for start in range(0, len(keys), CHUNK):
                    stamped += db.execute(
                        update(Post)
                        .where(Post.site == site, column.in_(keys[start : start + CHUNK]))
                        .where(or_(Post.verified_at.is_(None), Post.verified_at < when))
                        .values(verified_at=when)
                    ).rowcount
            oldest = db.execute(
                select(func.min(func.coalesce(Post.verified_at, Post.first_seen_at))).where(
                    Post.site == site, Post.gone_at.is_(None)
                )
            ).scalar()
            oldest = _aware(oldest) if oldest is not None else None
            if run_id is not None:
                db.execute(
                    update(CrawlRun)
                    .where(CrawlRun.id == run_id)
                    .values(
                        posts_verified=CrawlRun.posts_verified + stamped,
                        verified_oldest_at=oldest,
                    )
                )
        return stamped, oldest

    return with_retries(transaction, what="recording verified posts")
