"""When each post was last verified against its site, and what each run verified.

Revision ID: 0006_revisit_verification
Revises: 0005_site_scoped_identity
Create Date: 2026-12-01

- ``posts.verified_at``: when a crawl last confirmed the post's stored version: its page
  fetched, a 304, or a listing's exact change time (REST ``modified_gmt``, sitemap
  ``lastmod``). A listing that only shows the URL does not count. Backfilled with
  ``first_seen_at``, the one fetch an older corpus is sure of; the revisit policy
  (crawler/revisit.py) re-verifies the oldest first.
- ``crawl_runs.posts_verified`` and ``crawl_runs.verified_oldest_at``: how many posts a run
  verified, and the oldest ``verified_at`` among the site's live posts once it ended.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_revisit_verification"
down_revision = "0005_site_scoped_identity"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("verified_at", TIME, nullable=True))
    op.execute("UPDATE posts SET verified_at = first_seen_at")
    op.create_index("ix_posts_site_verified", "posts", ["site", "verified_at"])
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(
            sa.Column("posts_verified", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("verified_oldest_at", TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("verified_oldest_at")
        batch.drop_column("posts_verified")
    op.drop_index("ix_posts_site_verified", table_name="posts")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("verified_at")
