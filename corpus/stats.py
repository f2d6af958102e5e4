"""Corpus statistics: the figures `laocorpus stats` prints and the corpus card repeats.

Years are counted in the site's own time zone (Asia/Vientiane), not UTC, so a post published
at 01:00 on New Year's Day in Vientiane counts for the new year.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from corpus.models import CrawlRun, Post, PostTerm, Reject, Term

LOCAL_TZ = ZoneInfo("Asia/Vientiane")


@dataclass
class CorpusStats:
    posts: int = 0
    duplicates: int = 0
    rejects: int = 0
    words: int = 0
    characters: int = 0
    by_year: list[tuple[int, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_author: list[tuple[str, int]] = field(default_factory=list)
    rejects_by_reason: list[tuple[str, int]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unique_posts(self) -> int:
        return self.posts - self.duplicates


def corpus_stats(engine: Engine, site: str | None = None, recent_runs: int = 10) -> CorpusStats:
    def scoped(query, column=Post.site):
        return query.where(column == site) if site else query

    stats = CorpusStats()
    with engine.connect() as db:
        stats.posts = db.execute(scoped(select(func.count(Post.id)))).scalar_one()
        stats.duplicates = db.execute(
            scoped(select(func.count(Post.id)).where(Post.duplicate_of_id.is_not(None)))
        ).scalar_one()
        totals = db.execute(
            scoped(
                select(
                    func.coalesce(func.sum(Post.word_count), 0),
                    func.coalesce(func.sum(Post.char_count), 0),
                )
            )
        ).one()
        stats.words, stats.characters = int(totals[0]), int(totals[1])
        years = Counter(
            published.astimezone(LOCAL_TZ).year
            for (published,) in db.execute(scoped(select(Post.published_at)))
        )
        stats.by_year = sorted(years.items())
        stats.by_category = _ranked(
            db.execute(
                scoped(
                    select(Term.name, func.count(PostTerm.post_id))
                    .join(PostTerm, PostTerm.term_id == Term.id)
                    .where(Term.taxonomy == "category")
                    .group_by(Term.name),
                    Term.site,
                )
            )
        )
        stats.by_author = _ranked(
            db.execute(
                scoped(
                    select(func.coalesce(Post.author, "(none)"), func.count(Post.id)).group_by(
                        Post.author
                    )
                )
            )
        )
        stats.rejects_by_reason = _ranked(
            db.execute(
                scoped(
                    select(Reject.reason, func.count(Reject.id)).group_by(Reject.reason),
                    Reject.site,
                )
            )
        )
        stats.rejects = sum(count for _, count in stats.rejects_by_reason)
        runs = db.execute(
            scoped(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(recent_runs), CrawlRun.site)
        )
        stats.runs = [dict(row._mapping) for row in runs]
    return stats


def _ranked(rows) -> list[tuple[str, int]]:
    return sorted(((str(name), int(count)) for name, count in rows), key=lambda r: (-r[1], r[0]))
