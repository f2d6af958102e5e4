"""Where the corpus lives and how to open it: URL resolution, engines, schema creation.

SQLite is the embedded default (WAL, so readers never block the crawl and a killed writer
leaves an intact file); PostgreSQL is the same code with another URL.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
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


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def resolve_url(explicit: str | None = None) -> str:
    """The explicit URL (option or Scrapy setting), else ``$CORPUS_DATABASE_URL``, else default.

    A plain path (no ``scheme://``) is a SQLite file: ``--db data/c.sqlite`` is what people type.
    """
    url = explicit or os.environ.get(ENV_VAR) or DEFAULT_DATABASE_URL
    return url if _SCHEME.match(url) else f"sqlite:///{url}"


def mask_url(url: str) -> str:
    """The URL with its password hidden: the only form that may reach logs and run rows."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # still say which URL, without what sits before an '@'
        return re.sub(r"://[^/@]*@", "://***@", url)


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other backends and in-memory databases."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise CorpusError(f"invalid database URL: {mask_url(url)}") from None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


_ENGINES: dict[tuple[str, bool], Engine] = {}


def backend_of(url: str) -> str:
    """``sqlite`` or ``postgresql`` (or another dialect) for a database URL; a bad URL is one
    CorpusError line."""
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        raise CorpusError(f"invalid database URL: {mask_url(url)}") from None


def get_engine(url: str, *, read_only: bool = False) -> Engine:
    """One engine per URL per process, shared by the pipelines, extensions and CLI.

    A ``read_only`` engine cannot write (SQLite ``mode=ro``, PostgreSQL read-only
    transactions): what the commands that only read a corpus use.
    """
    key = (url, read_only)
    if key not in _ENGINES:
        _ENGINES[key] = _create_engine(url, read_only)
    return _ENGINES[key]


def dispose_engines() -> None:
    """Close every pooled connection (before dropping a test database, or at exit)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def _create_engine(url: str, read_only: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise CorpusError(f"invalid database URL: {mask_url(url)}") from None
    if parsed.drivername == "postgresql":  # plain postgresql:// means psycopg 3 here
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if read_only and path is not None:
            uri = read_only_uri(path)
            engine = create_engine(
                parsed,
                creator=lambda: sqlite3.connect(uri, uri=True, timeout=30),
                json_serializer=_json_dumps,
            )
            event.listen(engine, "connect", _sqlite_read_only_pragmas)
            return engine
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30}, json_serializer=_json_dumps)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, object] = {"connect_timeout": 10}
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    try:
        return create_engine(
            parsed, pool_pre_ping=True, connect_args=connect_args, json_serializer=_json_dumps
        )
    except (ImportError, ArgumentError) as exc:
        raise CorpusError(f"cannot use database {mask_url(url)}: {exc}") from None


def _json_dumps(value: object) -> str:
    """JSON columns keep Lao readable in the database, not as \\u escapes."""
    return json.dumps(value, ensure_ascii=False)


def read_only_uri(path: Path) -> str:
    """A SQLite URI that opens ``path`` read-only; ``immutable`` when its directory is too.

    Why immutable: a WAL-mode reader needs a writable ``-shm`` beside the file; on read-only
    storage (an archived corpus, a shared dataset) nothing can write it, and nothing can
    change the file either, so SQLite may read it without any locking.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return uri + "&immutable=1" if not os.access(path.resolve().parent, os.W_OK) else uri


def _sqlite_read_only_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_db(url: str, *, create: bool = True, read_only: bool = False) -> Engine:
    """Open the corpus, creating its tables on first use; errors become one-line CorpusErrors.

    A corpus at another schema revision than this code's is refused (corpus/schema.py);
    with ``create=False`` so is an empty database.
    """
    from corpus import schema

    engine = get_engine(url, read_only=read_only)
    try:
        with engine.begin() as connection:
            schema.prepare(connection, url, create=create)
    except SQLAlchemyError as exc:
        raise database_error(exc, url) from None
    return engine


def database_error(exc: SQLAlchemyError, url: str) -> CorpusError:
    """The one line that says why the database at ``url`` could not be used.

    A file that is not SQLite is recognised from SQLite's own error, never by opening the file
    to read its header: closing any descriptor of a database file drops every POSIX lock this
    process holds on it, and another process could then take itself for the last connection
    and delete the write-ahead log under this one's feet.
    """
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = lines[0] if lines else ""
    path = sqlite_file(url)
    if path is not None and "file is not a database" in reason:
        return CorpusError(f"not a SQLite database: {path}")
    if path is not None and "malformed" in reason:
        return CorpusError(f"corrupt SQLite database: {path} ({reason})")
    if isinstance(exc, OperationalError):
        if path is not None and "unable to open database file" in reason:
            return CorpusError(f"cannot open database {path}: {reason}")
        return CorpusError(f"cannot open database {mask_url(url)}: {reason}")
    return CorpusError(f"database error on {mask_url(url)}: {reason or exc.__class__.__name__}")


def open_existing(url: str, *, read_only: bool = True) -> Engine:
    """Open a corpus that must exist already: a missing file or an empty database is an error.

    Read-only by default, so a command that only reads never creates or changes a database,
    and a corpus on read-only storage opens (see :func:`read_only_uri`).
    """
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise CorpusError(f"no corpus at {path} (run a crawl or `laocorpus demo`)")
    return init_db(url, create=False, read_only=read_only)


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
