"""Lao full-text search over word-segmented text: every Lao word, of any length, is a token.

Why segment: Lao is written without spaces, and SQLite's trigram tokenizer cannot find a word
of one or two characters (ປີ "year", ມີ "have"). Here ICU's Lao dictionary (``lao.words``,
the segmenter the corpus already counts words with) splits titles and texts into words, after
``lao.search_key`` (when text/lao.py has one) folded ໜ/ຫນ, ໝ/ຫມ spellings and case, and
the space-joined result is indexed by FTS5's ``unicode61`` tokenizer, told that Lao vowel
signs and tone marks are part of words (by default it splits words at every combining mark)
and never to strip diacritics. A query goes through the same steps (``match_query``), so a
word matches exactly the posts whose segmented text holds that word.

Two tables are kept beside the corpus's own, refreshed incrementally by ``refresh``:

* ``posts_browse``: one readable row per post for Datasette: title, time, site, author,
  categories and tags (JSON lists), word count, URL, then the text; no ``body_html``.
* ``posts_fts``: a contentless FTS5 index (rowid = ``posts.id``) of the segmented title and
  text. Contentless, so the text is not stored twice: ``posts_browse`` keeps the text the
  index was built from, which is what FTS5 needs to delete a post's old entry.

``posts_search_state`` records what each post looked like when indexed, ``posts_fts_info``
the segmentation scheme: a different ICU version, fold or tokenizer rebuilds everything.
None of these tables references ``posts`` (a view or foreign key would break the SQLite
table rebuilds that schema migrations do), so they never stand in a migration's way.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import regex

from text import lao

SEARCH_TABLE = "posts_fts"
BROWSE_TABLE = "posts_browse"
STATE_TABLE = "posts_search_state"
INFO_TABLE = "posts_fts_info"
TABLES = (BROWSE_TABLE, SEARCH_TABLE, STATE_TABLE, INFO_TABLE)

# Lao combining marks (vowel signs, tone marks, cancellation mark): unicode61 would split
# words at each of them, so they are declared token characters.
_LAO_MARKS = "".join(
    chr(code) for code in range(0x0E80, 0x0F00) if unicodedata.category(chr(code)).startswith("M")
)
TOKENIZE = f"unicode61 remove_diacritics 0 tokenchars '{_LAO_MARKS}'"
_QUOTED_OR_WORD = regex.compile(r'"([^"]*)"?|(\S+)')

# Written with both spellings of ໜ and ໝ: if the fold changes, so does the scheme.
_FOLD_PROBE = "ໜ້າ ຫນ້າ ໝາກ ຫມາກ ຫຼາຍ ຫລາຍ ໒໐໑໖ ASEAN"


def _fold() -> Callable[[str], str] | None:
    """text/lao.py's search fold (ໜ/ຫນ, ໝ/ຫມ) if it has one; looked up at each call."""
    return getattr(lao, "search_key", None)


def tokens(text: str) -> list[str]:
    """The searchable words of ``text``: the search fold, then ICU Lao segmentation (the fold
    goes to the spellings ICU's dictionary knows, so folding first segments alike)."""
    fold = _fold()
    return lao.words(fold(text) if fold else text)


def index_text(text: str | None) -> str:
    """What the index holds for a title or text: its tokens, space-joined."""
    return " ".join(tokens(text or ""))


def match_query(query: str | None) -> str:
    """The FTS5 query for what a reader typed: each space-separated part (or "quoted phrase")
    becomes a phrase of its segmented words, and all parts must match.

    ``ກອງປະຊຸມ`` gives ``"ກອງ ປະຊຸມ"`` (the two words, adjacent). Nothing searchable (only
    punctuation) gives ``""``, which matches no post rather than raising an error.
    """
    phrases = []
    for match in _QUOTED_OR_WORD.finditer(query or ""):
        words = tokens(match.group(1) if match.group(1) is not None else match.group(2))
        if words:
            phrases.append('"' + " ".join(word.replace('"', '""') for word in words) + '"')
    return " ".join(phrases) or '""'


