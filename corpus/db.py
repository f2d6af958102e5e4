"""Where the corpus lives and how to open it: URL resolution, engines, schema creation.

SQLite is the embedded default (WAL, so readers never block the crawl and a killed writer
leaves an intact file); PostgreSQL is the same code with another URL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from corpus.models import SCHEMA_VERSION, Base, SchemaInfo

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
    """Open the corpus, creating its tables on first use; errors become one-line CorpusErrors."""
    engine = get_engine(url)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table(SchemaInfo.__tablename__):
                Base.metadata.create_all(connection)
                connection.execute(SchemaInfo.__table__.insert().values(version=SCHEMA_VERSION))
                return engine
            version = connection.execute(select(SchemaInfo.version)).scalar()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise CorpusError(f"cannot open database {mask_url(url)}: {reason}") from None
    except SQLAlchemyError as exc:
        raise CorpusError(f"database error on {mask_url(url)}: {exc.__class__.__name__}") from None
    if version != SCHEMA_VERSION:
        raise CorpusError(
            f"database {mask_url(url)} has schema version {version}, "
            f"this code expects {SCHEMA_VERSION}"
        )
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
