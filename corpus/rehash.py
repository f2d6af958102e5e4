"""Bring a stored corpus up to the current Lao normalization (``laocorpus rehash``).

Why: ``posts.text`` is normalized and ``posts.content_hash`` folded when a post is crawled, with
the rules of that day (text/lao.py). When the rules improve, an existing corpus keeps the old
forms: texts with ທີ່່ stay, and two copies that differ only by ໜ/ຫນ keep different hashes, so
the exact-repost link (``duplicate_of_id``) misses them. This command re-applies the rules in
batches, without network access:

- stored text and title normalized again; where they change, ``word_count``, ``char_count``
  and ``record_hash`` follow, so the next crawl does not count the post as updated;
- ``content_hash`` recomputed for posts and their revisions;
- exact-repost links resolved again for every hash that appeared or disappeared;

Running it twice changes nothing the second time. ``--check`` only counts what would change
and exits 1 when the corpus is stale (a cron-able test, instead of a stored version number). The
command then refreshes near-duplicates when the corpus has them (:func:`analysis.neardup.refresh`:
their shingles use the same fold).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import Connection

from corpus.models import Post, PostRevision, PostTerm, Term
from text import lao

Progress = Callable[[int, int], None]
_COLUMNS = (
    Post.id,
    Post.url,
    Post.post_id,
    Post.title,
    Post.author,
    Post.authors,
    Post.published_at,
    Post.modified_at,
    Post.language,
    Post.text,
    Post.content_hash,
)


@dataclass
class RehashResult:
    posts: int = 0  # posts read
    texts_changed: int = 0  # posts whose stored text or title the current rules change
    hashes_changed: int = 0  # posts whose content hash changed
    revisions_changed: int = 0  # revision rows whose content hash changed
    new_duplicates: int = 0  # posts newly linked to an exact original
    new_duplicate_groups: int = 0  # groups of exact copies that did not exist before

    @property
    def stale(self) -> bool:
        return bool(self.texts_changed or self.hashes_changed or self.revisions_changed)

    def summary(self) -> str:
        """One line, under 80 columns for any corpus below a billion posts."""
        return (
            f"rehash: {self.posts:,} posts, {self.hashes_changed:,} hashes changed, "
            f"{self.new_duplicate_groups:,} new duplicate groups"
        )


def rehash(
    engine: Engine,
    *,
    batch_size: int = 1000,
    check: bool = False,
    progress: Progress | None = None,
) -> RehashResult:
    """Recompute what derives from normalization; with ``check``, only count it."""
    from corpus.writer import _resolve_duplicates

    result = RehashResult()
    with engine.connect() as db:
        total = db.execute(select(func.count(Post.id))).scalar_one()
    groups_before = _duplicate_groups(engine)
    touched: set[str] = set()  # old and new hashes of every post whose hash changed
    last_id = 0
    while True:
        with engine.begin() as db:
            rows = db.execute(
                select(*_COLUMNS).where(Post.id > last_id).order_by(Post.id).limit(batch_size)
            ).all()
            if not rows:
                break
            changed = [_renormalized(row) for row in rows]
            texts = [(row, values) for row, values in zip(rows, changed, strict=True) if values]
            result.posts += len(rows)
            result.texts_changed += sum(1 for _, v in texts if "text" in v or "title" in v)
            for row, values in texts:
                if "content_hash" in values:
                    result.hashes_changed += 1
                    touched.update((row.content_hash, values["content_hash"]))
            if texts and not check:
                _add_record_hashes(db, texts)
                for row, values in texts:
                    db.execute(update(Post).where(Post.id == row.id).values(**values))
        last_id = rows[-1].id
        if progress:
            progress(result.posts, total)
    result.revisions_changed = _rehash_revisions(engine, batch_size, check)
    if check:
        return result
    hashes = sorted(touched | _linked_hashes(engine))
    for start in range(0, len(hashes), 500):
        with engine.begin() as db:
            result.new_duplicates += _resolve_duplicates(db, set(hashes[start : start + 500]))
    result.new_duplicate_groups = len(_duplicate_groups(engine) - groups_before)
    return result


def _renormalized(row: Any) -> dict[str, Any]:
    """The columns of one post that the current rules change (empty: none)."""
    values: dict[str, Any] = {}
    text = lao.normalize(row.text or "")
    if text != (row.text or ""):
        values.update(text=text, word_count=lao.word_count(text), char_count=len(text))
    title = lao.normalize_inline(row.title or "")
    if title != (row.title or ""):
        values["title"] = title
    digest = lao.content_hash(text)
    if digest != row.content_hash:
        values["content_hash"] = digest
    return values


def _add_record_hashes(db: Connection, texts: list[tuple[Any, dict[str, Any]]]) -> None:
    """A new ``record_hash`` for posts whose text or title changed, as a crawl computes it."""
    from corpus.writer import record_hash

    ids = [row.id for row, values in texts if "text" in values or "title" in values]
    if not ids:
        return
    terms: dict[int, dict[str, list[str]]] = {post_id: {} for post_id in ids}
    for post_id, taxonomy, name in db.execute(
        select(PostTerm.post_id, Term.taxonomy, Term.name)
        .join(Term, Term.id == PostTerm.term_id)
        .where(PostTerm.post_id.in_(ids))
        .order_by(PostTerm.post_id, PostTerm.position)
    ):
        key = "categories" if taxonomy == "category" else "tags"
        terms[post_id].setdefault(key, []).append(name)
    for row, values in texts:
        if row.id not in terms:
            continue
        post = {
            "url": row.url,
            "post_id": row.post_id,
            "title": values.get("title", row.title),
            "author": row.author,
            "authors": row.authors,
            "published_at": row.published_at,
            "modified_at": row.modified_at,
            "categories": terms[row.id].get("categories", []),
            "tags": terms[row.id].get("tags", []),
            "text": values.get("text", row.text),
            "language": row.language,
        }
        values["record_hash"] = record_hash(post)


def _rehash_revisions(engine: Engine, batch_size: int, check: bool) -> int:
    changed, last_id = 0, 0
    while True:
        with engine.begin() as db:
            rows = db.execute(
                select(PostRevision.id, PostRevision.text, PostRevision.content_hash)
                .where(PostRevision.id > last_id)
                .order_by(PostRevision.id)
                .limit(batch_size)
            ).all()
            if not rows:
                return changed
            for row in rows:
                digest = lao.content_hash(row.text or "")
                if digest != row.content_hash:
                    changed += 1
                    if not check:
                        db.execute(
                            update(PostRevision)
                            .where(PostRevision.id == row.id)
                            .values(content_hash=digest)
                        )
        last_id = rows[-1].id


def _linked_hashes(engine: Engine) -> set[str]:
    """Hashes held by several posts of a site, or by a post linked as a copy: resolving them
    all again makes a run interrupted between its batches and this step whole on a re-run."""
    with engine.connect() as db:
        shared = db.execute(
            select(Post.content_hash)
            .group_by(Post.site, Post.content_hash)
            .having(func.count(Post.id) > 1)
        ).scalars()
        linked = db.execute(
            select(Post.content_hash).where(Post.duplicate_of_id.is_not(None)).distinct()
        ).scalars()
        return set(shared) | set(linked)


def _duplicate_groups(engine: Engine) -> set[frozenset[int]]:
    """Every group of exact copies (an original and the posts linked to it), as post ids."""
    groups: dict[int, set[int]] = {}
    with engine.connect() as db:
        for post_id, original in db.execute(
            select(Post.id, Post.duplicate_of_id).where(Post.duplicate_of_id.is_not(None))
        ):
            groups.setdefault(original, {original}).add(post_id)
    return {frozenset(group) for group in groups.values()}