def excerpt(text: str | None, query: str | None, width: int = 160) -> str:
    """About ``width`` characters of ``text`` around the first word of ``query`` it contains
    (the text's start if none is found as written, e.g. found only through the fold)."""
    text = text or ""
    start = 0
    for word in lao.words(query or ""):
        found = text.find(word)
        if found >= 0:
            start = max(0, found - width // 2)
            break
    piece = text[start : start + width].replace("\n", " ")
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def scheme() -> str:
    """What the index depends on: tokenizer, ICU version and fold (by its effect on a probe)."""
    import icu

    fold = _fold()
    folded = fold(_FOLD_PROBE) if fold else "-"
    digest = hashlib.sha256(f"{TOKENIZE}\n{folded}".encode()).hexdigest()[:16]
    return f"icu-words/1 icu={icu.ICU_VERSION} {digest}"


@dataclass(frozen=True)
class Refresh:
    """What one ``refresh`` did: posts (re)indexed, removed, and whether it started afresh."""

    added: int
    updated: int
    removed: int
    rebuilt: bool
    posts: int

    def summary(self) -> str:
        if self.rebuilt:
            return f"search index built: {self.posts:,} posts"
        if not (self.added or self.updated or self.removed):
            return f"search index up to date: {self.posts:,} posts"
        return (
            f"search index refreshed: {self.added:,} added, {self.updated:,} updated, "
            f"{self.removed:,} removed; {self.posts:,} posts"
        )


# What decides that a post must be re-indexed: every stored field (record_hash), plus the two
# fields browse rows show that are set outside the record (gone, duplicate of).
_KEY_SQL = (
    "p.record_hash || '|' || coalesce(p.gone_at, '') || '|' || coalesce(p.duplicate_of_id, '')"
)
_TERMS_SQL = (
    "(select json_group_array(name) from (select terms.name from post_terms"
    " join terms on terms.id = post_terms.term_id"
    " where post_terms.post_id = p.id and terms.taxonomy = '{taxonomy}'"
    " order by post_terms.position))"
)


def _create(db: sqlite3.Connection) -> None:
    for table in TABLES:
        db.execute(f"DROP TABLE IF EXISTS {table}")
    db.execute(
        f"CREATE TABLE {BROWSE_TABLE} (id INTEGER PRIMARY KEY, title TEXT, published_at TEXT,"
        " site TEXT, author TEXT, categories TEXT, tags TEXT, word_count INTEGER,"
        f" language TEXT, duplicate_of_id INTEGER REFERENCES {BROWSE_TABLE}(id),"
        " gone_at TEXT, url TEXT, text TEXT)"
    )
    for column in ("published_at", "site", "author"):
        db.execute(f"CREATE INDEX ix_{BROWSE_TABLE}_{column} ON {BROWSE_TABLE} ({column})")
    db.execute(
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
        f"title, text, content='', tokenize=\"{TOKENIZE}\")"
    )
    db.execute(f"CREATE TABLE {STATE_TABLE} (id INTEGER PRIMARY KEY, key TEXT NOT NULL)")
    db.execute(f"CREATE TABLE {INFO_TABLE} (scheme TEXT, built_at TEXT)")


def current_scheme(db: sqlite3.Connection) -> str | None:
    """The scheme the file's index was built with; None if it has no (complete) index."""
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    if not set(TABLES) <= names:
        return None
    row = db.execute(f"SELECT scheme FROM {INFO_TABLE}").fetchone()
    return row[0] if row else None


def _unindex(db: sqlite3.Connection, ids: list[int]) -> None:
    """Delete posts' entries: a contentless index needs the very words it was given."""
    for post_id, title, text in _rows(
        db, f"SELECT id, title, text FROM {BROWSE_TABLE} WHERE id IN ({{}})", ids
    ):
        db.execute(
            f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, title, text)"
            " VALUES ('delete', ?, ?, ?)",
            (post_id, index_text(title), index_text(text)),
        )
    for table in (BROWSE_TABLE, STATE_TABLE):
        for chunk in _chunks(ids):
            db.execute(f"DELETE FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk)


def _index(db: sqlite3.Connection, ids: list[int]) -> None:
    query = (
        "SELECT p.id, p.title, p.published_at, p.site, p.author,"
        f" {_TERMS_SQL.format(taxonomy='category')}, {_TERMS_SQL.format(taxonomy='tag')},"
        " p.word_count, p.language, p.duplicate_of_id, p.gone_at, p.url, p.text,"
        f" {_KEY_SQL} FROM posts AS p WHERE p.id IN ({{}})"
    )
    for row in _rows(db, query, ids):
        db.execute(f"INSERT INTO {BROWSE_TABLE} VALUES ({','.join('?' * 13)})", row[:13])
        db.execute(
            f"INSERT INTO {SEARCH_TABLE}(rowid, title, text) VALUES (?, ?, ?)",
            (row[0], index_text(row[1]), index_text(row[12])),
        )
        db.execute(f"INSERT INTO {STATE_TABLE} VALUES (?, ?)", (row[0], row[13]))


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _rows(db: sqlite3.Connection, query: str, ids: list[int]) -> Iterable[tuple]:
    for chunk in _chunks(ids):
        yield from db.execute(query.format(",".join("?" * len(chunk))), chunk).fetchall()


def refresh(db: sqlite3.Connection, progress: Callable[[int, int], None] | None = None) -> Refresh:
    """Bring the search tables in line with ``posts``: only new, changed and deleted posts are
    touched, unless the scheme changed (then everything is rebuilt). Call inside a transaction.

    ``progress(done, total)`` is called after each batch of posts indexed.
    """
    wanted = scheme()
    rebuilt = current_scheme(db) != wanted
    if rebuilt:
        _create(db)
        db.execute(f"INSERT INTO {INFO_TABLE} VALUES (?, datetime('now'))", (wanted,))
    stale = [
        row[0]
        for row in db.execute(
            f"SELECT s.id FROM {STATE_TABLE} AS s LEFT JOIN posts AS p ON p.id = s.id"
            f" WHERE p.id IS NULL OR s.key != {_KEY_SQL}"
        )
    ]
    fresh = [
        row[0]
        for row in db.execute(
            f"SELECT p.id FROM posts AS p LEFT JOIN {STATE_TABLE} AS s ON s.id = p.id"
            f" WHERE s.id IS NULL OR s.key != {_KEY_SQL} ORDER BY p.id"
        )
    ]
    _unindex(db, stale)
    for done, chunk in enumerate(_chunks(fresh), start=1):
        _index(db, chunk)
        if progress:
            progress(min(done * 500, len(fresh)), len(fresh))
    updated = len(set(stale) & set(fresh))
    if fresh or stale:
        db.execute(f"UPDATE {INFO_TABLE} SET built_at = datetime('now')")
    total = db.execute(f"SELECT count(*) FROM {STATE_TABLE}").fetchone()[0]
    return Refresh(len(fresh) - updated, updated, len(stale) - updated, rebuilt, total)


def build(path: Path, progress: Callable[[int, int], None] | None = None) -> Refresh:
    """Refresh the search tables of the SQLite corpus at ``path`` in one transaction.

    The write-ahead log is checkpointed at the end, because an immutable reader ignores it.
    """
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA busy_timeout=30000")
        with db:
            result = refresh(db, progress)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return result
