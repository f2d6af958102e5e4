"""Writing to the corpus: posts in batches, rejects, crawl runs. The crawler's only way in.

Each batch is one transaction, so a crawl killed at any moment leaves whole batches or nothing.
A post is identified by (site, WordPress ID) when the ID is known, else by its canonical URL, so
re-crawling a post — through any archive, in any run — updates one row instead of adding one.
Several processes may write at once (distributed crawls): see corpus/upsert.py for how.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, or_, select, tuple_, update
from sqlalchemy.engine import Connection

from corpus import upsert
from corpus.models import CrawlRun, Post, PostRevision, PostTerm, Reject, Term, utcnow

# The item fields the corpus stores; their hash decides "unchanged" on a re-crawl.
RECORD_FIELDS = (
    "url",
    "post_id",
    "title",
    "author",
    "published_at",
    "modified_at",
    "categories",
    "tags",
    "text",
    "language",
)
TAXONOMIES = (("categories", "category"), ("tags", "tag"))
GONE_STATUSES = (404, 410)


@dataclass
class BatchResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0  # posts newly found to repeat an earlier post's text
    revised: int = 0  # updated posts whose title or text changed (old version kept)
    gone: int = 0  # known posts whose URL now answers 404/410
    rejected: int = 0


def record_hash(post: Mapping[str, Any]) -> str:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    canonical = {field: plain(post.get(field)) for field in RECORD_FIELDS}
    if isinstance(post.get("published_at"), datetime):
        canonical["published_at"] = post["published_at"].timestamp()
    if isinstance(post.get("modified_at"), datetime):
        canonical["modified_at"] = post["modified_at"].timestamp()
    encoded = json.dumps(canonical, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


class CorpusWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- crawl runs -------------------------------------------------------------------------

    def start_run(self, spider: str, site: str, arguments: Mapping[str, Any]) -> int:
        with self.engine.begin() as connection:
            return connection.execute(
                insert(CrawlRun)
                .values(
                    spider=spider,
                    site=site,
                    arguments=dict(arguments),
                    hostname=socket.gethostname(),
                    pid=os.getpid(),
                    started_at=utcnow(),
                    status="running",
                )
                .returning(CrawlRun.id)
            ).scalar_one()

    def finish_run(
        self, run_id: int, *, status: str, finish_reason: str, **columns: int | str | None
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(
                    finished_at=utcnow(),
                    status=status,
                    finish_reason=finish_reason,
                    **columns,
                )
            )

    def close_stale_runs(self, site: str) -> int:
        """Runs still marked running while we hold the site's lock were killed: say so."""
        with self.engine.begin() as connection:
            return connection.execute(
                update(CrawlRun)
                .where(CrawlRun.site == site, CrawlRun.status == "running")
                .values(status="killed", finish_reason="killed", finished_at=utcnow())
            ).rowcount

    # -- posts and rejects ------------------------------------------------------------------

    def write(
        self,
        posts: Sequence[Mapping[str, Any]],
        rejects: Sequence[Mapping[str, Any]] = (),
        run_id: int | None = None,
    ) -> BatchResult:
        """Store one batch in one transaction and say what it changed.

        A transaction another writer deadlocked or raced is rolled back and run again.
        """

        def transaction() -> BatchResult:
            result = BatchResult()
            now = utcnow()
            with self.engine.begin() as connection:
                if posts:
                    self._write_posts(connection, _unique_posts(posts), run_id, now, result)
                if rejects:
                    kept = self._mark_gone(connection, rejects, now, result)
                    self._write_rejects(connection, kept, run_id, now)
                    result.rejected = len(kept)
            return result

        return upsert.retrying(transaction)

    def _write_posts(
        self,
        connection: Connection,
        posts: list[Mapping[str, Any]],
        run_id: int | None,
        now: datetime,
        result: BatchResult,
    ) -> None:
        # Another writer storing a copy of one of these texts waits here until we commit.
        upsert.lock_texts(connection, (post["content_hash"] for post in posts))
        existing = _existing_posts(connection, posts)  # locked: compared with their latest version
        inserted = self._insert_new(connection, posts, existing, run_id, now)
        unchanged_ids: list[int] = []
        changed: dict[int, Mapping[str, Any]] = {}
        hashes_to_check: set[str] = set()
        for post in posts:
            if post["url"] in inserted:
                changed[inserted[post["url"]]] = post
                continue
            row = _match(existing, post)
            if row is None:
                raise RuntimeError(f"post {post['url']} neither inserted nor found")
            values = _post_values(post)
            if row.record_hash == values["record_hash"]:
                unchanged_ids.append(row.id)
            else:
                if row.title != values["title"] or row.content_hash != values["content_hash"]:
                    _keep_revision(connection, row, run_id, now)
                    result.revised += 1
                connection.execute(
                    update(Post)
                    .where(Post.id == row.id)
                    .values(**values, last_seen_at=now, last_run_id=run_id, gone_at=None)
                )
                changed[row.id] = post
                hashes_to_check.add(row.content_hash)
        if unchanged_ids:
            connection.execute(
                update(Post)
                .where(Post.id.in_(unchanged_ids))
                .values(last_seen_at=now, last_run_id=run_id, gone_at=None)
            )
        result.new = len(inserted)
        result.updated = len(changed) - len(inserted)
        result.unchanged = len(unchanged_ids)
        if changed:
            _write_terms(connection, changed)
            hashes_to_check.update(post["content_hash"] for post in changed.values())
            result.duplicate = _resolve_duplicates(connection, hashes_to_check)
            connection.execute(delete(Reject).where(Reject.url.in_([p["url"] for p in posts])))

    def _insert_new(
        self,
        connection: Connection,
        posts: list[Mapping[str, Any]],
        existing: dict[tuple, Any],
        run_id: int | None,
        now: datetime,
    ) -> dict[str, int]:
        """Insert the posts not found, ``ON CONFLICT DO NOTHING``; returns {url: row id}.

        A post another writer inserted meanwhile conflicts (PostgreSQL waits for that writer
        to commit first): it is read, locked, into ``existing`` and handled as a re-crawl.
        """
        fresh = [post for post in posts if _match(existing, post) is None]
        if not fresh:
            return {}
        rows = connection.execute(
            upsert.insert(connection, Post).on_conflict_do_nothing().returning(Post.id, Post.url),
            [
                {
                    **_post_values(post),
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "first_run_id": run_id,
                    "last_run_id": run_id,
                }
                for post in fresh
            ],
        ).all()
        inserted = {row.url: row.id for row in rows}
        lost = [post for post in fresh if post["url"] not in inserted]
        if lost:
            existing.update(_existing_posts(connection, lost))
        return inserted

    def mark_seen(
        self,
        site: str,
        post_ids: Sequence[int] = (),
        urls: Sequence[str] = (),
        run_id: int | None = None,
    ) -> int:
        """Note that known posts were listed unchanged; returns how many rows that touched."""
        conditions = []
        if post_ids:
            conditions.append(Post.post_id.in_(list(post_ids)))
        if urls:
            conditions.append(Post.url.in_(list(urls)))
        if not conditions:
            return 0

        def transaction() -> int:
            with self.engine.begin() as connection:
                return connection.execute(
                    update(Post)
                    .where(Post.site == site, or_(*conditions))
                    .values(last_seen_at=utcnow(), last_run_id=run_id, gone_at=None)
                ).rowcount

        return upsert.retrying(transaction, "seen posts")

    def _mark_gone(
        self,
        connection: Connection,
        rejects: Sequence[Mapping[str, Any]],
        now: datetime,
        result: BatchResult,
    ) -> list[Mapping[str, Any]]:
        """Known posts answering 404/410 are marked gone (never deleted); other rejects stay."""
        missing = [r for r in rejects if r.get("http_status") in GONE_STATUSES]
        if not missing:
            return list(rejects)
        known = dict(
            connection.execute(
                select(Post.url, Post.gone_at).where(Post.url.in_([r["url"] for r in missing]))
            ).all()
        )
        newly_gone = [url for url, gone_at in known.items() if gone_at is None]
        if newly_gone:
            connection.execute(update(Post).where(Post.url.in_(newly_gone)).values(gone_at=now))
        result.gone = len(newly_gone)
        return [r for r in rejects if r["url"] not in known]

    def _write_rejects(
        self,
        connection: Connection,
        rejects: Iterable[Mapping[str, Any]],
        run_id: int | None,
        now: datetime,
    ) -> None:
        rows: dict[str, dict[str, Any]] = {}
        for reject in rejects:  # one row per URL; a URL met twice in a batch counts twice
            seen = rows[reject["url"]]["times_seen"] + 1 if reject["url"] in rows else 1
            rows[reject["url"]] = {
                "url": reject["url"],
                "site": reject["site"],
                "stage": reject["stage"],
                "reason": str(reject["reason"])[:500],
                "http_status": reject.get("http_status"),
                "raw": _jsonable(reject.get("raw") or {}),
                "first_seen_at": now,
                "last_seen_at": now,
                "times_seen": seen,
                "last_run_id": run_id,
            }
        if not rows:
            return
        statement = upsert.insert(connection, Reject)
        kept = ("site", "stage", "reason", "http_status", "raw", "last_seen_at", "last_run_id")
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[Reject.url],
                set_={
                    **{name: statement.excluded[name] for name in kept},
                    "times_seen": Reject.__table__.c.times_seen + statement.excluded.times_seen,
                },
            ),
            [rows[url] for url in sorted(rows)],
        )


