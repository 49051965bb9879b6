"""An account's avatar image: `user.avatar`, the stored file's name ('' for none).

Revision ID: 0009_avatar
Revises: 0008_mail_preferences
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_avatar"
down_revision: str | None = "0008_mail_preferences"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column, empty for every existing account."""
    op.add_column("user", sa.Column("avatar", sa.String(60), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop it (the files stay in the data folder and the content repository)."""
    op.drop_column("user", "avatar")
