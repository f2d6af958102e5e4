"""Site-scoped identity, every author of a post, and where each field came from.

Revision ID: 0005_site_scoped_identity
Revises: 0004_distributed_workers
Create Date: 2026-12-01

- ``posts.url`` and ``rejects.url`` are unique per site, ``(site, url)``, no longer across the
  whole corpus: a site whose records link to another site's URL can no longer rewrite that
  site's row.
- ``posts.authors``: the post's authors in page order, backfilled from ``author`` (``[author]``,
  or ``[]`` when there was none).
- ``crawl_runs.field_sources``: ``{field: {source: count}}``, which discovery source gave each
  field (null for runs made before this revision).

The first release left the url constraints unnamed; PostgreSQL names them ``<table>_url_key``,
SQLite not at all, so the name is read from the database and, on SQLite, given by a naming
convention for the batch copy.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_site_scoped_identity"
down_revision = "0004_distributed_workers"
branch_labels = None
depends_on = None

SCOPED = {"posts": "uq_posts_site_url", "rejects": "uq_rejects_site_url"}
UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
BACKFILL = {
    "postgresql": "CASE WHEN author IS NULL THEN '[]'::json ELSE json_build_array(author) END",
    "sqlite": "CASE WHEN author IS NULL THEN '[]' ELSE json_array(author) END",
}


def _unique_on(table: str, columns: list[str]) -> str:
    """The name of the unique constraint on exactly ``columns`` (convention name if unnamed)."""
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if constraint["column_names"] == columns:
            return constraint["name"] or f"uq_{table}_{'_'.join(columns)}"
    raise RuntimeError(f"no unique constraint on {table}({', '.join(columns)})")


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("field_sources", sa.JSON(), nullable=True))
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("authors", sa.JSON(), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(f"UPDATE posts SET authors = {BACKFILL.get(dialect, BACKFILL['sqlite'])}")
    for table, name in SCOPED.items():
        old = _unique_on(table, ["url"])
        with op.batch_alter_table(table, naming_convention=UNNAMED) as batch:
            if table == "posts":
                batch.alter_column("authors", existing_type=sa.JSON(), nullable=False)
            batch.drop_constraint(old, type_="unique")
            batch.create_unique_constraint(name, ["site", "url"])


def downgrade() -> None:
    """Back to corpus-wide URLs: fails (as it must) if two sites now share a URL."""
    for table, name in SCOPED.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="unique")
            batch.create_unique_constraint(f"{table}_url_key", ["url"])
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("authors")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("field_sources")
