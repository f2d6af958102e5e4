"""The corpus schema (SQLAlchemy 2): posts, their terms, crawl runs, rejects, near-duplicates.

Times are stored in UTC and always come back timezone-aware, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SCHEMA_VERSION = 1


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, whatever the backend keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored in the corpus")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spider: Mapped[str] = mapped_column(String(100))
    site: Mapped[str] = mapped_column(String(100), index=True)
    arguments: Mapped[dict] = mapped_column(JSON, default=dict)
    hostname: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|finished|failed
    discovery: Mapped[str | None] = mapped_column(String(20))  # rest|sitemap|feed|archive|none
    mode: Mapped[str | None] = mapped_column(String(20))  # full | incremental
    failure: Mapped[str | None] = mapped_column(Text)  # the monitor checks that failed
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    requests: Mapped[int] = mapped_column(Integer, default=0)
    responses: Mapped[int] = mapped_column(Integer, default=0)
    items_scraped: Mapped[int] = mapped_column(Integer, default=0)
    posts_new: Mapped[int] = mapped_column(Integer, default=0)
    posts_updated: Mapped[int] = mapped_column(Integer, default=0)
    posts_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    posts_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    posts_gone: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    # Which source gave each post field, {field: {source: count}} (crawl stats
    # ``corpus/field_source/<field>/<source>``); null for runs before revision 0005.
    field_sources: Mapped[dict | None] = mapped_column(JSON)
    # The revisit policy's report (crawler/revisit.py, revision 0006): posts this run verified,
    # and the oldest ``posts.verified_at`` among the site's live posts when it ended.
    posts_verified: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    verified_oldest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Post(Base):
    """One post. Its identity is scoped by site: (site, post_id) when the ID is known, else
    (site, url), so no crawl of one site can match, let alone rewrite, another site's row."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("site", "post_id", name="uq_posts_site_post_id"),
        UniqueConstraint("site", "url", name="uq_posts_site_url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(100), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    post_id: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(255), index=True)  # authors[0]
    # Every author in page order, each at most as long as ``author``.
    authors: Mapped[list] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(16))
    body_html: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Hash of every stored field: equal hashes mean a re-crawl found nothing to change.
    record_hash: Mapped[str] = mapped_column(String(64))
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    char_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # Set when the post's URL answered 404/410: the post is kept, marked gone, never deleted.
    gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a crawl last confirmed the stored version (page fetched, 304, or an exact change
    # time in a listing); the revisit policy re-verifies the oldest first (crawler/revisit.py).
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    duplicate_of: Mapped[Post | None] = relationship(remote_side=[id])
    terms: Mapped[list[Term]] = relationship(
        secondary="post_terms", order_by="PostTerm.position", viewonly=True
    )


class PostRevision(Base):
    """An earlier version of a post, kept when a re-crawl finds its title or text changed."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When this version was fetched (its last sighting) and by which run it was replaced.
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # crawl: the site changed it; reparse: newer extraction code read the archived page again.
    reason: Mapped[str] = mapped_column(String(16), default="crawl", server_default="crawl")


class Term(Base):
    """A category or a tag, as WordPress keeps both in one table."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("site", "taxonomy", "name", name="uq_terms_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(100))
    taxonomy: Mapped[str] = mapped_column(String(20))  # category | tag
    name: Mapped[str] = mapped_column(String(255))


class PostTerm(Base):
    __tablename__ = "post_terms"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Reject(Base):
    """A URL that did not become a post, with the reason; one row per URL, updated on re-runs."""

    __tablename__ = "rejects"
    __table_args__ = (UniqueConstraint("site", "url", name="uq_rejects_site_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    site: Mapped[str] = mapped_column(String(100), index=True)
    stage: Mapped[str] = mapped_column(String(20))  # fetch | parse | validate | store
    reason: Mapped[str] = mapped_column(String(500))
    http_status: Mapped[int | None] = mapped_column(Integer)
    raw: Mapped[dict] = mapped_column(JSON, default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    times_seen: Mapped[int] = mapped_column(Integer, default=1)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class SchemaInfo(Base):
    """The schema version this corpus was created with (1 ever since: the Alembic revision in
    ``alembic_version`` is what ``init_db`` checks, see corpus/schema.py)."""

    __tablename__ = "schema_info"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MinHashSignature(Base):
    """A post's MinHash signature, kept so near-duplicate detection only hashes new text.

    ``content_hash`` and ``method`` say what the signature was computed from and how; when
    either no longer matches, the signature is recomputed. Posts too short to compare have a
    row with no signature, so they are not hashed again on every run.
    """

    __tablename__ = "minhash_signatures"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(64))
    shingles: Mapped[int] = mapped_column(Integer)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the post was last compared against the index; null: still to compare.
    compared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NearDuplicate(Base):
    """A post that repeats another with small edits: it points at the earliest post of its
    cluster, with their Jaccard similarity. Exact reposts are ``posts.duplicate_of_id``."""

    __tablename__ = "near_duplicates"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    original_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    similarity: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(64))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrawlRunWorker(Base):
    """One worker process of a distributed crawl run: its share of the run's counters.

    The run row (``crawl_runs``) holds the sums, added atomically by each worker; this row
    says who did what, and whether the worker finished or died.
    """

    __tablename__ = "crawl_run_workers"
    __table_args__ = (UniqueConstraint("run_id", "worker", name="uq_crawl_run_workers"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    worker: Mapped[str] = mapped_column(String(255))  # hostname:pid
    hostname: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # last progress
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # running, finished, failed (its monitors failed), interrupted (Ctrl-C), killed (it stopped
    # heart-beating)
    status: Mapped[str] = mapped_column(String(20), default="running")
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    failure: Mapped[str | None] = mapped_column(Text)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    responses: Mapped[int] = mapped_column(Integer, default=0)
    items_scraped: Mapped[int] = mapped_column(Integer, default=0)
    posts_new: Mapped[int] = mapped_column(Integer, default=0)
    posts_updated: Mapped[int] = mapped_column(Integer, default=0)
    posts_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    posts_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    posts_gone: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)


Index("ix_posts_site_published", Post.site, Post.published_at)
Index("ix_posts_site_verified", Post.site, Post.verified_at)
