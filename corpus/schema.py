"""Schema revisions with Alembic: create a new corpus at the head revision, refuse any other.

A new, empty database gets the models' tables (``create_all``) and is stamped with the head
revision, in one transaction. Why not replay every migration: the models stay the one source
of the schema, a new corpus is one quick batch of DDL (the tests make hundreds), and
tests/test_migrations.py proves that replaying the migrations gives the models' schema exactly,
on SQLite and PostgreSQL. An existing corpus at any other revision is refused with one line
saying what to run; ``laocorpus db upgrade`` runs the migrations (corpus/migrations/).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from corpus.db import CorpusError, database_error, get_engine, mask_url
from corpus.models import SCHEMA_VERSION, Base, SchemaInfo

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
# Any constant: serializes schema creation when several workers open a new PG corpus at once.
CREATE_LOCK = 0x6C616F_636F7270


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration, built in code: no alembic.ini to find or keep in step."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        # ConfigParser interpolates '%': a URL-encoded password must survive it.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The revision this code's models correspond to."""
    revision = scripts().get_current_head()
    assert revision is not None, "corpus/migrations has no revision"
    return revision


def revision_of(connection: Connection) -> str | None:
    """The database's Alembic revision; None when it has no ``alembic_version`` table.

    Read with one query rather than through Alembic, which logs at every look.
    """
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade_command(url: str) -> str:
    return f"laocorpus db upgrade --db {mask_url(url)}"


def prepare(connection: Connection, url: str, create: bool = True) -> None:
    """Create the schema in an empty database, or check that an existing one is current.

    Runs inside ``init_db``'s transaction; raises a one-line CorpusError on any mismatch.
    With ``create=False`` (commands that only read) an empty database is refused, untouched.
    """
    if connection.dialect.name == "postgresql" and create:
        connection.execute(select(func.pg_advisory_xact_lock(CREATE_LOCK)))
    revision = revision_of(connection)
    if revision is None:
        if inspect(connection).has_table("posts"):
            raise CorpusError(
                f"database {mask_url(url)} was made before schema revisions "
                f"(it looks like {legacy_revision(connection)}): run `{upgrade_command(url)}`"
            )
        if not create:
            raise CorpusError(
                f"no corpus in {mask_url(url)}: the database is empty "
                "(run a crawl or `laocorpus demo`)"
            )
        Base.metadata.create_all(connection)
        connection.execute(SchemaInfo.__table__.insert().values(version=SCHEMA_VERSION))
        MigrationContext.configure(connection).stamp(scripts(), "head")
        return
    expected = head()
    if revision == expected:
        return
    if _is_known(revision):
        raise CorpusError(
            f"database {mask_url(url)} has schema revision {revision}, this code expects "
            f"{expected}: run `{upgrade_command(url)}`"
        )
    raise CorpusError(
        f"database {mask_url(url)} has schema revision {revision}, newer than this code's "
        f"{expected}: install the newer lao-news-corpus that made it"
    )


def _is_known(revision: str) -> bool:
    try:
        return scripts().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown or partial identifier
        return False


def legacy_revision(connection: Connection) -> str:
    """The revision whose schema a corpus made before migrations has, read from its tables."""
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    runs = {column["name"] for column in inspector.get_columns("crawl_runs")}
    if "post_revisions" in tables and "posts_gone" in runs:
        return "0003_scheduled_crawls"
    if "discovery" in runs:
        return "0002_discovery_neardup"
    return "0001_foundation"


def current(url: str) -> tuple[str | None, str]:
    """(the database's revision or None, head); an empty database or a legacy one say so.

    Only reads: the database is opened read-only.
    """
    with _connect(url, read_only=True) as connection:
        revision = revision_of(connection)
        if revision is None and inspect(connection).has_table("posts"):
            revision = f"none (made before revisions; looks like {legacy_revision(connection)})"
    return revision, head()


def upgrade(url: str, target: str = "head") -> tuple[str | None, str]:
    """Migrate the corpus at ``url`` to ``target``; returns (revision before, revision after).

    A corpus made before migrations is first stamped with the revision its tables show, so
    only the later steps run.
    """
    with _connect(url) as connection:
        before = revision_of(connection)
        if before is None and inspect(connection).has_table("posts"):
            before = legacy_revision(connection)
            MigrationContext.configure(connection).stamp(scripts(), before)
            connection.commit()
    try:
        command.upgrade(alembic_config(url), target)
    except SQLAlchemyError as exc:
        raise CorpusError(f"upgrade failed: {database_error(exc, url)}") from None
    with _connect(url) as connection:
        after = revision_of(connection)
    return before, after or "none"


@contextmanager
def _connect(url: str, read_only: bool = False) -> Iterator[Connection]:
    """A connection whose failure to open, or to read the database, is a one-line CorpusError."""
    try:
        connection = get_engine(url, read_only=read_only).connect()
    except SQLAlchemyError as exc:
        raise database_error(exc, url) from None
    with connection:
        try:
            yield connection
        except SQLAlchemyError as exc:
            raise database_error(exc, url) from None
