"""The one shared MariaDB server: a database per test site, named so leftovers can be found.

Why the ``mysql`` client and not a Python driver: it comes with the server packages, so the
harness needs nothing beyond what ``install.sh`` installs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid

HOST = os.environ.get("REALWP_MYSQL_HOST", "127.0.0.1")
PORT = int(os.environ.get("REALWP_MYSQL_PORT", "3306"))
USER = os.environ.get("REALWP_MYSQL_USER", "root")
PREFIX = "realwp_"
_NAME = re.compile(rf"^{PREFIX}(\d+)_[0-9a-f]+$")


class MariaDBError(RuntimeError):
    pass


def _client(sql: str, timeout: float = 30) -> str:
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        raise MariaDBError("no mysql/mariadb client installed")
    command = [client, f"-h{HOST}", f"-P{PORT}", f"-u{USER}", "--batch", "--skip-column-names"]
    result = subprocess.run(
        [*command, "-e", sql], capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise MariaDBError(result.stderr.strip() or f"mysql exited {result.returncode}")
    return result.stdout


def unavailable_reason() -> str | None:
    """Why no site can be provisioned here, or None when the server answers."""
    try:
        _client("SELECT 1", timeout=10)
    except (MariaDBError, subprocess.TimeoutExpired, OSError) as exc:
        return f"MariaDB at {HOST}:{PORT} not usable: {exc}".splitlines()[0]
    return None


def new_database() -> str:
    """A fresh empty database whose name holds this process's id (see :func:`drop_stale`)."""
    name = f"{PREFIX}{os.getpid()}_{uuid.uuid4().hex[:10]}"
    _client(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci")
    return name


def drop_database(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"not a realwp database: {name!r}")
    _client(f"DROP DATABASE IF EXISTS `{name}`")


def drop_stale() -> list[str]:
    """Drop the databases of test processes that died before cleaning up after themselves."""
    dropped = []
    for name in _client(f"SHOW DATABASES LIKE '{PREFIX}%'").split():
        match = _NAME.match(name)
        if match and not process_alive(int(match[1])):
            drop_database(name)
            dropped.append(name)
    return dropped


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
