"""Alembic's entry point: migrate the corpus at the URL ``corpus.schema`` configured.

Why the project's own engine: URL resolution (``--db``, ``$CORPUS_DATABASE_URL``), the psycopg
driver for plain ``postgresql://`` URLs and password masking stay in one place (corpus/db.py).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from corpus.db import get_engine, resolve_url
from corpus.models import Base

config = context.config


def run(connection: Connection) -> None:
    """Migrate on one connection; batch mode turns SQLite ALTERs into table copies."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = get_engine(resolve_url(config.get_main_option("sqlalchemy.url")))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch table copy drops the old table: with foreign keys on, SQLite would first
            # delete its rows (cascading to post terms). The pragma only works outside a
            # transaction, so it is set before Alembic opens one and restored after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            run(connection)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def run_offline() -> None:
    """``--sql`` mode: print the SQL for a DBA instead of running it."""
    context.configure(
        url=resolve_url(config.get_main_option("sqlalchemy.url")),
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
