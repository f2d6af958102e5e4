"""Writing to the corpus: posts in batches, rejects, crawl runs. The crawler's only way in.

Each batch is one transaction, so a crawl killed at any moment leaves whole batches or nothing.
A post is identified by (site, WordPress ID) when the ID is known, else by (site, canonical URL),
so re-crawling a post — through any archive, in any run — updates one row instead of adding one,
and no site's crawl ever matches (or rewrites) another site's row, even at the same URL.
A batch the database refuses is written again one item at a time: the item that still fails
becomes a reject of stage "store" with the error, and its neighbours are stored.
Several processes may write at once (distributed crawls): see corpus/upsert.py for how.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, or_, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import InterfaceError, OperationalError

from corpus import upsert
from corpus.models import CrawlRun, Post, PostRevision, PostTerm, Reject, Term, utcnow
from schema import COLUMNS, ITEM_FIELDS, RECORD_FIELDS

logger = logging.getLogger(__name__)

# RECORD_FIELDS (schema): the item fields whose hash decides "unchanged" on a re-crawl.
# The item fields a posts row stores as they come (schema COLUMNS, less what the corpus makes).
WRITTEN_FIELDS = tuple(name for name in COLUMNS if name in ITEM_FIELDS)
TAXONOMIES = (("categories", "category"), ("tags", "tag"))
GONE_STATUSES = (404, 410)
INT64 = range(-(2**63), 2**63)
URL_LENGTH = Reject.__table__.c.url.type.length
REASON_LENGTH = Reject.__table__.c.reason.type.length
# The database being unreachable or locked is no fault of a post: with_retries waits for it.
UNAVAILABLE = (OperationalError, InterfaceError)


@dataclass
class BatchResult:
    """What a batch did. Every item it was given is counted exactly once in ``accounted``."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0  # posts newly found to repeat an earlier post's text
    revised: int = 0  # updated posts whose title or text changed (old version kept)
    gone: int = 0  # known posts whose URL now answers 404/410
    rejected: int = 0  # reject rows written, store rejects included
    merged: int = 0  # posts given twice in the batch: the last copy is written
    absorbed: int = 0  # rejects of known posts, which mark them gone instead of adding a row
    store_rejected: int = 0  # posts the database refused, written as rejects instead
    lost: int = 0  # items that could not be written even alone, as a reject (fails the run)

    @property
    def accounted(self) -> int:
        return (
            self.new
            + self.updated
            + self.unchanged
            + self.merged
            + self.rejected
            + self.absorbed
            + self.lost
        )

    def add(self, other: BatchResult) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def default_authors(post: Mapping[str, Any]) -> list[str]:
    """The post's authors; a source that only knew one author gives ``[author]`` or ``[]``."""
    authors = post.get("authors")
    if authors is None:
        return [post["author"]] if post.get("author") else []
    return list(authors)


