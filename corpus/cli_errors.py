"""The exit statuses of ``laocorpus`` and the one-line error for a file it cannot write.

Why one module: every command (crawl, export, card, the maintainer tools) maps the same
failure to the same status, and the README's table lists these constants.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

EXIT_FAILED = 1  # the work failed: a crawl run, the database, `db current` found another revision
EXIT_USAGE = 2  # misuse: unknown command, option, site or field, an invalid value (click's 2)
EXIT_IO = 74  # EX_IOERR: a file the command writes (output, log, lock) could not be written
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl of the site runs; cron may simply try again later
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


# The optional extras of pyproject.toml, by the top-level module each distribution installs: a
# command that needs a missing one says which extra to install (tests/test_crawl_only.py checks
# this table against pyproject.toml).
MODULE_EXTRAS = {
    "numpy": "analysis",
    "pyarrow": "publish",
    "matplotlib": "publish",
    "yaml": "publish",
    "fontTools": "publish",
    "datasette": "publish",
    "uvicorn": "publish",
    "redis": "distributed",
    "scrapy_redis": "distributed",
}


def missing_extra(error: ImportError) -> str | None:
    """The one-line advice for a module of an optional extra that is not installed, or None."""
    module = (getattr(error, "name", None) or "").split(".")[0]
    extra = MODULE_EXTRAS.get(module)
    if extra is None:
        return None
    return (
        f"this command needs the {extra!r} extra ({module} is not installed): "
        f"pip install 'lao-news-corpus[{extra}]'"
    )


class CannotWrite(click.ClickException):
    """A file or directory the command must write is read-only, not permitted, or full."""

    exit_code = EXIT_IO

    def __init__(self, what: str | Path, error: OSError) -> None:
        reason = error.strerror or (str(error).splitlines() or [type(error).__name__])[0]
        super().__init__(f"cannot write {what}: {reason}")


@contextmanager
def writing(what: str | Path) -> Iterator[None]:
    """Turn an OSError raised in the block into :class:`CannotWrite` naming ``what``."""
    try:
        yield
    except BrokenPipeError:  # `export -o - | head`: click ends it quietly (status 1)
        raise
    except OSError as exc:
        raise CannotWrite(what, exc) from None


def output_path(path: str | Path, option: str = "--output") -> Path:
    """``path``, whose directory must exist: a typo in it is a usage error, not a new tree."""
    path = Path(path)
    if not path.parent.is_dir():
        raise click.BadParameter(f"directory {path.parent} does not exist", param_hint=option)
    return path


def writable_file(path: str | Path) -> Path:
    """Create ``path``'s directory and open the file for appending, or fail in one line.

    Why before the work starts: a crawl that cannot write its log should say so at once,
    not after an hour of fetching (or with a traceback from deep inside logging).
    """
    path = Path(path)
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    return path


def writable_dir(path: str | Path) -> Path:
    """Create the directory ``path`` (and parents) and check that files can be made in it."""
    import tempfile

    path = Path(path)
    with writing(path):
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    return path
