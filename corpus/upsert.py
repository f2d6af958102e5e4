"""What makes several writers safe on one PostgreSQL corpus: upserts, locks, retries.

Distributed workers write batches at the same time. Unique constraints are the arbiters:
inserts are ``INSERT ... ON CONFLICT`` (PostgreSQL and SQLite both speak it), so two workers
storing the same post or term never make two rows and never fail on each other's row. Rows
being compared are read ``FOR UPDATE`` (see corpus/writer.py), so an update always starts from
the latest committed version and no revision is lost. Posts sharing a text are serialized
by a transaction-scoped advisory lock on the content hash, so duplicate resolution sees every
copy. Locks are taken in a fixed order; the rare deadlock PostgreSQL still detects (or a
unique race nothing above anticipated) rolls the batch back, and it is simply run again.

SQLite has one writer at a time, so there the locks are no-ops.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# First key of the two-key advisory lock: a namespace, so hash locks never meet other users'.
HASH_LOCK_CLASS = 0x4C4E43  # "LNC"
ATTEMPTS = 6
# SQLSTATEs worth a retry: serialization failure, deadlock, unique violation (a lost race).
RETRY_SQLSTATES = {"40001", "40P01", "23505"}


def insert(connection: Connection, table: Any):
    """An INSERT with ``on_conflict_do_nothing``/``on_conflict_do_update`` for this dialect."""
    target = table.__table__ if hasattr(table, "__table__") else table
    if connection.dialect.name == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)


def lock_texts(connection: Connection, content_hashes: Iterable[str]) -> None:
    """Hold, until commit, one lock per text: writers of copies of a text take turns.

    Sorted, in one statement, so two batches never wait for each other in opposite orders.
    """
    hashes = sorted(set(content_hashes))
    if not hashes or connection.dialect.name != "postgresql":
        return
    connection.execute(
        text(
            "SELECT pg_advisory_xact_lock(:class, k) FROM "
            "(SELECT hashtext(h) AS k FROM unnest(:hashes) AS h ORDER BY k) AS keys"
        ).bindparams(bindparam("hashes", type_=postgresql.ARRAY(postgresql.TEXT))),
        {"class": HASH_LOCK_CLASS, "hashes": hashes},
    ).all()


def is_transient(exc: BaseException) -> bool:
    """A failure that running the same transaction again can cure."""
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in RETRY_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)  # SQLite, past its busy timeout


def retrying(function: Callable[[], T], what: str = "batch") -> T:
    """Run a transaction, again after a deadlock or a lost race (with a random back-off)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return function()
        except DBAPIError as exc:
            if attempt == ATTEMPTS or not is_transient(exc):
                raise
            delay = random.uniform(0.02, 0.1) * attempt
            reason = str(exc.orig).strip().splitlines()[0]
            logger.info("%s rolled back (%s); retrying in %.2f s", what, reason, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")
