"""Generic WordPress spider (commit dd67c13): the discovery source of each run, near-duplicates.

Revision ID: 0002_discovery_neardup
Revises: 0001_foundation
Create Date: 2025-11-25

A corpus made before migrations may already hold the near-duplicate tables (``laocorpus
dedup`` created them on demand), so they are only created when missing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_discovery_neardup"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    existing = sa.inspect(op.get_bind()).get_table_names()
    if "minhash_signatures" not in existing:
        op.create_table(
            "minhash_signatures",
            sa.Column("post_id", sa.Integer(), nullable=False),
            sa.Column("content_hash", sa.String(length=64), nullable=False),
            sa.Column("method", sa.String(length=64), nullable=False),
            sa.Column("shingles", sa.Integer(), nullable=False),
            sa.Column("signature", sa.LargeBinary(), nullable=True),
            sa.Column("computed_at", TIME, nullable=False),
            sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("post_id"),
        )
    if "near_duplicates" not in existing:
        op.create_table(
            "near_duplicates",
            sa.Column("post_id", sa.Integer(), nullable=False),
            sa.Column("original_id", sa.Integer(), nullable=False),
            sa.Column("similarity", sa.Float(), nullable=False),
            sa.Column("method", sa.String(length=64), nullable=False),
            sa.Column("detected_at", TIME, nullable=False),
            sa.ForeignKeyConstraint(["original_id"], ["posts.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("post_id"),
        )
        op.create_index("ix_near_duplicates_original_id", "near_duplicates", ["original_id"])
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("discovery", sa.String(length=20), nullable=True))
    # Until then every run walked the HTML archives.
    op.execute("UPDATE crawl_runs SET discovery = 'archive' WHERE discovery IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("discovery")
    op.drop_table("near_duplicates")
    op.drop_table("minhash_signatures")
