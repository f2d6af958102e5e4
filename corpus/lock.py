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

from corpus.db import mask_url

DEFAULT_LOCK_DIR = Path("data/locks")


class LockHeld(Exception):
    """Another crawl holds the lock; the message names it in one line."""


def lock_path(site: str, database_url: str, directory: Path = DEFAULT_LOCK_DIR) -> Path:
    digest = hashlib.sha1(mask_url(database_url).encode()).hexdigest()[:10]
    return directory / f"crawl-{site}-{digest}.lock"


@contextmanager
def crawl_lock(site: str, database_url: str, directory: Path = DEFAULT_LOCK_DIR) -> Iterator[Path]:
    path = lock_path(site, database_url, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise LockHeld(
                f"another crawl of {site} into {mask_url(database_url)} is running "
                f"(pid {holder}, lock {path})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
