"""Browsing the corpus in Datasette: read-only, on 127.0.0.1 only, with Lao search by words.

Before serving, ``publish.search`` brings its tables up to date: ``posts_fts``, a full-text
index over ICU word-segmented titles and texts (so ປີ, a word of two characters, is found),
and ``posts_browse``, the posts as a reader wants them (categories and tags, no HTML). The
plugin in publish/datasette/ segments what is typed in the search box the same way, shows
times with their zone and keeps tracebacks out of the terminal for ordinary errors.
Datasette then opens the file as immutable: it cannot write to it, and it serves a snapshot
(restart it after a crawl).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url

from corpus.db import CorpusError, mask_url, read_only_uri, sqlite_file
from publish import search
from publish.datasette import STATIC, TEMPLATES

HOST = "127.0.0.1"  # never 0.0.0.0: the corpus is served to this machine only
SEARCH_TABLE, BROWSE_TABLE = search.SEARCH_TABLE, search.BROWSE_TABLE
STATE_TABLE, INFO_TABLE = search.STATE_TABLE, search.INFO_TABLE
STATIC_MOUNT = "laocorpus-static"
_DEFAULT_EXCEPTION_HANDLER = "datasette.handle_exception"
PAGE_SIZE = 50


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
    """Whether the file holds a complete search index built the way this code searches."""
    db = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        return search.current_scheme(db) == search.scheme()
    finally:
        db.close()


def build_search_index(
    path: Path, progress: Callable[[int, int], None] | None = None
) -> search.Refresh:
    """Create or refresh the search and browse tables (incremental, see publish/search.py)."""
    return search.build(path, progress)


# Canned queries: the questions researchers ask first. Months and years are Vientiane time.
QUERIES: dict[str, dict[str, str]] = {
    "search": {
        "title": "Search posts by Lao words",
        "sql": (
            "select count(*) over () as matches, b.id, b.title, b.published_at, b.categories,\n"
            "  lao_excerpt(b.text, :q) as excerpt, b.url\n"
            "from posts_fts join posts_browse as b on b.id = posts_fts.rowid\n"
            "where posts_fts match lao_match(:q)\n"
            "order by rank, b.id\n"
            f"limit {PAGE_SIZE} offset {PAGE_SIZE} * "
            "(max(1, cast(coalesce(nullif(:page, ''), '1') as integer)) - 1)"
        ),
        "description": (
            "Finds posts whose title or text holds every word typed, of any length (ປີ, ນາ), "
            "words as ICU segments them. 'matches' is the number of posts found; "
            f"{PAGE_SIZE} are shown per page (page 2, 3…). The search box on posts_browse "
            "gives the same posts, with Datasette's pages and facets."
        ),
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
    """Datasette metadata: titles, readable posts, the search table, canned queries, style.

    Without ``search`` (a read-only corpus that has no current index) the search parts and
    ``posts_browse`` (built with the index) are left out.
    """
    queries = QUERIES if search else {k: v for k, v in QUERIES.items() if k != "search"}
    tables: dict[str, Any] = {
        "posts": {
            "sort_desc": "published_at",
            "facets": ["site", "author", "language"],
            "description": "The posts as stored. Tables hide body_html (?_col=body_html shows "
            "it); row pages fold it." + (" Posts (posts_browse) reads better." if search else ""),
        },
        "minhash_signatures": {"hidden": True},
        "schema_info": {"hidden": True},
        "alembic_version": {"hidden": True},
    }
    if search:
        tables["posts"].update(fts_table=SEARCH_TABLE, fts_pk="id")
        tables[BROWSE_TABLE] = {
            "title": "Posts",
            "description": (
                "One row per post: categories, tags, times in UTC (Vientiane time on hover). "
                "The search box finds Lao words of any length."
            ),
            "sort_desc": "published_at",
            "facets": [{"array": "categories"}, {"array": "tags"}, "site"],
            "facet_size": 5,  # the table, not the facets, fills the first screen
            "fts_table": SEARCH_TABLE,
            "fts_pk": "id",
            "label_column": "title",
        }
        for table in (SEARCH_TABLE, STATE_TABLE, INFO_TABLE):
            tables[table] = {"hidden": True}
    return {
        "title": "Lao News Corpus",
        "description": "Lao-language news posts, read-only. Search titles and texts in Lao.",
        "license": "Texts: copyright of their publishers; for research use",
        "source": "laocorpus",
        "extra_css_urls": [f"/{STATIC_MOUNT}/corpus.css"],
        "databases": {
            database: {
                "description_html": (
                    f'Start with <a href="{quote(database)}/{BROWSE_TABLE}">Posts</a>: '
                    "search it in Lao, facet it by category."
                    if search
                    else "Search needs <code>laocorpus index</code> on a writable copy."
                ),
                "tables": tables,
                "queries": queries,
            }
        },
    }


def datasette_app(path: Path) -> Any:
    """The Datasette instance for ``path`` (not yet started), with the corpus plugin."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from publish.datasette import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="laocorpus")
    # Datasette calls every exception handler, and its own prints each exception with its
    # locals (150 lines for a 404); the plugin's handler answers every exception instead.
    if pm.has_plugin(_DEFAULT_EXCEPTION_HANDLER):
        pm.unregister(name=_DEFAULT_EXCEPTION_HANDLER)
    return Datasette(
        immutables=[str(path)],
        metadata=metadata(path.stem, search=has_search_index(path)),
        template_dir=str(TEMPLATES),
        static_mounts=[(STATIC_MOUNT, str(STATIC))],
        settings={
            "sql_time_limit_ms": 5000,
            "default_page_size": PAGE_SIZE,
            "truncate_cells_html": 240,  # tables cut long texts; row pages show them whole
        },
    )


def serve(path: Path, port: int) -> None:
    """Run Datasette on ``HOST:port`` until interrupted (SIGINT or SIGTERM end it cleanly)."""
    import asyncio

    import uvicorn

    datasette = datasette_app(path)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(datasette.invoke_startup())
    finally:
        loop.close()
    # No access log: the terminal shows problems, not every request.
    uvicorn.run(datasette.app(), host=HOST, port=port, log_level="warning", access_log=False)
