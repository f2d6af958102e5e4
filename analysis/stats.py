"""Corpus statistics: the figures `laocorpus stats` prints and the corpus card repeats.

Both read one :class:`CorpusStats`, so the card can never disagree with ``stats``. Years and
months are counted in the site's own time zone (Asia/Vientiane), not UTC, so a post published
at 01:00 on New Year's Day in Vientiane counts for the new year.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, func, select

from corpus.models import CrawlRun, NearDuplicate, Post, PostTerm, Reject, Term
from schema import EXPORT_FIELDS

LOCAL_TZ = ZoneInfo("Asia/Vientiane")


@dataclass
class Source:
    site: str
    hosts: list[str]
    posts: int
    gone: int  # of those posts, deleted on the site since
    crawls: int
    first_crawl: datetime | None
    last_crawl: datetime | None
    # The least recently verified live post's last check (revisits: crawler/revisit.py)
    oldest_verified: datetime | None = None


@dataclass
class CorpusStats:
    posts: int = 0
    duplicates: int = 0  # exact reposts
    near_duplicates: int = 0
    near_duplicate_clusters: int = 0
    deduplicated: int = 0  # posts that are neither: what `export --dedup` writes
    gone: int = 0  # posts deleted on the site after they were crawled (gone_at set)
    rejects: int = 0
    words: int = 0
    characters: int = 0
    first_published: datetime | None = None
    last_published: datetime | None = None
    sources: list[Source] = field(default_factory=list)
    by_year: list[tuple[int, int]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)  # ("2016-11", posts)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_author: list[tuple[str, int]] = field(default_factory=list)
    rejects_by_reason: list[tuple[str, int]] = field(default_factory=list)
    field_coverage: list[tuple[str, int]] = field(default_factory=list)  # posts with a value
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
        stats.gone = db.execute(
            scoped(select(func.count(Post.id)).where(Post.gone_at.is_not(None)))
        ).scalar_one()
        near = scoped(
            select(NearDuplicate.post_id, NearDuplicate.original_id).join(
                Post, Post.id == NearDuplicate.post_id
            )
        )
        near_rows = db.execute(near).all()
        stats.near_duplicates = len(near_rows)
        stats.near_duplicate_clusters = len({original for _, original in near_rows})
        stats.deduplicated = db.execute(
            scoped(
                select(func.count(Post.id))
                .outerjoin(NearDuplicate, NearDuplicate.post_id == Post.id)
                .where(Post.duplicate_of_id.is_(None), NearDuplicate.post_id.is_(None))
            )
        ).scalar_one()
        totals = db.execute(
            scoped(
                select(
                    func.coalesce(func.sum(Post.word_count), 0),
                    func.coalesce(func.sum(Post.char_count), 0),
                    func.min(Post.published_at),
                    func.max(Post.published_at),
                )
            )
        ).one()
        stats.words, stats.characters = int(totals[0]), int(totals[1])
        stats.first_published, stats.last_published = totals[2], totals[3]
        years: Counter[int] = Counter()
        months: Counter[str] = Counter()
        for (published,) in db.execution_options(yield_per=10_000).execute(
            scoped(select(Post.published_at))
        ):
            local = published.astimezone(LOCAL_TZ)
            years[local.year] += 1
            months[f"{local.year:04d}-{local.month:02d}"] += 1
        stats.by_year = sorted(years.items())
        stats.by_month = sorted(months.items())
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
        stats.sources = _sources(db, site)
        stats.field_coverage = _coverage(db, scoped)
        runs = db.execute(
            scoped(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(recent_runs), CrawlRun.site)
        )
        stats.runs = [dict(row._mapping) for row in runs]
    return stats


def local_day(value: datetime | None) -> str:
    """A date as researchers count it: the day in Vientiane, '-' when unknown."""
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d") if value else "-"


def utc_minute(value: datetime | None) -> str:
    """A crawl time: UTC to the minute, '-' when unknown."""
    return value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M") if value else "-"


def _sources(db, site: str | None) -> list[Source]:
    """Each site in the corpus: its hosts, posts, and when it was crawled."""
    posts = dict(db.execute(select(Post.site, func.count(Post.id)).group_by(Post.site)).all())
    gone = dict(
        db.execute(
            select(Post.site, func.count(Post.id))
            .where(Post.gone_at.is_not(None))
            .group_by(Post.site)
        ).all()
    )
    oldest = dict(
        db.execute(
            select(Post.site, func.min(func.coalesce(Post.verified_at, Post.first_seen_at)))
            .where(Post.gone_at.is_(None))
            .group_by(Post.site)
        ).all()
    )
    crawls = {
        row.site: row
        for row in db.execute(
            select(
                CrawlRun.site,
                func.count(CrawlRun.id).label("runs"),
                func.min(CrawlRun.started_at).label("first"),
                func.max(func.coalesce(CrawlRun.finished_at, CrawlRun.started_at)).label("last"),
            ).group_by(CrawlRun.site)
        )
    }
    sources = []
    for name in sorted(posts.keys() | crawls.keys()):
        if site and name != site:
            continue
        sample = db.execute(select(Post.url).where(Post.site == name).limit(1000)).scalars()
        hosts = sorted({f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in sample})
        run = crawls.get(name)
        sources.append(
            Source(
                site=name,
                hosts=hosts,
                posts=posts.get(name, 0),
                gone=gone.get(name, 0),
                crawls=run.runs if run else 0,
                first_crawl=_aware(run.first) if run else None,
                last_crawl=_aware(run.last) if run else None,
                oldest_verified=_aware(oldest.get(name)),
            )
        )
    return sources


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates bypass the column type on SQLite: naive UTC comes back."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value


def _coverage(db, scoped) -> list[tuple[str, int]]:
    """For each export field, how many posts have a value (non-null, non-empty)."""
    columns = {
        name: getattr(Post, name)
        for name in EXPORT_FIELDS
        if name in Post.__table__.columns and name not in ("word_count",)
    }
    conditions = {
        name: and_(column.is_not(None), column != "")
        if column.type.python_type is str
        else column.is_not(None)
        for name, column in columns.items()
    }
    conditions["word_count"] = Post.word_count > 0
    conditions["authors"] = func.json_array_length(Post.authors) > 0
    conditions["duplicate_of"] = Post.duplicate_of_id.is_not(None)
    counts = db.execute(
        scoped(select(*(func.count(Post.id).filter(c) for c in conditions.values())))
    ).one()
    found = dict(zip(conditions, (int(c) for c in counts), strict=True))
    for taxonomy, name in (("category", "categories"), ("tag", "tags")):
        found[name] = db.execute(
            scoped(
                select(func.count(func.distinct(PostTerm.post_id)))
                .join(Term, Term.id == PostTerm.term_id)
                .join(Post, Post.id == PostTerm.post_id)
                .where(Term.taxonomy == taxonomy)
            )
        ).scalar_one()
    near = db.execute(
        scoped(
            select(func.count(NearDuplicate.post_id)).join(Post, Post.id == NearDuplicate.post_id)
        )
    ).scalar_one()
    found["near_duplicate_of"] = found["near_duplicate_similarity"] = near
    return [(name, found[name]) for name in EXPORT_FIELDS]


def _ranked(rows) -> list[tuple[str, int]]:
    return sorted(((str(name), int(count)) for name, count in rows), key=lambda r: (-r[1], r[0]))


def recent_runs(engine: Engine, site: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The latest crawl runs, newest first, as dicts of their columns."""
    query = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
    if site:
        query = query.where(CrawlRun.site == site)
    with engine.connect() as db:
        return [dict(row._mapping) for row in db.execute(query)]


def run_rejects(engine, run_id: int) -> list[tuple[str, int]]:
    """This run's rejects by reason (timeouts grouped): the tally of what could not be kept."""
    with engine.connect() as db:
        reasons = db.execute(select(Reject.reason).where(Reject.last_run_id == run_id)).scalars()
        tally: dict[str, int] = {}
        for reason in reasons:
            key = reason.split(":", 1)[0] if reason.startswith("TimeoutError") else reason
            tally[key] = tally.get(key, 0) + 1
    return sorted(tally.items(), key=lambda item: (-item[1], item[0]))
