"""Scheduled crawls (commit 6849b2c): run mode and failures, gone posts, post revisions.

Revision ID: 0003_scheduled_crawls
Revises: 0002_discovery_neardup
Create Date: 2025-11-25

``posts_gone`` gets a server default of 0 so that existing runs have a value; the models set
it in Python, so fresh corpora have no server default (harmless either way).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_scheduled_crawls"
down_revision = "0002_discovery_neardup"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("modified_at", TIME, nullable=True),
        sa.Column("fetched_at", TIME, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_post_revisions_post_id", "post_revisions", ["post_id"])
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("mode", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("failure", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("posts_gone", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    # Earlier runs always walked everything.
    op.execute("UPDATE crawl_runs SET mode = 'full' WHERE mode IS NULL")
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("minhash_signatures")}
    if "compared_at" not in columns:  # absent unless `laocorpus dedup` made the table lately
        with op.batch_alter_table("minhash_signatures") as batch:
            batch.add_column(sa.Column("compared_at", TIME, nullable=True))
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("gone_at", TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("gone_at")
    with op.batch_alter_table("minhash_signatures") as batch:
        batch.drop_column("compared_at")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("posts_gone")
        batch.drop_column("failure")
        batch.drop_column("mode")
    op.drop_table("post_revisions")
