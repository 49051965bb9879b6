"""Revisions keep every front matter field the builder knows that an author sets:
category, series, canonical and toc (beside title, tags, summary, cover and date).

Revision ID: 0010_revision_front_matter
Revises: 0009_avatar
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_revision_front_matter"
down_revision: str | None = "0009_avatar"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXTS = (("category", 80), ("series", 80), ("canonical", 300))


def upgrade() -> None:
    with op.batch_alter_table("revision") as table:
        for name, length in _TEXTS:
            table.add_column(sa.Column(name, sa.String(length), nullable=False, server_default=""))
        table.add_column(sa.Column("toc", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("revision") as table:
        for name in ("toc", *(n for n, _ in reversed(_TEXTS))):
            table.drop_column(name)
