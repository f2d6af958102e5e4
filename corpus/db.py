"""Where the corpus lives and how to open it: URL resolution, engines, schema creation.

SQLite is the embedded default (WAL, so readers never block the crawl and a killed writer
leaves an intact file); PostgreSQL is the same code with another URL.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError

logger = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///data/corpus.sqlite"
ENV_VAR = "CORPUS_DATABASE_URL"


class CorpusError(Exception):
    """A problem a user can fix (bad URL, unreachable server); its message is one line."""


def resolve_url(explicit: str | None = None) -> str:
    """The explicit URL (option or Scrapy setting), else ``$CORPUS_DATABASE_URL``, else default."""
    return explicit or os.environ.get(ENV_VAR) or DEFAULT_DATABASE_URL


def mask_url(url: str) -> str:
    """The URL with its password hidden: the only form that may reach logs and run rows."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str) -> Engine:
    """One engine per URL per process, shared by the pipelines, extensions and CLI."""
    if url not in _ENGINES:
        _ENGINES[url] = _create_engine(url)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pooled connection (before dropping a test database, or at exit)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise CorpusError(f"invalid database URL: {mask_url(url)}") from None
    if parsed.drivername == "postgresql":  # plain postgresql:// means psycopg 3 here
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30}, json_serializer=_json_dumps)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 10},
            json_serializer=_json_dumps,
        )
    except (ImportError, ArgumentError) as exc:
        raise CorpusError(f"cannot use database {mask_url(url)}: {exc}") from None


def _json_dumps(value: object) -> str:
    """JSON columns keep Lao readable in the database, not as \\u escapes."""
    return json.dumps(value, ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_db(url: str) -> Engine:
    """Open the corpus, creating its tables on first use; errors become one-line CorpusErrors.

    A corpus at another schema revision than this code's is refused (corpus/schema.py).
    """
    from corpus import schema

    engine = get_engine(url)
    try:
        with engine.begin() as connection:
            schema.prepare(connection, url)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise CorpusError(f"cannot open database {mask_url(url)}: {reason}") from None
    except SQLAlchemyError as exc:
        raise CorpusError(f"database error on {mask_url(url)}: {exc.__class__.__name__}") from None
    return engine


def open_existing(url: str) -> Engine:
    """Open a corpus for reading; a missing SQLite file is an error, not a new empty corpus."""
    parsed = make_url(url) if "://" in url else None
    if parsed is None:
        raise CorpusError(f"invalid database URL: {mask_url(url)}")
    is_file = parsed.get_backend_name() == "sqlite" and parsed.database not in ("", ":memory:")
    if is_file and parsed.database and not Path(parsed.database).expanduser().exists():
        raise CorpusError(f"no corpus at {parsed.database} (run a crawl or `laocorpus demo`)")
    return init_db(url)


def with_retries(function, *args, seconds: float = 120.0, what: str = "write"):
    """Call ``function`` until the database answers, for up to ``seconds``.

    Each call is one transaction, so a failed attempt left nothing behind and can simply be
    repeated: a server restart or a locked SQLite file delays the crawl instead of losing posts.
    """
    deadline = time.monotonic() + seconds
    delay = 0.5
    while True:
        try:
            return function(*args)
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() + delay > deadline:
                raise
            reason = (
                str(exc.orig or exc).strip().splitlines()[0] if exc.orig else type(exc).__name__
            )
            logger.warning(
                "corpus unavailable during %s (%s): retrying in %.1f s", what, reason, delay
            )
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
