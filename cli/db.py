"""``laocorpus db upgrade|current``: the corpus schema's revision, and migrating it.

The crawler and every command refuse a corpus at another revision than the code's, with one
line naming the command here to run (see corpus/schema.py).
"""

from __future__ import annotations

import click

from cli.options import DB_OPTION
from corpus.db import CorpusError, mask_url, resolve_url, sqlite_file


@click.group("db")
def db() -> None:
    """The corpus schema: which revision a database has, and upgrading it."""


@db.command()
@DB_OPTION
def upgrade(database: str | None) -> None:
    """Migrate the corpus to this code's schema revision (an empty database is created).

    Back up a corpus first: SQLite copies some tables while migrating, PostgreSQL runs each
    upgrade in one transaction.
    """
    from corpus import schema

    url = resolve_url(database)
    before, after = schema.upgrade(url)
    if before == after:
        click.echo(f"{mask_url(url)} is at revision {after} already")
    else:
        click.echo(f"upgraded {mask_url(url)} from {before or 'an empty database'} to {after}")


@db.command()
@DB_OPTION
def current(database: str | None) -> None:
    """Print the corpus's schema revision and the one this code expects; exit 1 if they differ."""
    from corpus import schema

    url = resolve_url(database)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise CorpusError(f"no corpus at {path}")
    revision, head = schema.current(url)
    click.echo(f"{mask_url(url)}: revision {revision or 'none (empty database)'}")
    click.echo(f"this code expects: {head}")
    if revision != head:
        raise click.ClickException(f"run `{schema.upgrade_command(url)}`")


COMMANDS = (db,)
