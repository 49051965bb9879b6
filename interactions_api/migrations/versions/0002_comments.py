"""Comments, likes, bookmarks, bans and blocked words.

Revision ID: 0002_comments
Revises: 0001_accounts
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_comments"
down_revision: str | None = "0001_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _user_fk(ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey("user.id", ondelete=ondelete)


def upgrade() -> None:
    """Create the interaction tables."""
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("thread_id", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("comment.id"), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), _user_fk("SET NULL"), nullable=True),
        sa.Column("author_name", sa.String(80), nullable=False),
        sa.Column("author_website", sa.String(500), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("html", sa.String(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("moderation_reason", sa.String(40), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("edited_at", _utc(), nullable=True),
        sqlite_autoincrement=True,  # never reuse a deleted comment's id
    )
    op.create_index("ix_comment_thread_id_id", "comment", ["thread_id", "id"])
    op.create_index("ix_comment_parent_id", "comment", ["parent_id"])
    op.create_index("ix_comment_author_id", "comment", ["author_id"])
    op.create_table(
        "threadlike",
        sa.Column("thread_id", sa.String(200), primary_key=True),
        sa.Column("user_id", sa.Integer(), _user_fk("CASCADE"), primary_key=True),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_index("ix_threadlike_user_id", "threadlike", ["user_id"])
    op.create_table(
        "commentlike",
        sa.Column(
            "comment_id",
            sa.Integer(),
            sa.ForeignKey("comment.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.Integer(), _user_fk("CASCADE"), primary_key=True),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_index("ix_commentlike_user_id", "commentlike", ["user_id"])
    op.create_table(
        "bookmark",
        sa.Column("user_id", sa.Integer(), _user_fk("CASCADE"), primary_key=True),
        sa.Column("thread_id", sa.String(200), primary_key=True),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_table(
        "ban",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), _user_fk("CASCADE"), nullable=False),
        sa.Column("banned_by", sa.Integer(), _user_fk("SET NULL"), nullable=True),
        sa.Column("until", _utc(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_index("ix_ban_user_id", "ban", ["user_id"])
    op.create_table(
        "blockedword",
        sa.Column("word", sa.String(100), primary_key=True),
    )


def downgrade() -> None:
    """Drop the interaction tables."""
    op.drop_table("blockedword")
    op.drop_table("ban")
    op.drop_table("bookmark")
    op.drop_table("commentlike")
    op.drop_table("threadlike")
    op.drop_table("comment")