def record_hash(post: Mapping[str, Any]) -> str:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    canonical = {field: plain(post.get(field)) for field in RECORD_FIELDS}
    authors = default_authors(post)
    if authors != ([post["author"]] if post.get("author") else []):
        # Only when it says more than ``author``: corpora stored before ``authors`` existed
        # keep their hashes, so their next crawl does not count every post as updated.
        canonical["authors"] = authors
    if isinstance(post.get("published_at"), datetime):
        canonical["published_at"] = post["published_at"].timestamp()
    if isinstance(post.get("modified_at"), datetime):
        canonical["modified_at"] = post["modified_at"].timestamp()
    encoded = json.dumps(canonical, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


class CorpusWriter:
    """``reason``: what the revisions it keeps are recorded as. A crawl keeps the old version
    when the title or text changed; a reparse (``reason="reparse"``) whenever any stored
    field did, so every post newer code reads differently has its before-and-after."""

    def __init__(self, engine: Engine, reason: str = "crawl") -> None:
        self.engine = engine
        self.reason = reason

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

    def finish_run(self, run_id: int, *, status: str, finish_reason: str, **columns: Any) -> None:
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

        A transaction another writer deadlocked or raced is rolled back and run again. One the
        database refuses for its data (a value out of range, too long, a NUL byte...) is
        written again item by item, so only the bad item fails: it becomes a reject.
        """
        try:
            return self._transaction(posts, rejects, run_id)
        except UNAVAILABLE:
            raise
        except Exception as exc:
            logger.warning(
                "batch of %d items refused (%s): writing them one by one",
                len(posts) + len(rejects),
                one_line(exc),
            )
        return self._one_by_one(posts, rejects, run_id)

    def _transaction(
        self,
        posts: Sequence[Mapping[str, Any]],
        rejects: Sequence[Mapping[str, Any]],
        run_id: int | None,
    ) -> BatchResult:
        def transaction() -> BatchResult:
            result = BatchResult()
            now = utcnow()
            with self.engine.begin() as connection:
                if posts:
                    unique = _unique_posts(posts)
                    result.merged = len(posts) - len(unique)
                    for post in unique:
                        check_storable(post)
                    self._write_posts(connection, unique, run_id, now, result)
                if rejects:
                    kept = self._mark_gone(connection, rejects, now, result)
                    self._write_rejects(connection, kept, run_id, now)
                    result.rejected = len(kept)
                    result.absorbed = len(rejects) - len(kept)
            return result

        return upsert.retrying(transaction)

    def _one_by_one(
        self,
        posts: Sequence[Mapping[str, Any]],
        rejects: Sequence[Mapping[str, Any]],
        run_id: int | None,
    ) -> BatchResult:
        """Each item in a transaction of its own; a post that still fails becomes a reject."""
        result = BatchResult()
        refused: list[dict[str, Any]] = []
        for post in posts:
            try:
                result.add(self._transaction([post], (), run_id))
            except UNAVAILABLE:
                raise
            except Exception as exc:
                logger.warning(
                    "post %s refused by the database: %s", post.get("url"), one_line(exc)
                )
                refused.append(store_reject(post, exc))
        for reject in [*rejects, *refused]:
            try:
                result.add(self._transaction((), [reject], run_id))
            except UNAVAILABLE:
                raise
            except Exception as exc:
                logger.error("reject %s could not be written: %s", reject.get("url"), one_line(exc))
                result.lost += 1
        result.store_rejected = len(refused)
        return result

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
            if (post["site"], post["url"]) in inserted:
                changed[inserted[(post["site"], post["url"])]] = post
                continue
            row = _match(existing, post)
            if row is None:
                raise RuntimeError(f"post {post['url']} neither inserted nor found")
            values = _post_values(post)
            if row.record_hash == values["record_hash"]:
                unchanged_ids.append(row.id)
            else:
                text_changed = (
                    row.title != values["title"] or row.content_hash != values["content_hash"]
                )
                if text_changed or self.reason != "crawl":
                    _keep_revision(connection, row, run_id, now, self.reason)
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
            connection.execute(
                delete(Reject).where(
                    tuple_(Reject.site, Reject.url).in_([(p["site"], p["url"]) for p in posts])
                )
            )

    def _insert_new(
        self,
        connection: Connection,
        posts: list[Mapping[str, Any]],
        existing: dict[tuple, Any],
        run_id: int | None,
        now: datetime,
    ) -> dict[tuple[str, str], int]:
        """Insert the posts not found, ``ON CONFLICT DO NOTHING``; returns {(site, url): id}.

        A post another writer inserted meanwhile conflicts (PostgreSQL waits for that writer
        to commit first): it is read, locked, into ``existing`` and handled as a re-crawl.
        """
        fresh = [post for post in posts if _match(existing, post) is None]
        if not fresh:
            return {}
        rows = connection.execute(
            upsert.insert(connection, Post)
            .on_conflict_do_nothing()
            .returning(Post.id, Post.site, Post.url),
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
        inserted = {(row.site, row.url): row.id for row in rows}
        lost = [post for post in fresh if (post["site"], post["url"]) not in inserted]
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
        keys = [(r["site"], r["url"]) for r in missing]
        known = {
            (row.site, row.url): row.gone_at
            for row in connection.execute(
                select(Post.site, Post.url, Post.gone_at).where(
                    tuple_(Post.site, Post.url).in_(keys)
                )
            )
        }
        newly_gone = [key for key, gone_at in known.items() if gone_at is None]
        if newly_gone:
            connection.execute(
                update(Post).where(tuple_(Post.site, Post.url).in_(newly_gone)).values(gone_at=now)
            )
        result.gone = len(newly_gone)
        return [r for r in rejects if (r["site"], r["url"]) not in known]

    def _write_rejects(
        self,
        connection: Connection,
        rejects: Iterable[Mapping[str, Any]],
        run_id: int | None,
        now: datetime,
    ) -> None:
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for reject in rejects:  # one row per URL; a URL met twice in a batch counts twice
            url, raw = _reject_url(reject)
            key = (reject["site"], url)
            seen = rows[key]["times_seen"] + 1 if key in rows else 1
            rows[key] = {
                "url": url,
                "site": reject["site"],
                "stage": reject["stage"],
                "reason": _no_nul(one_line(reject["reason"]))[:REASON_LENGTH],
                "http_status": reject.get("http_status"),
                "raw": raw,
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
                index_elements=[Reject.site, Reject.url],
                set_={
                    **{name: statement.excluded[name] for name in kept},
                    "times_seen": Reject.__table__.c.times_seen + statement.excluded.times_seen,
                },
            ),
            [rows[key] for key in sorted(rows)],
        )


def _identity(post: Mapping[str, Any]) -> tuple:
    """Always scoped by site; the ID as given (never ``int()``: 7.5 is not post 7)."""
    if post.get("post_id") is not None:
        return ("id", post["site"], post["post_id"])
    return ("url", post["site"], post["url"])


def check_storable(post: Mapping[str, Any]) -> None:
    """The checks the database cannot be trusted to make: SQLite stores any type anywhere,
    and PostgreSQL rounds 7.5 into a BIGINT column. The validate pipeline rejects these first,
    with a clearer reason; this guards every other caller."""
    post_id = post.get("post_id")
    if post_id is not None and (type(post_id) is not int or post_id not in INT64):
        raise ValueError(f"post_id {post_id!r:.40} is not a 64-bit integer")
    for field in ("published_at", "modified_at"):
        value = post.get(field)
        if value is not None and not isinstance(value, datetime):
            raise ValueError(f"{field} {value!r:.40} is not a datetime")


def _unique_posts(posts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The last copy of each post in the batch; a batch never writes one post twice."""
    return list({_identity(post): post for post in posts}.values())


def _match(existing: dict[tuple, Any], post: Mapping[str, Any]) -> Any:
    return existing.get(_identity(post)) or existing.get(("url", post["site"], post["url"]))


def _existing_posts(connection: Connection, posts: list[Mapping[str, Any]]) -> dict[tuple, Any]:
    """The stored rows of these posts, locked until commit (``FOR UPDATE``, in id order)."""
    ids = [(p["site"], p["post_id"]) for p in posts if p.get("post_id") is not None]
    urls = [(p["site"], p["url"]) for p in posts]
    conditions = [tuple_(Post.site, Post.url).in_(urls)]
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
        found[("url", row.site, row.url)] = row
        if row.post_id is not None:
            found[("id", row.site, row.post_id)] = row
    return found


def _keep_revision(
    connection: Connection, row: Any, run_id: int | None, now: datetime, reason: str
) -> None:
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
            reason=reason,
        )
    )


