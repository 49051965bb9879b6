"""Reply notifications: a comment's author may ask to be mailed about replies to it.

Revision ID: 0004_reply_notifications
Revises: 0003_inbox
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_reply_notifications"
down_revision: str | None = "0003_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add `comment.notify_replies` (off for every existing comment)."""
    # A plain ADD COLUMN (both databases have it): a batch rebuild of the table on SQLite
    # would drop its AUTOINCREMENT, and comment ids must never be reused.
    op.add_column(
        "comment",
        sa.Column("notify_replies", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    """Drop `comment.notify_replies`."""
    # SQLite rebuilds the table to drop a column: keep AUTOINCREMENT (ids never reused).
    with op.batch_alter_table("comment", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("notify_replies")
