"""Distributed crawls: each worker's share of a shared crawl run.

Revision ID: 0004_distributed_workers
Revises: 0003_scheduled_crawls
Create Date: 2025-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_distributed_workers"
down_revision = "0003_scheduled_crawls"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)
COUNTERS = (
    "requests", "responses", "items_scraped", "posts_new", "posts_updated", "posts_unchanged",
    "posts_duplicate", "posts_gone", "rejected", "errors",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "crawl_run_workers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=255), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("finished_at", TIME, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("finish_reason", sa.String(length=100), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "worker", name="uq_crawl_run_workers"),
    )
    op.create_index("ix_crawl_run_workers_run_id", "crawl_run_workers", ["run_id"])


def downgrade() -> None:
    op.drop_table("crawl_run_workers")
