"""``laocorpus``: the command-line tool for crawling, inspecting and exporting the corpus.

One module per command group (cli/crawl.py, inspect.py, publish.py, dedup.py, maintenance.py,
db.py, distributed.py, extract.py, maintainer.py); this one gathers them and turns every
anticipated failure into one line on stderr and an exit status (schema/exits.py). Tracebacks
are for bugs only.
"""

from __future__ import annotations

import sys

import click

from cli import crawl, db, dedup, distributed, extract, inspect, maintainer, maintenance, publish
from cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_IO, missing_extra
from corpus.db import CorpusError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lao-news-corpus")
def cli() -> None:
    """Lao News Corpus: crawl Lao news blogs into a clean SQL corpus and export it."""


for _group in (crawl, inspect, publish, dedup, maintenance, db, distributed, extract, maintainer):
    for _command in _group.COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every anticipated failure is one line on stderr, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="laocorpus", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("laocorpus: aborted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(2)
    except click.ClickException as exc:
        if exc.exit_code == EXIT_IO:
            _silence_stdout()  # stdout may be the file that is full
        click.echo(f"laocorpus: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except CorpusError as exc:
        click.echo(f"laocorpus: error: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    except ImportError as exc:  # a crawl-only install asked for analysis or publishing
        advice = missing_extra(exc)
        if advice is None:
            raise
        click.echo(f"laocorpus: error: {advice}", err=True)
        sys.exit(EXIT_FAILED)
    except OSError as exc:  # a file the command must write: read-only, no permission, disk full
        _silence_stdout()
        click.echo(f"laocorpus: error: {_os_error(exc)}", err=True)
        sys.exit(EXIT_IO)
    sys.exit(code if isinstance(code, int) else 0)


def _os_error(exc: OSError) -> str:
    """``FILE: reason`` from an OSError, in one line (the file the user named, when known)."""
    reason = exc.strerror or (str(exc).splitlines() or [type(exc).__name__])[0]
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit cannot fail a second time."""
    import os
    from contextlib import suppress

    with suppress(OSError):
        sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    main()