def _post_values(post: Mapping[str, Any]) -> dict[str, Any]:
    """The ``posts`` row of an item: its stored fields (schema), plus the writer's own."""
    values = {name: post.get(name) for name in WRITTEN_FIELDS}
    text = values["text"] = post.get("text") or ""
    values.update(
        authors=default_authors(post),
        word_count=post.get("word_count") or 0,
        record_hash=record_hash(post),
        char_count=len(text),
    )
    return values


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

    The original is chosen from the site's whole corpus each time, so the answer does not
    depend on the order in which the crawl met the copies; the text locks make every
    concurrent writer's copies visible here before choosing. Copies are looked for within one
    site only: a site claiming an earlier date for another site's text must not turn that
    site's posts into its "reposts" (a write to the other site's rows, and they would vanish
    from ``export --dedup``).
    """
    upsert.lock_texts(connection, hashes)
    rows = connection.execute(
        select(
            Post.id,
            Post.site,
            Post.content_hash,
            Post.published_at,
            Post.post_id,
            Post.duplicate_of_id,
        ).where(Post.content_hash.in_(list(hashes)))
    ).all()
    groups: dict[tuple[str, str], list[Any]] = {}
    for row in rows:
        groups.setdefault((row.site, row.content_hash), []).append(row)
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


def one_line(value: object) -> str:
    """An error or reason as one line: a database error's first line, with its type."""
    if isinstance(value, BaseException):
        original = getattr(value, "orig", None) or value
        first = (str(original).strip().splitlines() or [""])[0]
        value = f"{type(original).__name__}: {first}" if first else type(original).__name__
    return " ".join(str(value).split())


def store_reject(post: Mapping[str, Any], exc: BaseException) -> dict[str, Any]:
    """The reject that replaces a post the database refused, with what was extracted."""
    raw = {key: value for key, value in post.items() if key != "body_html"}
    return {
        "site": post.get("site"),
        "url": post.get("url") or post.get("fetched_url"),
        "stage": "store",
        "reason": f"database refused the post: {one_line(exc)}",
        "http_status": post.get("http_status"),
        "raw": raw,
    }


def _no_nul(value: str) -> str:
    return value.replace("\x00", "")


def _scrub(value: Any) -> Any:
    """JSON-ready, without the NUL characters PostgreSQL refuses in text."""
    if isinstance(value, str):
        return _no_nul(value)
    if isinstance(value, dict):
        return {_no_nul(str(k)): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _reject_url(reject: Mapping[str, Any]) -> tuple[str, Any]:
    """A reject's URL as the column can hold it, and its raw fields; a URL cut to the column's
    length keeps its full form in ``raw["url"]``."""
    raw = _scrub(_jsonable(reject.get("raw") or {}))
    url = _no_nul(str(reject.get("url") or ""))
    if len(url) > URL_LENGTH:
        if isinstance(raw, dict):
            raw.setdefault("url", url)
        url = url[:URL_LENGTH]
    return url, raw
