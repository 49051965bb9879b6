"""Accounts: users, browser sessions and personal API tokens.

Revision ID: 0001_accounts
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_accounts"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the account tables."""
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("role", sa.Integer(), nullable=False),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("bio", sa.String(2000), nullable=False),
        sa.Column("website", sa.String(500), nullable=False),
        sa.Column("expertise", sa.String(500), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("banned_until", _utc(), nullable=True),
        sa.Column("ban_reason", sa.String(500), nullable=False),
    )
    op.create_index("ix_user_email", "user", ["email"], unique=True)
    op.create_table(
        "authsession",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
    )
    op.create_index("ix_authsession_token_hash", "authsession", ["token_hash"], unique=True)
    op.create_index("ix_authsession_user_id", "authsession", ["user_id"])
    op.create_table(
        "apitoken",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_used_at", _utc(), nullable=True),
    )
    op.create_index("ix_apitoken_token_hash", "apitoken", ["token_hash"], unique=True)
    op.create_index("ix_apitoken_user_id", "apitoken", ["user_id"])


def downgrade() -> None:
    """Drop the account tables."""
    op.drop_table("apitoken")
    op.drop_table("authsession")
    op.drop_table("user")