def _identity(post: Mapping[str, Any]) -> tuple:
    if post.get("post_id") is not None:
        return ("id", post["site"], int(post["post_id"]))
    return ("url", post["url"])


def _unique_posts(posts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The last copy of each post in the batch; a batch never writes one post twice."""
    return list({_identity(post): post for post in posts}.values())


def _match(existing: dict[tuple, Any], post: Mapping[str, Any]) -> Any:
    return existing.get(_identity(post)) or existing.get(("url", post["url"]))


def _existing_posts(connection: Connection, posts: list[Mapping[str, Any]]) -> dict[tuple, Any]:
    """The stored rows of these posts, locked until commit (``FOR UPDATE``, in id order)."""
    ids = [(p["site"], int(p["post_id"])) for p in posts if p.get("post_id") is not None]
    urls = [p["url"] for p in posts]
    conditions = [Post.url.in_(urls)]
    if ids:
        conditions.append(tuple_(Post.site, Post.post_id).in_(ids))
    rows = connection.execute(
        select(
            Post.id,
            Post.site,
            Post.post_id,
            Post.url,
            Post.record_hash,
            Post.content_hash,
            Post.title,
            Post.text,
            Post.modified_at,
            Post.last_seen_at,
        )
        .where(or_(*conditions))
        .order_by(Post.id)
        .with_for_update()
    ).all()
    found: dict[tuple, Any] = {}
    for row in rows:
        found[("url", row.url)] = row
        if row.post_id is not None:
            found[("id", row.site, row.post_id)] = row
    return found


def _keep_revision(connection: Connection, row: Any, run_id: int | None, now: datetime) -> None:
    """Copy the stored version into ``post_revisions`` before it is overwritten."""
    connection.execute(
        insert(PostRevision).values(
            post_id=row.id,
            title=row.title,
            text=row.text,
            content_hash=row.content_hash,
            modified_at=row.modified_at,
            fetched_at=row.last_seen_at,
            run_id=run_id,
            replaced_at=now,
        )
    )


def _post_values(post: Mapping[str, Any]) -> dict[str, Any]:
    text = post.get("text") or ""
    return {
        "site": post["site"],
        "url": post["url"],
        "post_id": post.get("post_id"),
        "title": post["title"],
        "author": post.get("author"),
        "published_at": post["published_at"],
        "modified_at": post.get("modified_at"),
        "language": post.get("language"),
        "body_html": post.get("body_html"),
        "text": text,
        "content_hash": post["content_hash"],
        "record_hash": record_hash(post),
        "word_count": post.get("word_count") or 0,
        "char_count": len(text),
    }


def _write_terms(connection: Connection, posts: Mapping[int, Mapping[str, Any]]) -> None:
    """Replace the categories and tags of the given posts, keeping the page order."""
    wanted = {
        (post["site"], taxonomy, name)
        for post in posts.values()
        for field, taxonomy in TAXONOMIES
        for name in post.get(field) or ()
    }
    term_ids: dict[tuple, int] = {}
    if wanted:
        rows = connection.execute(
            select(Term.id, Term.site, Term.taxonomy, Term.name).where(
                tuple_(Term.site, Term.taxonomy, Term.name).in_(list(wanted))
            )
        ).all()
        term_ids = {(r.site, r.taxonomy, r.name): r.id for r in rows}
        missing = sorted(wanted - term_ids.keys())
        if missing:  # another writer may be adding the same terms: theirs or ours, one row
            connection.execute(
                upsert.insert(connection, Term).on_conflict_do_nothing(),
                [{"site": s, "taxonomy": t, "name": n} for s, t, n in missing],
            )
            created = connection.execute(
                select(Term.id, Term.site, Term.taxonomy, Term.name).where(
                    tuple_(Term.site, Term.taxonomy, Term.name).in_(missing)
                )
            ).all()
            term_ids.update({(r.site, r.taxonomy, r.name): r.id for r in created})
    connection.execute(delete(PostTerm).where(PostTerm.post_id.in_(list(posts))))
    links = [
        {
            "post_id": post_row_id,
            "term_id": term_ids[(post["site"], taxonomy, name)],
            "position": position,
        }
        for post_row_id, post in posts.items()
        for field, taxonomy in TAXONOMIES
        for position, name in enumerate(post.get(field) or ())
    ]
    if links:
        connection.execute(insert(PostTerm), links)


def _resolve_duplicates(connection: Connection, hashes: set[str]) -> int:
    """Point every copy of a text at its earliest-published copy; return new duplicates.

    The original is chosen from the whole corpus each time, so the answer does not depend on
    the order in which the crawl met the copies; the text locks make every concurrent writer's
    copies visible here before choosing.
    """
    upsert.lock_texts(connection, hashes)
    rows = connection.execute(
        select(
            Post.id, Post.content_hash, Post.published_at, Post.post_id, Post.duplicate_of_id
        ).where(Post.content_hash.in_(list(hashes)))
    ).all()
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.content_hash, []).append(row)
    newly_duplicate = 0
    for members in groups.values():
        original = min(
            members,
            key=lambda r: (r.published_at, r.post_id if r.post_id is not None else 2**62, r.id),
        )
        for member in members:
            target = None if member.id == original.id else original.id
            if member.duplicate_of_id != target:
                if member.duplicate_of_id is None:
                    newly_duplicate += 1
                connection.execute(
                    update(Post).where(Post.id == member.id).values(duplicate_of_id=target)
                )
    return newly_duplicate


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))
