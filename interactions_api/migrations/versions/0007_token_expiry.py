"""Personal API tokens may expire: `api_token.expires_at` (NULL: never).

Revision ID: 0007_token_expiry
Revises: 0006_submission_images
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_token_expiry"
down_revision: str | None = "0006_submission_images"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the nullable expiry; existing tokens keep working (no expiry)."""
    op.add_column("apitoken", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the expiry (every token then works until revoked)."""
    op.drop_column("apitoken", "expires_at")
