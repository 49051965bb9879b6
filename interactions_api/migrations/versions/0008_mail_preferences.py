"""Mail preferences of an account: `user.mail_replies` (reply mails at all, whatever
each comment asked) and `user.mail_review` (editors: a mail per new submission).
Both default to on, as the mails were sent until now.

Revision ID: 0008_mail_preferences
Revises: 0007_token_expiry
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_mail_preferences"
down_revision: str | None = "0007_token_expiry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
_COLUMNS = ("mail_replies", "mail_review")


def upgrade() -> None:
    """Add both switches, on for every existing account."""
    for name in _COLUMNS:
        op.add_column(
            "user", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    """Drop them (every mail is sent again)."""
    for name in _COLUMNS:
        op.drop_column("user", name)
