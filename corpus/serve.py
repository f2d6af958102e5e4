"""Browsing the corpus in Datasette: read-only, on 127.0.0.1 only, with full-text search in Lao.

Why trigrams: SQLite's word tokenizers split text at characters they do not count as letters,
and they do not count Lao vowel signs and tone marks (combining marks), so Lao words fall
apart. FTS5's trigram tokenizer indexes every three-character sequence instead, which finds any
Lao string of three characters or more without segmenting anything. The index
(``posts_fts``, external content over ``posts``) is rebuilt only when posts changed since it
was built. Datasette then opens the file as immutable: it cannot write to it, and it serves a
snapshot (restart it after a crawl).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from corpus.db import CorpusError, mask_url, read_only_uri, sqlite_file

HOST = "127.0.0.1"  # never 0.0.0.0: the corpus is served to this machine only
SEARCH_TABLE = "posts_fts"
_INFO_TABLE = "posts_fts_info"


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL; Datasette reads SQLite files only."""
    path = sqlite_file(url)
    if path is None and make_url(url).get_backend_name() != "sqlite":
        raise CorpusError(
            f"serve needs a SQLite corpus, not {mask_url(url)} (Datasette reads SQLite files; "
            "export to Parquet for other tools)"
        )
    if path is None:
        raise CorpusError("serve needs a SQLite corpus file, not an in-memory database")
    if not path.exists():
        raise CorpusError(f"no corpus at {path} (run a crawl or `laocorpus demo`)")
    return path


def writable(path: Path) -> bool:
    """Whether the corpus file and its directory can be written (False on read-only storage)."""
    return os.access(path, os.W_OK) and os.access(path.resolve().parent, os.W_OK)


def has_search_index(path: Path) -> bool:
    db = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        query = "SELECT 1 FROM sqlite_master WHERE name = ?"
        return db.execute(query, (SEARCH_TABLE,)).fetchone() is not None
    finally:
        db.close()


def build_search_index(path: Path) -> bool:
    """Create or refresh ``posts_fts`` (trigram FTS5 over title and text); True if rebuilt.

    A fingerprint of every post's id and record hash says whether anything changed. The
    write-ahead log is checkpointed at the end, because an immutable reader ignores it.
    """
    db = sqlite3.connect(path)
    try:
        with db:
            rebuilt = _refresh(db)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return rebuilt


def _refresh(db: sqlite3.Connection) -> bool:
    db.execute("PRAGMA busy_timeout=30000")
    digest = hashlib.sha256()
    for post_id, record_hash in db.execute("SELECT id, record_hash FROM posts ORDER BY id"):
        digest.update(f"{post_id}:{record_hash}\n".encode())
    fingerprint = digest.hexdigest()
    db.execute(f"CREATE TABLE IF NOT EXISTS {_INFO_TABLE} (fingerprint TEXT, built_at TEXT)")
    stored = db.execute(f"SELECT fingerprint FROM {_INFO_TABLE}").fetchone()
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (SEARCH_TABLE,)).fetchone()
    if exists and stored and stored[0] == fingerprint:
        return False
    db.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
    db.execute(
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
        'title, text, content="posts", content_rowid="id", tokenize="trigram")'
    )
    db.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')")
    db.execute(f"DELETE FROM {_INFO_TABLE}")
    db.execute(f"INSERT INTO {_INFO_TABLE} VALUES (?, datetime('now'))", (fingerprint,))
    return True


# Canned queries: the questions researchers ask first. Months and years are Vientiane time.
QUERIES: dict[str, dict[str, str]] = {
    "search": {
        "title": "Search posts (Lao, 3 characters or more)",
        "sql": (
            "select posts.id, posts.url, posts.title, posts.author, posts.published_at,\n"
            "  substr(posts.text, max(1, instr(posts.text, :q) - 80), length(:q) + 160)"
            " as excerpt\n"
            "from posts_fts join posts on posts.id = posts_fts.rowid\n"
            "where posts_fts match '\"' || replace(:q, '\"', '\"\"') || '\"'\n"
            "order by rank limit 100"
        ),
        "description": "Finds any string of three characters or more in titles and texts.",
    },
    "posts_per_month": {
        "title": "Posts per month",
        "sql": (
            "select strftime('%Y-%m', published_at, '+7 hours') as month, count(*) as posts\n"
            "from posts group by month order by month"
        ),
    },
    "posts_per_year": {
        "title": "Posts and words per year",
        "sql": (
            "select strftime('%Y', published_at, '+7 hours') as year, count(*) as posts,\n"
            "  sum(word_count) as words\n"
            "from posts group by year order by year"
        ),
    },
    "posts_by_category": {
        "title": "Posts by category",
        "sql": (
            "select terms.name as category, count(*) as posts\n"
            "from post_terms join terms on terms.id = post_terms.term_id\n"
            "where terms.taxonomy = 'category'\n"
            "group by terms.name order by posts desc, category"
        ),
    },
    "posts_by_author": {
        "title": "Posts by author",
        "sql": (
            "select coalesce(author, '(none)') as author, count(*) as posts\n"
            "from posts group by posts.author order by posts desc, author"
        ),
    },
    "near_duplicates": {
        "title": "Near-duplicate reposts and their originals",
        "sql": (
            "select post.url, post.title, original.url as original_url,\n"
            "  original.title as original_title, near_duplicates.similarity\n"
            "from near_duplicates\n"
            "join posts as post on post.id = near_duplicates.post_id\n"
            "join posts as original on original.id = near_duplicates.original_id\n"
            "order by near_duplicates.similarity"
        ),
    },
}


def metadata(database: str, search: bool = True) -> dict[str, Any]:
    """Datasette metadata: titles, the search table, hidden bulky columns, canned queries.

    Without ``search`` (a read-only corpus that has no index) the search parts are left out.
    """
    queries = QUERIES if search else {k: v for k, v in QUERIES.items() if k != "search"}
    posts: dict[str, Any] = {"sort_desc": "published_at", "facets": ["author", "language", "site"]}
    if search:
        posts.update(fts_table=SEARCH_TABLE, fts_pk="id")
    return {
        "title": "Lao News Corpus",
        "description": "Lao-language news posts, read-only. Search titles and texts in Lao.",
        "license": "Texts: copyright of their publishers; for research use",
        "source": "laocorpus",
        "databases": {
            database: {
                "tables": {
                    "posts": posts,
                    SEARCH_TABLE: {"hidden": True},
                    _INFO_TABLE: {"hidden": True},
                    "minhash_signatures": {"hidden": True},
                    "schema_info": {"hidden": True},
                },
                "queries": queries,
            }
        },
    }


def serve(path: Path, port: int) -> None:
    """Run Datasette on ``HOST:port`` until interrupted (SIGINT or SIGTERM end it cleanly)."""
    import asyncio

    import uvicorn
    from datasette.app import Datasette

    datasette = Datasette(
        immutables=[str(path)],
        metadata=metadata(path.stem, search=has_search_index(path)),
        settings={"sql_time_limit_ms": 5000, "default_page_size": 50},
    )
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(datasette.invoke_startup())
    finally:
        loop.close()
    uvicorn.run(datasette.app(), host=HOST, port=port, log_level="warning")
