"""What the corpus already knows of a site: the read-only lookup behind incremental crawls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from corpus.models import Post


@dataclass(frozen=True)
class KnownPost:
    id: int
    post_id: int | None
    url: str
    changed_at: datetime  # last modification, or publication when never edited
    gone: bool


def known_posts(engine: Engine, site: str) -> list[KnownPost]:
    with engine.connect() as db:
        rows = db.execute(
            select(
                Post.id, Post.post_id, Post.url, Post.published_at, Post.modified_at, Post.gone_at
            ).where(Post.site == site)
        ).all()
    return [
        KnownPost(
            id=row.id,
            post_id=row.post_id,
            url=row.url,
            changed_at=row.modified_at or row.published_at,
            gone=row.gone_at is not None,
        )
        for row in rows
    ]
