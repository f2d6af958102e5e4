"""Writing an output file safely: a fresh temporary file beside it, renamed over it at the end.

Why not ``OUT.partial``: a fixed name is predictable, so a symlink planted there in advance
would make the export write through it to any file the user can write. The temporary file
here is created with ``O_EXCL`` under an unpredictable name (``tempfile``) in the target's own
directory, so the final ``os.replace`` is atomic and replaces a symlink at the target itself
instead of following it. A failed write removes the temporary file and leaves the target as
it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def replacing(path: Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """An open temporary file that becomes ``path`` when the block ends without an error.

    ``mode`` is "w" (text, ``open_args`` as for ``open``: encoding, newline) or "wb".
    The file gets the permissions a plain ``open`` would give (0666 less the umask), not
    tempfile's 0600.
    """
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, before the rename)
            mode,
            dir=path.parent,
            prefix=f".{path.name}.",
            suffix=".partial",
            delete=False,
            **open_args,
        )
    except OSError as exc:
        raise _naming(exc, path) from exc
    try:
        try:
            os.chmod(handle.fileno(), 0o666 & ~_umask())
            yield handle
        except BaseException:
            with suppress(OSError):  # flushing again on a full disk must not hide the first error
                handle.close()
            raise
        handle.close()
        os.replace(handle.name, path)
    except BaseException as exc:
        with suppress(OSError):
            Path(handle.name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _naming(exc, path) from exc
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """The error with the file the user named, not the temporary one (or none: ENOSPC)."""
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


def write_text(path: Path, text: str) -> Path:
    """``path.write_text(text)`` (UTF-8), through :func:`replacing`."""
    with replacing(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
