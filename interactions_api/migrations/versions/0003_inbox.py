"""The authoring inbox: submissions, revisions, remarks, history, publish outbox, builds.

Revision ID: 0003_inbox
Revises: 0002_comments
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_inbox"
down_revision: str | None = "0002_comments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _submission_fk() -> sa.Column[int]:
    return sa.Column(
        "submission_id",
        sa.Integer(),
        sa.ForeignKey("submission.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def upgrade() -> None:
    """Create the inbox tables."""
    op.create_table(
        "submission",
        _id(),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False, index=True),
        sa.Column("slug", sa.String(80), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("current_revision_id", sa.Integer(), nullable=True),
        sa.Column("approved_revision_id", sa.Integer(), nullable=True),
        sa.Column("published_revision_id", sa.Integer(), nullable=True),
        sa.Column("publish_at", _utc(), nullable=True),
        sa.Column("live_url", sa.String(500), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_table(
        "revision",
        _id(),
        _submission_fk(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("cover_src", sa.String(300), nullable=False),
        sa.Column("cover_alt", sa.String(300), nullable=False),
        sa.Column("date", _utc(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("commit_sha", sa.String(64), nullable=True),
        sa.UniqueConstraint("submission_id", "number"),
    )
    op.create_table(
        "reviewremark",
        _id(),
        _submission_fk(),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("reviewremark.id"), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_table(
        "submission_history",
        _id(),
        _submission_fk(),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_table(
        "publish_outbox",
        _id(),
        sa.Column("site", sa.String(40), nullable=False, index=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submission.id"), nullable=True),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("revision.id"), nullable=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("due_at", _utc(), nullable=False, index=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("done_at", _utc(), nullable=True, index=True),
        sa.Column("build_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
    )
    op.create_table(
        "site_build",
        _id(),
        sa.Column("site", sa.String(40), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("commit_sha", sa.String(64), nullable=False),
        sa.Column("pages_changed", sa.Integer(), nullable=False),
        sa.Column("uploads", sa.Integer(), nullable=False),
        sa.Column("deletes", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("log", sa.Text(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("outbox_ids", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    """Drop the inbox tables."""
    for table in (
        "site_build",
        "publish_outbox",
        "submission_history",
        "reviewremark",
        "revision",
        "submission",
    ):
        op.drop_table(table)
