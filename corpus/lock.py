"""One crawl of a site at a time: an exclusive, non-blocking file lock.

The kernel releases the lock when its process dies, even by SIGKILL, so a killed crawl never
blocks the next one.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from corpus.db import mask_url, resolve_url, sqlite_file

DEFAULT_LOCK_DIR = Path("data/locks")


class LockHeld(Exception):
    """Another crawl holds the lock; the message names it in one line."""


def corpus_identity(database_url: str) -> str:
    """What the URL points at, however it is spelled: the resolved SQLite file, or the
    server (host:port) and database; user names and passwords are not part of it."""
    database_url = resolve_url(database_url)  # a plain path is a SQLite file
    path = sqlite_file(database_url)
    if path is not None:
        return f"sqlite:{path.resolve()}"
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite":  # in memory: one per process
        return f"sqlite:memory:{os.getpid()}"
    host = (parsed.host or "localhost").lower()
    port = parsed.port or {"postgresql": 5432, "mysql": 3306}.get(parsed.get_backend_name(), "")
    return f"{parsed.get_backend_name()}://{host}:{port}/{parsed.database or ''}"


def lock_path(site: str, database_url: str, directory: Path = DEFAULT_LOCK_DIR) -> Path:
    digest = hashlib.sha1(corpus_identity(database_url).encode()).hexdigest()[:10]
    return Path(directory) / f"crawl-{site}-{digest}.lock"


class CrawlLock:
    """The lock of one site in one corpus, held from :meth:`acquire` to :meth:`release`
    (a Scrapy extension takes it when the crawl is built and drops it when it ends)."""

    def __init__(self, site: str, database_url: str, directory: Path = DEFAULT_LOCK_DIR) -> None:
        self.site = site
        self.database_url = database_url
        self.path = lock_path(site, database_url, directory)
        self._handle: IO[str] | None = None

    def acquire(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise LockHeld(
                f"another crawl of {self.site} into {mask_url(self.database_url)} is running "
                f"(pid {holder}, lock {self.path})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        return self.path

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


@contextmanager
def crawl_lock(site: str, database_url: str, directory: Path = DEFAULT_LOCK_DIR) -> Iterator[Path]:
    lock = CrawlLock(site, database_url, directory)
    path = lock.acquire()
    try:
        yield path
    finally:
        lock.release()
