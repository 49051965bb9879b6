"""Site settings in the database, accounts an admin can disable, reported comments.

`site_setting` holds the settings an admin changed in Studio (moderation mode, self
approval, site name); a setting without a row keeps its QUIRE_ environment default.
`user.disabled` closes an account without deleting what it wrote. `comment_report`
holds readers' reports of published comments, open until an editor decides.

Revision ID: 0011_site_settings
Revises: 0010_revision_front_matter
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_site_settings"
down_revision: str | None = "0010_revision_front_matter"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `site_setting` and `comment_report`; add `user.disabled` (false for all)."""
    op.create_table(
        "site_setting",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(500), nullable=False),
        sa.Column(
            "updated_by", sa.Integer(), sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "comment_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "comment_id", sa.Integer(), sa.ForeignKey("comment.id", ondelete="CASCADE"),
            nullable=False, index=True,
        ),
        sa.Column(
            "reporter_id", sa.Integer(), sa.ForeignKey("user.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("comment_id", "reporter_id"),
    )  # fmt: skip
    op.add_column(
        "user", sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    """Drop `user.disabled`, `comment_report` and `site_setting`."""
    # SQLite 3.35+ and PostgreSQL drop a column in place (no table rebuild under the
    # foreign keys that point at `user`).
    op.drop_column("user", "disabled")
    op.drop_table("comment_report")
    op.drop_table("site_setting")
