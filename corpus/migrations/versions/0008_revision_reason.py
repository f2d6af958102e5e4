"""Why each revision was kept: a re-crawl found the post changed, or a reparse did.

Revision ID: 0008_revision_reason
Revises: 0007_canonical_urls
Create Date: 2026-12-01

``post_revisions.reason``: ``crawl`` (the site changed the post; every revision made before
this one) or ``reparse`` (``laocorpus reparse`` re-extracted it from the archive with newer
code).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_revision_reason"
down_revision = "0007_canonical_urls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("post_revisions") as batch:
        batch.add_column(sa.Column("reason", sa.String(16), nullable=False, server_default="crawl"))


def downgrade() -> None:
    with op.batch_alter_table("post_revisions") as batch:
        batch.drop_column("reason")
